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
from kitchen.errors import ConfigError, ResumeError
from kitchen.experiments.plan import parse_run_name
from kitchen.launch import RESUME_LOG_PREFIX

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
    checkpoint: bool = False
    resumes: int = 0
    logs: list[str] = field(default_factory=list)
    finished: int = 0


@dataclass
class FakeEngine:
    """Submit, runs and run, as :class:`kitchen.engine.client.EngineClient` offers them.

    Attributes:
        script: ``(condition, seed, attempt) -> outcome``; unscripted runs succeed with 0.5.
        hold: Looks a run stays queued+running before it ends (2: queued, running, end).
        refuse: Conditions whose submission the engine refuses with a ConfigError.
        checkpointed: Attempts that leave a checkpoint when they end without success (an
            interrupted one of these can be resumed).
        after_resume: ``(condition, seed, attempt, resumes) -> outcome`` of a resumed run;
            unscripted ones succeed with 0.5.
        refuse_resume: Run ids whose resume the engine refuses (the checkpoint went missing).
    """

    script: dict[tuple[str, int, int], Outcome] = field(default_factory=dict)
    hold: int = 2
    refuse: set[str] = field(default_factory=set)
    runs_: dict[str, FakeRun] = field(default_factory=dict)
    submitted: list[str] = field(default_factory=list)
    checkpointed: set[tuple[str, int, int]] = field(default_factory=set)
    after_resume: dict[tuple[str, int, int, int], Outcome] = field(default_factory=dict)
    refuse_resume: set[str] = field(default_factory=set)
    resumed: list[str] = field(default_factory=list)
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
            if run.resumes:
                outcome = self.after_resume.get((*parsed, run.resumes), ("succeeded", 0.5, 10.0))
            else:
                outcome = self.script.get(parsed, ("succeeded", 0.5, 10.0))
            status, a, b = outcome
            run.status = status
            if status == "succeeded":
                run.value, run.duration_s = float(a), float(b)
            else:
                run.error_type, run.error_message, run.duration_s = a or None, b, 1.0
                run.checkpoint = parsed in self.checkpointed
                run.logs.append(f"{status}: {b}")
            run.finished = next(self._ids)
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
                    finished_at=None
                    if not run.finished
                    else datetime.fromtimestamp(run.finished, UTC),
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

    def resume_info(self, run_id: str) -> SimpleNamespace:
        run = self.runs_[run_id]
        if not run.checkpoint:
            raise ResumeError(f"run {run_id} has no checkpoint to resume from")
        return SimpleNamespace(run_id=run_id, step=10)

    def logs(self, run_id: str, *, tail: int = 200, after_seq: int = -1) -> list[SimpleNamespace]:
        lines = [SimpleNamespace(seq=i, message=m) for i, m in enumerate(self.runs_[run_id].logs)]
        assert after_seq >= 0, "counting resumes must read from the start"
        return [line for line in lines if line.seq > after_seq][:tail]

    def resume(self, run_id: str, *, priority: int = 0) -> SimpleNamespace:
        run = self.runs_[run_id]
        if run_id in self.refuse_resume or not run.checkpoint:
            raise ResumeError(f"run {run_id} has no checkpoint to resume from")
        assert run.status not in ("queued", "running", "succeeded"), run.status
        run.status, run.looks, run.resumes = "queued", 0, run.resumes + 1
        run.logs.append(f"{RESUME_LOG_PREFIX}10")
        self.resumed.append(run_id)
        return SimpleNamespace(run_id=run_id, status="queued")

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
