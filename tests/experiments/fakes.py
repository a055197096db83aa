"""A scripted fake of the engine client for the experiment runner, and a fake clock.

Runs move queued → running → their scripted ending on successive looks, as a real engine's
would; each run's ending is looked up by (condition, seed, attempt) from its run name.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from kitchen.engine.wire import RunRowOut
from kitchen.errors import ConfigError
from kitchen.experiments.plan import parse_run_name

# (status, metric value or error type, message/duration)
Outcome = tuple[str, Any, Any]


@dataclass
class FakeRun:
    id: str
    name: str
    experiment: str
    recipe: str
    config: dict[str, Any]
    status: str = "queued"
    looks: int = 0
    value: float | None = None
    duration_s: float | None = None
    error_type: str | None = None
    error_message: str | None = None


@dataclass
class FakeEngine:
    """Submit, runs and run, as :class:`kitchen.engine.client.EngineClient` offers them.

    Attributes:
        script: ``(condition, seed, attempt) -> outcome``; unscripted runs succeed with 0.5.
        hold: Looks a run stays queued+running before it ends (2: queued, running, end).
        refuse: Conditions whose submission the engine refuses with a ConfigError.
    """

    script: dict[tuple[str, int, int], Outcome] = field(default_factory=dict)
    hold: int = 2
    refuse: set[str] = field(default_factory=set)
    runs_: dict[str, FakeRun] = field(default_factory=dict)
    submitted: list[str] = field(default_factory=list)
    max_active_seen: int = 0
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def submit(
        self,
        recipe: str,
        overrides: Any = (),
        *,
        config: dict[str, Any] | None = None,
        priority: int = 0,
        workdir: str | None = None,
    ) -> SimpleNamespace:
        assert config is not None
        parsed = parse_run_name(config["name"])
        assert parsed is not None
        if parsed[0] in self.refuse:
            raise ConfigError(f"{parsed[0]}: learning_rate: bad")
        run_id = f"run{next(self._ids):03d}"
        self.runs_[run_id] = FakeRun(run_id, config["name"], config["experiment"], recipe, config)
        self.submitted.append(config["name"])
        return SimpleNamespace(run_id=run_id, status="queued")

    def add(self, name: str, experiment: str, status: str, **kw: Any) -> str:
        """A run already in the store (for resume tests)."""
        run_id = f"old{next(self._ids):03d}"
        run = FakeRun(run_id, name, experiment, "sft", {}, status=status, **kw)
        run.looks = 99
        self.runs_[run_id] = run
        return run_id

    def _advance(self) -> None:
        for run in self.runs_.values():
            if run.status not in ("queued", "running"):
                continue
            run.looks += 1
            if run.looks < self.hold:
                run.status = "running" if run.looks else "queued"
                continue
            parsed = parse_run_name(run.name)
            assert parsed is not None
            status, a, b = self.script.get(parsed, ("succeeded", 0.5, 10.0))
            run.status = status
            if status == "succeeded":
                run.value, run.duration_s = float(a), float(b)
            else:
                run.error_type, run.error_message, run.duration_s = a, b, 1.0
        active = sum(1 for r in self.runs_.values() if r.status in ("queued", "running"))
        self.max_active_seen = max(self.max_active_seen, active)

    def runs(
        self,
        *,
        limit: int = 100,
        experiment: str | None = None,
        recipe: str | None = None,
        status: str | None = None,
        summary_keys: Any = None,
        **_: Any,
    ) -> list[RunRowOut]:
        if experiment is not None:
            self._advance()
        rows = []
        now = datetime.now(UTC)
        for run in self.runs_.values():
            if experiment is not None and run.experiment != experiment:
                continue
            if recipe is not None and run.recipe != recipe:
                continue
            if status is not None and run.status != status:
                continue
            metrics = {} if run.value is None else {"eval/exact_match": run.value}
            rows.append(
                RunRowOut(
                    id=run.id,
                    name=run.name,
                    experiment=run.experiment,
                    recipe=run.recipe,
                    status=run.status,
                    created_at=now,
                    started_at=None,
                    finished_at=None,
                    duration_s=run.duration_s,
                    last_step=None,
                    metrics=metrics,
                )
            )
        return rows[:limit]

    def run(self, run_id: str) -> SimpleNamespace:
        run = self.runs_[run_id]
        record = SimpleNamespace(
            error_type=run.error_type, error_message=run.error_message, config=run.config
        )
        return SimpleNamespace(run=record)

    def engine_status(self) -> SimpleNamespace:
        return SimpleNamespace(slots=2, running=[])


class FakeClock:
    """A monotonic clock that only moves when the runner sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
