"""Seeded runs: a learning-rate sweep of language-model fine-tunes with curves, the two real
training runs of the demo sentiment classifier, their evaluations with per-sample rows, and the
registered model versions with their lineage.

The sweep's curves are synthetic (a noisy power-law loss, a cosine learning rate, a rising
exact match) because a real fine-tune takes minutes; the classifier's runs are real (SGD
steps on TF-IDF features), so their curves, evaluations and registered weights agree.
``store.synthetic`` is not used: it generates benchmark-scale runs named ``synthetic-i`` with
``metric_00``-style keys and runs left ``running``, which is wrong for a demo.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from kitchen.demo.model import LABELS, Examples, SentimentModel, train_sentiment
from store import Store

MODEL_NAME = "sentiment-clf"
STEPS = 200


@dataclass(frozen=True)
class SeededModels:
    """The trained versions of the demo classifier and what was recorded about them."""

    versions: list[tuple[str, int, SentimentModel]]
    train_runs: list[str]
    eval_runs: list[str]


def seed_sweep(store: Store, runs: int, seed: int) -> list[str]:
    """``runs`` finished fine-tunes of a learning-rate sweep (the last of five fails with a
    NaN loss), each with params, stage timings, loss / lr / exact-match curves and lineage."""
    rng = np.random.default_rng(seed)
    ids = []
    for index in range(runs):
        lr = [3e-4, 1e-3, 3e-3, 1e-2][index % 4] * (1 + index // 4)
        config = {
            "model": "tiny-llama",
            "dataset": "kitchen/arithmetic",
            "learning_rate": lr,
            "batch_size": 16,
            "max_steps": STEPS,
            "seed": seed + index,
        }
        run = store.create_run(
            recipe="sft",
            experiment="lr-sweep",
            name=f"sft-lr{lr:g}",
            config=config,
            seed=seed + index,
        )
        store.set_run_status(run.id, "running")
        store.log_params(run.id, config)
        store.link("dataset", "kitchen/arithmetic", "run", run.id, "trained_on")
        store.link("model", "tiny-llama", "run", run.id, "base_of")
        fails = index % 5 == 4
        last = STEPS // 3 if fails else STEPS
        rate = 0.35 + 0.25 * math.log10(lr / 3e-4)
        noise = rng.normal(0, 0.04, size=STEPS + 1)
        for step in range(1, last + 1):
            loss = 2.8 * step**-rate + 0.35 + noise[step] * (1 + 2 / step)
            values = {
                "train/loss": float(loss),
                "train/lr": lr * 0.5 * (1 + math.cos(math.pi * step / STEPS)),
            }
            if step % 50 == 0:
                values["eval/exact_match"] = float(np.clip(0.9 - loss / 3 + noise[step], 0, 1))
            store.log_metrics(run.id, step, values)
        for path, stage, seconds in (
            ("load", "load_data", 0.4 + rng.random()),
            ("train", "train", 30 + 40 * rng.random()),
            ("eval", "evaluate", 3 + 2 * rng.random()),
        ):
            store.log_stage_event(run.id, path, stage, "started")
            if fails and stage == "evaluate":
                break
            store.log_stage_event(run.id, path, stage, "finished", duration_s=seconds)
        if fails:
            store.log(run.id, "error", f"loss became NaN at step {last + 1}", stage="train")
            store.set_run_status(
                run.id, "failed", error_type="TrainingError", error_message="NaN loss"
            )
        else:
            store.set_run_status(run.id, "succeeded")
        ids.append(run.id)
    return ids


def seed_classifier(store: Store, train: Examples, test: Examples, seed: int) -> SeededModels:
    """Train two versions of the sentiment classifier as runs, evaluate each on the test split
    (per-sample rows), and register them: v1 ``champion``, v2 ``challenger``."""
    versions: list[tuple[str, int, SentimentModel]] = []
    train_runs: list[str] = []
    eval_runs: list[str] = []
    setups = (
        {"ngrams": 1, "max_features": 600, "epochs": 4, "train_share": 0.5},
        {"ngrams": 2, "max_features": 1200, "epochs": 6, "train_share": 1.0},
    )
    store.create_model(MODEL_NAME, "TF-IDF + logistic regression sentiment classifier (demo)")
    previous: str | None = None
    for number, setup in enumerate(setups, start=1):
        n = int(len(train.texts) * setup["train_share"])
        data = Examples(train.ids[:n], train.texts[:n], train.labels[:n])
        config = {**setup, "dataset": "kitchen/sentiment", "seed": seed, "examples": n}
        run = store.create_run(
            recipe="classifier",
            experiment="sentiment",
            name=f"{MODEL_NAME}-v{number}",
            config=config,
            seed=seed,
        )
        store.set_run_status(run.id, "running")
        store.log_params(run.id, config)
        store.link("dataset", "kitchen/sentiment", "run", run.id, "trained_on")
        log_step = functools.partial(store.log_metrics, run.id)
        model = train_sentiment(
            data,
            ngrams=int(setup["ngrams"]),
            max_features=int(setup["max_features"]),
            epochs=int(setup["epochs"]),
            seed=seed,
            holdout=test,
            on_step=log_step,
        )
        artifact = store.log_artifact_bytes(
            run.id, model.to_json(), name="model.json", kind="model"
        )
        accuracy = _evaluate(store, model, test, MODEL_NAME, number, eval_runs)
        store.set_run_status(run.id, "succeeded")
        version = store.register_model_version(
            MODEL_NAME, run_id=run.id, artifact_id=artifact.id, metrics={"accuracy": accuracy}
        )
        if previous is not None:
            store.link("model_version", previous, "model_version", version.id, "retrained_as")
        previous = version.id
        store.link("model_version", version.id, "run", eval_runs[-1], "evaluated_by")
        versions.append((MODEL_NAME, number, model))
        train_runs.append(run.id)
    store.set_alias(MODEL_NAME, "champion", 1)
    store.set_alias(MODEL_NAME, "challenger", 2)
    return SeededModels(versions, train_runs, eval_runs)


def _evaluate(
    store: Store, model: SentimentModel, test: Examples, name: str, version: int, out: list[str]
) -> float:
    """An eval run of one version on the test split; returns its accuracy."""
    run = store.create_run(
        recipe="eval",
        experiment="sentiment",
        name=f"eval-{name}-v{version}",
        config={"model": f"{name}@{version}", "task": "sentiment", "samples": len(test.texts)},
    )
    store.set_run_status(run.id, "running")
    proba = model.predict_proba(test.texts)
    rows = []
    for i, (sample_id, text, label) in enumerate(
        zip(test.ids, test.texts, test.labels, strict=True)
    ):
        predicted = LABELS[int(proba[i].argmax())]
        rows.append(
            {
                "sample_id": sample_id,
                "input": text,
                "target": label,
                "output": predicted,
                "score": float(predicted == label),
                "input_tokens": len(text.split()),
                "output_tokens": 1,
                "metadata": {"confidence": round(float(proba[i].max()), 4)},
            }
        )
    store.log_eval_samples(run.id, rows, phase="eval", task="sentiment", step=0)
    accuracy = float(np.mean([r["score"] for r in rows]))
    store.log_metrics(run.id, 0, {"eval/accuracy": accuracy})
    store.set_run_status(run.id, "succeeded")
    out.append(run.id)
    return accuracy
