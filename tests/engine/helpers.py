"""Small stages and a context builder for engine tests (no model, no store)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from kitchen.adapters.fake.analyses import FakeAnalyses
from kitchen.adapters.fake.blobs import FakeBlobStore
from kitchen.adapters.fake.evaluator import FakeEvaluator
from kitchen.adapters.fake.metrics import FakeMetricsSink
from kitchen.adapters.fake.registry import FakeModelRegistry
from kitchen.context import Ports, RunContext, RunMeta
from kitchen.events import Event, EventBus
from kitchen.stage import Stage
from kitchen.state import TrainState


class Cfg(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    epochs: int = 2
    steps: int = 3
    seed: int = 0


class Count(Stage):
    """Adds one to global_step and records its visit."""

    def __init__(self, name: str = "count", journal: list[str] | None = None) -> None:
        self.name = name
        self.provides = ("global_step",)
        self.journal = journal if journal is not None else []
        self.rolled_back = False

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        self.journal.append(f"{self.name}:{ctx.loops}")
        return ctx.evolve(global_step=ctx.state.global_step + 1)

    def rollback(self, ctx: RunContext[Any], error: BaseException) -> None:
        self.rolled_back = True


class SetField(Stage):
    def __init__(self, name: str, field: str, value: Any, requires: tuple[str, ...] = ()) -> None:
        self.name = name
        self.provides = (field,)
        self.requires = requires
        self.field = field
        self.value = value

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        time.sleep(0.01)
        return ctx.evolve(**{self.field: self.value})


class Boom(Stage):
    name = "boom"

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        raise self.error


class Snapshot(Stage):
    """A restorable 'checkpoint' that records the position and state it saw."""

    name = "snapshot"

    def __init__(self) -> None:
        self.saved: list[tuple[Any, dict[str, Any]]] = []
        self.pending: list[bool] = []
        self.restored_from: Mapping[str, Any] | None = None

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        return self.save(ctx)

    def save(self, ctx: RunContext[Any], *, pending: bool = False) -> RunContext[Any]:
        self.saved.append((ctx.position, ctx.state.snapshot()))
        self.pending.append(pending)
        return ctx

    def restore(
        self, ctx: RunContext[Any], directory: Path, snapshot: Mapping[str, Any]
    ) -> RunContext[Any]:
        self.restored_from = snapshot
        from dataclasses import replace

        return replace(ctx, state=ctx.state.restored(snapshot))


def make_ctx(config: BaseModel | None = None, events: list[Event] | None = None) -> RunContext[Any]:
    sink = events if events is not None else []
    ports = Ports(
        backend=None,  # type: ignore[arg-type]
        datasets=None,  # type: ignore[arg-type]
        hub=None,  # type: ignore[arg-type]
        blobs=FakeBlobStore(),
        metrics=FakeMetricsSink(),
        registry=FakeModelRegistry(),
        evaluator=FakeEvaluator(),
        analyses=FakeAnalyses(),
    )
    meta = RunMeta("run-test", "test", 0, Path("/tmp/kitchen-test"), time.time())
    return RunContext(config or Cfg(), ports, TrainState(), meta, EventBus((sink.append,)))
