"""The knobs the training recipes share: :class:`SessionConfig` (model, optimiser, schedule,
checkpoints, identity) for every recipe, :class:`TrainConfig` (data, epochs, batches) for the
recipes that pass over a dataset."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from kitchen.stage import Stage
from kitchen.workflow import Branch, Loop, Node, Step


class SessionConfig(BaseModel):
    """Knobs every training recipe has: the model and its session, the optimiser and schedule,
    checkpoints, evaluation cadence and the run's identity."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str = Field(
        "kitchen/tiny",
        description="kitchen/tiny, models:/NAME[@ALIAS|/VERSION], a local folder or a hub id",
    )
    learning_rate: float = Field(1e-3, gt=0, le=1.0, description="peak learning rate")
    lr_schedule: Literal["constant", "linear", "cosine"] = Field("cosine", description="decay")
    warmup_steps: int = Field(10, ge=0, description="linear warm-up steps")
    weight_decay: float = Field(0.0, ge=0, description="AdamW weight decay")
    max_grad_norm: float = Field(1.0, gt=0, description="gradient clipping norm")
    lora_rank: int = Field(0, ge=0, description="LoRA rank (0: full fine-tune)")
    chat_template: Literal["auto", "llama3", "qwen", "plain"] = Field("auto")
    save_every: int = Field(5, ge=0, description="checkpoint every N epochs (0: never)")
    eval_every: int = Field(0, ge=0, description="evaluate every N epochs (0: only at the end)")
    eval_samples: int = Field(200, ge=0, description="held-out examples to score")
    baseline_eval: bool = Field(True, description="score the model before training too")
    eval_task: str = Field(
        "",
        description="also score a benchmark task before and after training (see `kitchen tasks`)",
    )
    eval_task_options: dict[str, Any] = Field(
        default_factory=dict, description="options of eval_task (e.g. fewshot, subjects)"
    )
    log_every: int = Field(1, ge=1, description="log step metrics every N steps")
    seed: int = Field(0, description="seed for init, shuffling and sampling")
    device: Literal["auto", "cpu", "cuda", "mps"] = Field("auto")
    gradient_checkpointing: bool = Field(False)
    compile: bool = Field(False, description="torch.compile the model (pays off on long runs)")
    threads: int = Field(
        0, ge=0, description="CPU threads for torch (0: torch's default; 1 on a busy 2-core box)"
    )
    register_as: str = Field("", description="model name to register ('' derives one)")
    experiment: str = Field("default", description="experiment the run belongs to")
    name: str = Field("", description="run name ('' derives one)")


class TrainConfig(SessionConfig):
    """Knobs of the recipes that pass over a dataset in epochs of batches."""

    dataset: str = Field("kitchen/arithmetic", description="kitchen/<name>, a file or a hub id")
    dataset_fields: dict[str, str] = Field(default_factory=dict, description="column renames")
    split: str = Field("train", description="training split")
    eval_split: str = Field("test", description="held-out split")
    limit: int = Field(0, ge=0, description="use at most this many training examples (0: all)")
    epochs: int = Field(20, ge=1, description="passes over the training set")
    batch_size: int = Field(32, ge=1, description="examples per optimiser step")
    max_length: int = Field(256, ge=8, description="truncate sequences to this many tokens")
    grouping: Literal["length", "random"] = Field("length", description="batch ordering")
    max_steps: int = Field(0, ge=0, description="stop after this many steps (0: no limit)")


def epoch_loop(
    step: tuple[Node, ...],
    *,
    evaluate: Stage | None = None,
    checkpoint: Stage | None = None,
) -> Loop:
    """The loop the dataset recipes share: epochs of [set_epoch → batches of (get_batch →
    ``step`` …) → log_epoch_metrics → checkpoint every ``save_every`` epochs → ``evaluate``
    every ``eval_every`` epochs (not after the last: the workflow evaluates after it)].

    Args:
        step: What one batch does after ``get_batch`` (forward/backward, optimiser step,
            logging).
        evaluate: The held-out evaluation stage, if the recipe evaluates between epochs.
        checkpoint: The checkpoint stage (one instance per workflow; a new one by default).
    """
    from kitchen.stages import (
        GetBatch,
        LogEpochMetrics,
        SaveCheckpoint,
        SetEpoch,
        batches_this_epoch,
        every_n_epochs,
    )

    body: tuple[Node, ...] = (
        Step(SetEpoch()),
        Loop("batches", batches_this_epoch, (Step(GetBatch()), *step)),
        Step(LogEpochMetrics()),
        Branch(
            "should_checkpoint",
            every_n_epochs("save_every"),
            (Step(checkpoint or SaveCheckpoint()),),
        ),
    )
    if evaluate is not None:
        body += (
            Branch(
                "should_evaluate",
                every_n_epochs("eval_every", not_last=True),
                (Step(evaluate),),
            ),
        )
    return Loop("epochs", lambda ctx: ctx.config.epochs, body)


def with_eval_task(stage: Stage) -> Branch:
    """``stage`` (an :class:`~kitchen.stages.evaluate_task.EvaluateTask`) run only when the
    config names an ``eval_task``."""
    return Branch(f"has_{stage.name}", lambda ctx: bool(ctx.config.eval_task), (Step(stage),))
