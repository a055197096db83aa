"""The frozen run context threaded through stages."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from kitchen.errors import RunCancelled
from kitchen.events import Event, EventBus, Log
from kitchen.ports.analyses import AnalysisStore
from kitchen.ports.blobs import BlobStore
from kitchen.ports.dataset import DatasetSource
from kitchen.ports.evaluator import Evaluator
from kitchen.ports.hub import Hub
from kitchen.ports.metrics import MetricsSink
from kitchen.ports.registry import ModelRegistry
from kitchen.ports.training import TrainingBackend
from kitchen.state import TrainState

C = TypeVar("C", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Ports:
    """The adapters a run uses, one per port."""

    backend: TrainingBackend
    datasets: DatasetSource
    hub: Hub
    blobs: BlobStore
    metrics: MetricsSink
    registry: ModelRegistry
    evaluator: Evaluator
    analyses: AnalysisStore


@dataclass(frozen=True, slots=True)
class RunMeta:
    """Identity of the run: id, recipe, seed, where its files live, when it started."""

    run_id: str
    recipe: str
    seed: int
    home: Path
    started_at: float
    resumed: bool = False


class CancelToken:
    """Set from any thread; the runner checks it at every stage boundary.

    ``cancel`` stops the run at the next stage boundary; ``pause`` asks the runner to write a
    checkpoint at the next loop boundary and stop there, resumable.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self._pause = threading.Event()
        self.reason = ""

    def cancel(self, reason: str = "cancelled by user") -> None:
        self.reason = reason
        self._event.set()

    def pause(self, reason: str = "paused by user") -> None:
        if not self._event.is_set():
            self.reason = reason
        self._pause.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    @property
    def pausing(self) -> bool:
        return self._pause.is_set() and not self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise RunCancelled(self.reason)


@dataclass(frozen=True, slots=True)
class RunContext(Generic[C]):
    """What a stage sees: config (read-only), ports, typed state, run meta and loop position.

    Stages return a new context (``ctx.evolve(global_step=…)``) rather than mutate this one.
    ``position`` is the runner's cursor: ``(node index, loop iteration)`` from the outermost
    node down; a checkpoint records it so resume can re-enter the workflow there.
    """

    config: C
    ports: Ports
    state: TrainState
    meta: RunMeta
    bus: EventBus
    position: tuple[tuple[int, int], ...] = ()
    loops: tuple[tuple[str, int], ...] = ()

    def evolve(self, **changes: Any) -> RunContext[C]:
        """A context whose state has ``changes`` applied."""
        return replace(self, state=replace(self.state, **changes))

    def loop_index(self, name: str) -> int:
        """The current iteration of the enclosing loop ``name``."""
        for loop_name, index in reversed(self.loops):
            if loop_name == name:
                return index
        raise KeyError(f"no enclosing loop named {name!r}")

    def emit(self, event: Event) -> None:
        self.bus.emit(event)

    def log(self, message: str, *, level: str = "info", stage: str = "") -> None:
        self.bus.emit(Log(self.meta.run_id, level, message, stage))  # type: ignore[arg-type]
