"""Drive an experiment through the engine's queue: submit, follow, retry, dead-letter.

The runner never runs anything itself; it submits runs to the engine and polls the store (through
the engine) for their statuses. Each round it reads every attempt of the experiment, works out
each condition × seed's state with :mod:`kitchen.experiments.policy`, and submits what is due:
runs never submitted, and retries whose backoff has passed. Because the state comes from the
store, running the same experiment again resumes it. The clock and sleep are injected so tests
drive the retry timing without waiting.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from kitchen.errors import ConfigError, DataError, KitchenError, RecipeNotFoundError
from kitchen.experiments.estimate import Estimate, from_first_run
from kitchen.experiments.plan import PlannedRun
from kitchen.experiments.policy import Slot, backoff_delay, slots
from kitchen.experiments.records import ExperimentRun
from kitchen.experiments.source import ExperimentSource, metric_keys
from kitchen.experiments.spec import ExperimentSpec

# A submission the engine refuses for one of these is dead-lettered, never retried.
_REFUSED = (ConfigError, RecipeNotFoundError, DataError)


class Submitter(Protocol):
    """What the runner needs of the engine client to queue runs."""

    def submit(
        self,
        recipe: str,
        overrides: Sequence[str] = (),
        *,
        config: dict[str, Any] | None = None,
        priority: int = 0,
        workdir: str | None = None,
    ) -> Any: ...

    def resume(self, run_id: str, *, priority: int = 0) -> Any: ...


@dataclass(frozen=True)
class Submitted:
    """A run was queued."""

    condition: str
    seed: int
    attempt: int
    run_id: str


@dataclass(frozen=True)
class Resumed:
    """An interrupted run was queued again, to go on from its last checkpoint."""

    condition: str
    seed: int
    attempt: int
    run_id: str


@dataclass(frozen=True)
class Finished:
    """A run of the experiment ended (while it was being followed)."""

    run: ExperimentRun


@dataclass(frozen=True)
class RetryScheduled:
    """A failed condition × seed will be submitted again after ``delay_s`` (or, when
    ``resume_run`` is set, that interrupted run will go on from its checkpoint)."""

    condition: str
    seed: int
    attempt: int
    delay_s: float
    error: str | None
    resume_run: str | None = None
    resume_refused: str | None = None


@dataclass(frozen=True)
class DeadLettered:
    """A condition × seed gave up: every attempt failed, or a retry cannot help."""

    condition: str
    seed: int
    reason: str
    attempts: tuple[ExperimentRun, ...]


@dataclass(frozen=True)
class EstimateUpdated:
    """A new time estimate (after the first run finished, when there was no history)."""

    estimate: Estimate


RunnerEvent = Submitted | Resumed | Finished | RetryScheduled | DeadLettered | EstimateUpdated


@dataclass
class RunnerResult:
    """Where the experiment stands when the runner returns.

    Attributes:
        slots: Each condition × seed with its attempts and state.
        refused: ``(condition, seed) -> message`` for submissions the engine refused.
        finished: Whether every condition × seed reached an end (succeeded, dead, paused).
    """

    slots: list[Slot]
    refused: dict[tuple[str, int], str] = field(default_factory=dict)
    finished: bool = False

    def count(self, state: str) -> int:
        """How many condition × seeds are in ``state``."""
        return sum(1 for s in self.slots if s.state == state)

    @property
    def dead(self) -> list[Slot]:
        """The dead-lettered condition × seeds."""
        return [s for s in self.slots if s.state == "dead"]


class ExperimentRunner:
    """Runs an experiment's planned runs on an engine until each succeeded or gave up.

    Args:
        spec: The experiment.
        planned: Its runs (:func:`kitchen.experiments.plan.expand`).
        source: Reads the experiment's runs (through the engine).
        submitter: Queues runs (the engine client).
        workdir: Folder relative paths in the configs are relative to.
        on_event: Called with each :data:`RunnerEvent`.
        clock: Monotonic seconds.
        sleep: Waits that many seconds.
        poll_s: Seconds between two looks at the runs.
        slots: Engine slots, to update the estimate after the first run.
        need_estimate: Whether to announce an estimate when the first run finishes.
    """

    def __init__(
        self,
        spec: ExperimentSpec,
        planned: Sequence[PlannedRun],
        source: ExperimentSource,
        submitter: Submitter,
        *,
        workdir: str | None = None,
        on_event: Callable[[RunnerEvent], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        poll_s: float = 1.0,
        slots: int = 1,
        need_estimate: bool = False,
    ) -> None:
        self.spec = spec
        self.planned = {p.key: p for p in planned}
        self.source = source
        self.submitter = submitter
        self.workdir = workdir
        self.emit = on_event or (lambda event: None)
        self.clock = clock
        self.sleep = sleep
        self.poll_s = poll_s
        self.slots = slots
        self.need_estimate = need_estimate
        self._seen: dict[str, str] | None = None  # run id -> status at the last look
        self._due: dict[tuple[str, int], float] = {}  # retry time per condition × seed
        self._sent: dict[tuple[str, int], int] = {}  # highest attempt submitted here
        self._refused: dict[tuple[str, int], str] = {}
        self._announced_dead: set[tuple[str, int]] = set()
        self._resumed: set[tuple[str, int]] = set()  # (run id, its resumes) asked to go on
        self._no_resume: dict[str, str] = {}  # run id -> why the engine would not resume it

    def look(self) -> list[Slot]:
        """Read the runs and report what changed since the last look."""
        runs = self.source.experiment_runs(self.spec.name, metric_keys(self.spec))
        current = [
            self._without_resume(slot)
            for slot in slots(list(self.planned), runs, self.spec.retries)
        ]
        first = self._seen is None
        seen = self._seen or {}
        now = self.clock()
        for run in runs:
            before = seen.get(run.run_id)
            if not first and before != run.status and run.status not in ("queued", "running"):
                self.emit(Finished(run))
                if self.need_estimate and run.status == "succeeded" and run.duration_s:
                    self.need_estimate = False
                    left = sum(1 for s in current if s.state not in ("succeeded", "dead"))
                    self.emit(EstimateUpdated(from_first_run(left, run.duration_s, self.slots)))
        for slot in current:
            key = (slot.condition, slot.seed)
            if slot.state in ("retry", "resume") and key not in self._due:
                # Found failed when the runner started (a resume): retry at once.
                delay = 0.0 if first else self._delay(slot)
                self._due[key] = now + delay
                latest = slot.latest
                resumed = latest if slot.state == "resume" else None
                self.emit(
                    RetryScheduled(
                        slot.condition,
                        slot.seed,
                        resumed.attempt if resumed else slot.next_attempt,
                        delay,
                        latest.error if latest else None,
                        resumed.run_id if resumed else None,
                        self._no_resume.get(latest.run_id) if latest else None,
                    )
                )
            elif slot.state == "dead" and key not in self._announced_dead:
                self._announced_dead.add(key)
                if not first:
                    self.emit(DeadLettered(slot.condition, slot.seed, slot.reason, slot.attempts))
        self._seen = {run.run_id: run.status for run in runs}
        return current

    def _delay(self, slot: Slot) -> float:
        return backoff_delay(slot.failures, self.spec.backoff_s, self.spec.max_backoff_s)

    def submit_due(self, current: list[Slot]) -> int:
        """Submit the runs that are due and fit under ``max_parallel``; returns how many."""
        now = self.clock()
        active = sum(1 for s in current if s.state == "active")
        active += sum(
            1
            for s in current
            if s.state in ("pending", "retry")
            and self._sent.get((s.condition, s.seed), 0) >= s.next_attempt
        )
        limit = self.spec.max_parallel or len(current)
        submitted = 0
        for slot in current:
            key = (slot.condition, slot.seed)
            if slot.state not in ("pending", "retry", "resume") or key in self._refused:
                continue
            if slot.state == "resume":
                if self._due.get(key, now) > now or active >= limit:
                    continue
                if self._resume(slot):
                    active += 1
                    submitted += 1
                continue
            attempt = slot.next_attempt
            if self._sent.get(key, 0) >= attempt:
                continue  # submitted already; the store will show it at the next look
            if slot.state == "retry" and self._due.get(key, now) > now:
                continue
            if active >= limit:
                break
            planned = self.planned[key]
            try:
                out = self.submitter.submit(
                    self.spec.recipe,
                    (),
                    config=planned.config_for(attempt),
                    priority=self.spec.priority,
                    workdir=self.workdir,
                )
            except _REFUSED as error:
                self._refused[key] = f"{type(error).__name__}: {error.message}"
                self.emit(DeadLettered(slot.condition, slot.seed, self._refused[key], ()))
                continue
            self._sent[key] = attempt
            self._due.pop(key, None)
            active += 1
            submitted += 1
            self.emit(Submitted(slot.condition, slot.seed, attempt, str(out.run_id)))
        return submitted

    def _without_resume(self, slot: Slot) -> Slot:
        """A slot to resume whose run the engine would not resume is retried afresh instead."""
        latest = slot.latest
        if slot.state == "resume" and latest is not None and latest.run_id in self._no_resume:
            return dataclasses.replace(slot, state="retry", reason="")
        return slot

    def _resume(self, slot: Slot) -> bool:
        """Queue the slot's interrupted run again from its checkpoint; whether it was queued.

        A resume the engine refuses (the checkpoint went missing, the run changed state) falls
        back to a fresh attempt at the next look.
        """
        latest = slot.latest
        assert latest is not None
        key = (slot.condition, slot.seed)
        ask = (latest.run_id, latest.resumes)
        self._due.pop(key, None)  # scheduled afresh at the next look if this does not go on
        if ask in self._resumed:
            # Asked already, and it ended again without logging that it went on (its worker
            # died before reaching the checkpoint): start it afresh rather than ask forever.
            self._no_resume[latest.run_id] = (
                f"{latest.run_id} ended again before going on from its checkpoint"
            )
            return False
        self._resumed.add(ask)
        try:
            self.submitter.resume(latest.run_id, priority=self.spec.priority)
        except KitchenError as error:
            self._no_resume[latest.run_id] = f"cannot resume {latest.run_id}: {error.message}"
            return False
        self.emit(Resumed(slot.condition, slot.seed, latest.attempt, latest.run_id))
        return True

    def _finished(self, current: list[Slot]) -> bool:
        return all(
            s.state in ("succeeded", "dead", "paused") or (s.condition, s.seed) in self._refused
            for s in current
        )

    def run(self, *, follow: bool = True) -> RunnerResult:
        """Submit what is due, then (when ``follow``) keep going until every run has ended.

        A ``KeyboardInterrupt`` stops following and propagates; queued runs stay queued.
        """
        current = self.look()
        self.submit_due(current)
        if not follow:
            current = self.look()
            return self._result(current)
        while True:
            current = self.look()
            if self._finished(current):
                return self._result(current)
            self.submit_due(current)
            self.sleep(self._wait(current))

    def _wait(self, current: list[Slot]) -> float:
        now = self.clock()
        waits = [
            due - now
            for key, due in self._due.items()
            if any((s.condition, s.seed) == key and s.state in ("retry", "resume") for s in current)
        ]
        return max(0.0, min([self.poll_s, *waits]))

    def _result(self, current: list[Slot]) -> RunnerResult:
        return RunnerResult(current, dict(self._refused), self._finished(current))
