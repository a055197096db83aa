"""Typed run events.

One stream feeds the store, the progress bar, the TUI and reports. Events are small frozen
records; emitting one costs a constructor call and a loop over subscribers, so the training
thread can afford one per step.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

RunStatus = Literal["running", "paused", "succeeded", "failed", "cancelled", "interrupted"]


def _now() -> float:
    return time.time()


@dataclass(frozen=True, slots=True)
class RunStarted:
    run_id: str
    recipe: str
    config: Mapping[str, Any]
    resumed: bool = False
    wall_time: float = field(default_factory=_now)


@dataclass(frozen=True, slots=True)
class StageStarted:
    run_id: str
    stage: str
    path: str
    depth: int
    wall_time: float = field(default_factory=_now)


@dataclass(frozen=True, slots=True)
class StageFinished:
    run_id: str
    stage: str
    path: str
    depth: int
    duration_s: float
    skipped: bool = False
    wall_time: float = field(default_factory=_now)


@dataclass(frozen=True, slots=True)
class StageFailed:
    run_id: str
    stage: str
    path: str
    depth: int
    error_type: str
    message: str
    wall_time: float = field(default_factory=_now)


@dataclass(frozen=True, slots=True)
class Metrics:
    """Scalar values at one step (``step`` is the global optimiser step)."""

    run_id: str
    step: int
    values: Mapping[str, float]
    wall_time: float = field(default_factory=_now)


@dataclass(frozen=True, slots=True)
class Progress:
    """How far the run is, for progress bars: ``done`` of ``total`` units."""

    run_id: str
    done: int
    total: int
    unit: str = "step"
    info: Mapping[str, float] = field(default_factory=dict)
    wall_time: float = field(default_factory=_now)


@dataclass(frozen=True, slots=True)
class Log:
    run_id: str
    level: Literal["debug", "info", "warning", "error"]
    message: str
    stage: str = ""
    wall_time: float = field(default_factory=_now)


@dataclass(frozen=True, slots=True)
class ArtifactSaved:
    run_id: str
    kind: Literal["checkpoint", "model", "dataset", "report", "eval", "other"]
    name: str
    ref: str
    size_bytes: int
    step: int
    meta: Mapping[str, Any] = field(default_factory=dict)
    wall_time: float = field(default_factory=_now)


@dataclass(frozen=True, slots=True)
class ModelRegistered:
    run_id: str
    name: str
    version: int
    artifact_ref: str
    # The model it was trained from and how (``dpo_trained_from``): a lineage edge.
    parent: str = ""
    relation: str = ""
    wall_time: float = field(default_factory=_now)


@dataclass(frozen=True, slots=True)
class RunFinished:
    run_id: str
    status: RunStatus
    error_type: str = ""
    message: str = ""
    last_step: int = 0
    wall_time: float = field(default_factory=_now)


Event = (
    RunStarted
    | StageStarted
    | StageFinished
    | StageFailed
    | Metrics
    | Progress
    | Log
    | ArtifactSaved
    | ModelRegistered
    | RunFinished
)
Subscriber = Callable[[Event], None]


class EventBus:
    """Fans events out to subscribers, in subscription order."""

    def __init__(self, subscribers: tuple[Subscriber, ...] = ()) -> None:
        self._subscribers: list[Subscriber] = list(subscribers)

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.append(subscriber)

    def emit(self, event: Event) -> None:
        for subscriber in self._subscribers:
            subscriber(event)
