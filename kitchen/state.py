"""Typed run state shared by the training workflows.

Stages read and write named fields of :class:`TrainState`; their ``requires`` and ``provides``
name these fields, so a workflow can be checked before it runs and mypy checks every access.
Live objects (session, tokenizer) are rebuilt on resume; :meth:`TrainState.snapshot` holds the
plain values a checkpoint keeps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Literal, overload

from kitchen.errors import WorkflowError
from kitchen.ports.dataset import LoadedDataset
from kitchen.ports.evaluator import EvalResult
from kitchen.ports.registry import ModelVersionInfo
from kitchen.ports.tokenizer import Tokenizer
from kitchen.ports.training import TrainingSession
from kitchen.types import Datum, OptimResult, StepResult

if TYPE_CHECKING:
    from kitchen.chat import Renderer
    from kitchen.envs import ProblemSet
    from kitchen.preference import PreferenceExample
    from kitchen.rl import Rollout
    from kitchen.tasks._types import Model as TaskModel
    from kitchen.tasks.task import Task

# Plain fields a checkpoint stores and resume restores.
SNAPSHOT_FIELDS = (
    "epoch",
    "global_step",
    "total_steps",
    "tokens_seen",
    "epoch_loss_sum",
    "epoch_loss_count",
    "last_loss",
    "baseline_metrics",
    "eval_metrics",
    "last_checkpoint",
)


@dataclass(frozen=True, slots=True)
class TrainState:
    """Everything stages pass to each other during a training run."""

    dataset: LoadedDataset | None = None
    session: TrainingSession | None = None
    tokenizer: Tokenizer | None = None
    renderer: Renderer | None = None
    train_data: tuple[Datum, ...] | None = None
    # Datums per training example: 2 for preference pairs (chosen, rejected), kept together
    # in every batch.
    datum_group: int = 1
    eval_data: tuple[Datum, ...] | None = None
    preference_train: tuple[PreferenceExample, ...] | None = None
    preference_eval: tuple[PreferenceExample, ...] | None = None
    reference: TrainingSession | None = None
    env_set: ProblemSet | None = None
    rollouts: tuple[Rollout, ...] | None = None
    rollout_stats: Mapping[str, float] = field(default_factory=dict)
    epoch_order: tuple[tuple[int, ...], ...] | None = None
    num_batches: int = 0
    total_steps: int = 0
    epoch: int = 0
    global_step: int = 0
    current_batch: tuple[Datum, ...] | None = None
    step_result: StepResult | None = None
    optim_result: OptimResult | None = None
    step_started: float = 0.0
    tokens_seen: int = 0
    epoch_loss_sum: float = 0.0
    epoch_loss_count: int = 0
    last_loss: float = float("nan")
    baseline_metrics: Mapping[str, float] = field(default_factory=dict)
    eval_metrics: Mapping[str, float] = field(default_factory=dict)
    eval_result: EvalResult | None = None
    last_checkpoint: str = ""
    final_model: str = ""
    # Evaluation tasks: the task, the model it is run on (when not the training session's),
    # and the judge model of a model-graded scorer.
    task: Task | None = None
    eval_model: TaskModel | None = None
    judge_model: TaskModel | None = None
    model_version: ModelVersionInfo | None = None

    # Overloads keep `need` fully typed: each optional field comes back as its own type.
    @overload
    def need(self, name: Literal["dataset"]) -> LoadedDataset: ...
    @overload
    def need(self, name: Literal["session", "reference"]) -> TrainingSession: ...
    @overload
    def need(
        self, name: Literal["preference_train", "preference_eval"]
    ) -> tuple[PreferenceExample, ...]: ...
    @overload
    def need(self, name: Literal["tokenizer"]) -> Tokenizer: ...
    @overload
    def need(self, name: Literal["renderer"]) -> Renderer: ...
    @overload
    def need(
        self, name: Literal["train_data", "current_batch", "eval_data"]
    ) -> tuple[Datum, ...]: ...
    @overload
    def need(self, name: Literal["epoch_order"]) -> tuple[tuple[int, ...], ...]: ...
    @overload
    def need(self, name: Literal["env_set"]) -> ProblemSet: ...
    @overload
    def need(self, name: Literal["rollouts"]) -> tuple[Rollout, ...]: ...
    @overload
    def need(self, name: Literal["step_result"]) -> StepResult: ...
    @overload
    def need(self, name: Literal["optim_result"]) -> OptimResult: ...
    @overload
    def need(self, name: Literal["eval_result"]) -> EvalResult: ...
    @overload
    def need(self, name: Literal["model_version"]) -> ModelVersionInfo: ...

    def need(self, name: str) -> Any:
        """Return optional field ``name``, failing clearly if no earlier stage set it."""
        value = getattr(self, name)
        if value is None:
            raise WorkflowError(
                f"state field '{name}' is not set: a stage that provides it must run first"
            )
        return value

    def snapshot(self) -> dict[str, Any]:
        """The JSON-safe part of the state that a checkpoint records."""
        return {name: _jsonable(getattr(self, name)) for name in SNAPSHOT_FIELDS}

    def restored(self, snapshot: Mapping[str, Any]) -> TrainState:
        """A copy with the snapshot's values put back."""
        known = {k: v for k, v in snapshot.items() if k in SNAPSHOT_FIELDS}
        return replace(self, **known)


def state_fields() -> frozenset[str]:
    """Names a stage may list in ``requires`` / ``provides``."""
    return frozenset(f.name for f in fields(TrainState))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): float(v) for k, v in value.items()}
    return value
