"""What the event stream tells the TUI, kept in bounded memory.

:class:`LiveState` folds :mod:`kitchen.events` objects into one :class:`RunLive` per run:
status, progress, the latest metrics, bounded curves, stage states and a log tail. Every buffer
has a cap (curves are halved when full, logs are a ring, old finished runs are forgotten), so
an hour of streaming holds as much memory as a minute.
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass, field

from kitchen import events as ev

CURVE_CAP = 2000
"""Points a live curve keeps before it is halved (every other point dropped, the last kept)."""

LOG_CAP = 500
"""Log lines kept per run."""

RUN_CAP = 64
"""Runs tracked at once; the least recently updated finished ones are forgotten first."""

_INDEX = re.compile(r"\[\d+\]")


def stage_key(path: str) -> str:
    """A stage path without its loop indices: ``epochs[2]/evaluate`` -> ``epochs/evaluate``."""
    return _INDEX.sub("", path)


@dataclass
class Curve:
    """One metric of one run: steps and values, halved whenever it reaches ``cap`` points."""

    steps: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    cap: int = CURVE_CAP

    def add(self, step: int, value: float) -> None:
        """Append a point (a step at or before the last one replaces nothing; it is skipped)."""
        if self.steps and step <= self.steps[-1]:
            if step == self.steps[-1]:
                self.values[-1] = value
            return
        self.steps.append(step)
        self.values.append(value)
        if len(self.steps) >= self.cap:
            last_step, last_value = self.steps[-1], self.values[-1]
            self.steps = [*self.steps[:-1:2], last_step]
            self.values = [*self.values[:-1:2], last_value]

    def merge(self, steps: list[int], values: list[float]) -> None:
        """Put fetched history before the live points that came after it."""
        last = steps[-1] if steps else None
        newer = [
            (s, v) for s, v in zip(self.steps, self.values, strict=True) if last is None or s > last
        ]
        self.steps, self.values = list(steps), list(values)
        for s, v in newer:
            self.add(s, v)
        while len(self.steps) > self.cap:
            self.steps, self.values = self.steps[::2], self.values[::2]


@dataclass
class StageState:
    """How one node of the stage tree is doing in one run."""

    state: str = "pending"
    """``pending``, ``running``, ``done`` or ``failed``."""
    finished: int = 0
    seconds: float = 0.0
    path: str = ""
    error: str = ""

    def started(self, path: str) -> None:
        """The stage began (again) at ``path``."""
        self.state, self.path = "running", path

    def ended(self, path: str, seconds: float) -> None:
        """The stage finished after ``seconds``."""
        self.state, self.path = "done", path
        self.finished += 1
        self.seconds += seconds

    def failed(self, path: str, error: str) -> None:
        """The stage raised ``error``."""
        self.state, self.path, self.error = "failed", path, error


@dataclass(frozen=True, slots=True)
class LogLine:
    """One log line of a run."""

    time: float
    level: str
    stage: str
    message: str


@dataclass
class RunLive:
    """Everything live about one run."""

    run_id: str
    status: str | None = None
    done: int = 0
    total: int = 0
    step: int = 0
    metrics: dict[str, float] = field(default_factory=dict)
    curves: dict[str, Curve] = field(default_factory=dict)
    stages: dict[str, StageState] = field(default_factory=dict)
    logs: deque[LogLine] = field(default_factory=lambda: deque(maxlen=LOG_CAP))
    log_total: int = 0
    """Log lines ever added (a view remembers how many it has shown)."""
    updated: float = field(default_factory=time.monotonic)

    def stage(self, key: str) -> StageState:
        """The state of the tree node ``key`` (created pending)."""
        state = self.stages.get(key)
        if state is None:
            state = self.stages[key] = StageState()
        return state

    def add_log(self, line: LogLine) -> None:
        """Append a log line to the tail."""
        self.logs.append(line)
        self.log_total += 1

    def curve(self, key: str) -> Curve:
        """The live curve of metric ``key`` (created empty)."""
        curve = self.curves.get(key)
        if curve is None:
            curve = self.curves[key] = Curve()
        return curve


class LiveState:
    """The live view of every run the stream has mentioned."""

    def __init__(self, run_cap: int = RUN_CAP) -> None:
        self.runs: dict[str, RunLive] = {}
        self.run_cap = run_cap
        self.events = 0

    def run(self, run_id: str) -> RunLive:
        """The live record of ``run_id`` (created when new, evicting an old one if full)."""
        live = self.runs.get(run_id)
        if live is None:
            if len(self.runs) >= self.run_cap:
                self._evict()
            live = self.runs[run_id] = RunLive(run_id)
        return live

    def _evict(self) -> None:
        over = sorted(
            self.runs.values(),
            key=lambda r: (r.status in ("queued", "running", "paused", None), r.updated),
        )
        del self.runs[over[0].run_id]

    def apply(self, event: ev.Event) -> str:
        """Fold one event in; returns the id of the run it changed."""
        self.events += 1
        live = self.run(event.run_id)
        live.updated = time.monotonic()
        match event:
            case ev.Metrics(step=step, values=values):
                live.step = max(live.step, step)
                for key, value in values.items():
                    live.metrics[key] = value
                    live.curve(key).add(step, value)
            case ev.Progress(done=done, total=total):
                live.done, live.total = done, total
            case ev.StageStarted(path=path):
                live.stage(stage_key(path)).started(path)
            case ev.StageFinished(path=path, duration_s=seconds):
                live.stage(stage_key(path)).ended(path, seconds)
            case ev.StageFailed(path=path, error_type=kind, message=message):
                live.stage(stage_key(path)).failed(path, f"{kind}: {message}")
            case ev.Log(level=level, message=message, stage=stage, wall_time=wall):
                live.add_log(LogLine(wall, level, stage, message))
            case ev.RunStarted():
                live.status = "running"
            case ev.RunFinished(status=status, last_step=step):
                live.status = status
                live.step = max(live.step, step)
        return event.run_id
