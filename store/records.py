"""Frozen result records of the store's read queries (rows of tables are in ``models``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from store.models import LineageEdge, ModelStage, Run, RunStatus


@dataclass(frozen=True)
class RunRow:
    """One line of the runs table the UIs show.

    Attributes:
        id: The run id.
        name: Its display name.
        experiment: The experiment's name.
        recipe: The recipe it ran.
        status: Where it is in its life.
        created_at: When it was queued.
        started_at: When it first started, if it has.
        finished_at: When it ended, if it has.
        duration_s: ``finished - started``, or ``now - started`` while running, else ``None``.
        last_step: The highest step any metric was logged at.
        model: The model its config names (``config.model``), if any.
        metrics: The last value of each requested summary metric the run has logged.
    """

    id: str
    name: str
    experiment: str
    recipe: str
    status: RunStatus
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_s: float | None
    last_step: int | None
    model: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Curve:
    """A metric's points over steps, possibly downsampled.

    Attributes:
        run_id: The run.
        key: The metric.
        steps: Steps in ascending order.
        values: The value at each step.
        total_points: How many points the run logged for the metric.
        downsampled: Whether ``steps`` is a min/max-per-bucket selection of them.
    """

    run_id: str
    key: str
    steps: list[int]
    values: list[float]
    total_points: int
    downsampled: bool


@dataclass(frozen=True)
class ParamDiff:
    """One parameter of two runs; a side is ``None`` where that run lacks the key."""

    key: str
    a: Any
    b: Any

    @property
    def differs(self) -> bool:
        """Whether the two sides differ."""
        return bool(self.a != self.b)


@dataclass(frozen=True)
class MetricPair:
    """The last value of one metric in two runs; ``None`` where a run never logged it."""

    key: str
    a: float | None
    b: float | None

    @property
    def delta(self) -> float | None:
        """``b - a`` when both runs have the metric."""
        return None if self.a is None or self.b is None else self.b - self.a


@dataclass(frozen=True)
class RunComparison:
    """Two runs side by side.

    Attributes:
        a: The first run.
        b: The second run.
        params: Every parameter key of either run, sorted by key.
        metrics: Every metric key of either run with its last values, sorted by key.
    """

    a: Run
    b: Run
    params: list[ParamDiff]
    metrics: list[MetricPair]

    @property
    def changed_params(self) -> list[ParamDiff]:
        """Only the parameters whose values differ."""
        return [p for p in self.params if p.differs]


@dataclass(frozen=True)
class LineageGraph:
    """What a node came from and what was made from it.

    Attributes:
        kind: The node's kind (``run``, ``artifact``, ``model_version``, ...).
        id: The node's id.
        upstream: Edges on paths leading to the node, nearest first.
        downstream: Edges on paths leading away from it, nearest first.
    """

    kind: str
    id: str
    upstream: list[LineageEdge]
    downstream: list[LineageEdge]


@dataclass(frozen=True)
class ModelSummary:
    """A registered model with its newest version and its aliases.

    Attributes:
        name: The model's name.
        description: Its description.
        created_at: When it was registered.
        latest_version: The highest version number, or ``None`` without versions.
        versions: How many versions it has.
        aliases: ``{alias: version}``.
        stages: ``{stage: [versions]}`` for every stage other than ``none``.
    """

    name: str
    description: str
    created_at: datetime
    latest_version: int | None
    versions: int
    aliases: dict[str, int]
    stages: dict[ModelStage, list[int]]


@dataclass(frozen=True, slots=True)
class RunCount:
    """How many runs share one status, recipe and experiment."""

    status: str
    recipe: str
    experiment: str
    n: int
