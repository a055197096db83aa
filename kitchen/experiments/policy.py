"""Where each condition × seed stands, from its attempts: the retry and dead-letter rules.

A pure function of the attempts found in the store and the spec, so a live ``run``, a later
``resume`` and ``status`` always agree. Rules:

- an attempt succeeded → done (the latest success is the one analysed);
- the latest attempt is queued or running → active; paused → left to the user;
- the latest failed with an error a retry cannot fix (a bad config, a missing dataset) →
  dead-lettered at once; a cancelled one too (a person stopped it on purpose);
- the latest was interrupted (its engine or worker process died) and has a checkpoint →
  resumed from that checkpoint, as the same run, rather than started again;
- otherwise retried while attempts ≤ ``retries``, then dead-lettered. A resume counts as an
  attempt here: a run that keeps dying uses up the same budget as one that keeps failing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from kitchen.experiments.records import ExperimentRun

# Errors a second attempt would meet again.
PERMANENT_ERRORS = frozenset({"ConfigError", "RecipeNotFoundError", "DataError", "WorkflowError"})
ACTIVE = frozenset({"queued", "running"})
# Errors of a run whose process died under it: it can go on from its last checkpoint.
INTERRUPTIONS = frozenset({"WorkerDied"})

SlotState = Literal["pending", "active", "paused", "succeeded", "retry", "resume", "dead"]


@dataclass(frozen=True)
class Slot:
    """One condition × seed and its attempts, oldest first.

    Attributes:
        condition: The condition's name.
        seed: The seed.
        attempts: Every attempt found, by attempt number.
        state: ``pending`` (never submitted), ``active``, ``paused``, ``succeeded``, ``retry``
            (failed, attempts remain), ``resume`` (interrupted with a checkpoint, attempts
            remain: the latest run goes on) or ``dead`` (dead-lettered).
        reason: Why it is dead-lettered (or why it waits), for people.
    """

    condition: str
    seed: int
    attempts: tuple[ExperimentRun, ...]
    state: SlotState
    reason: str = ""

    @property
    def next_attempt(self) -> int:
        """The number the next submission gets."""
        return max((a.attempt for a in self.attempts), default=0) + 1

    @property
    def failures(self) -> int:
        """Tries that ended without success: failed attempts, and runs that were resumed."""
        ended = sum(1 for a in self.attempts if a.status not in (*ACTIVE, "succeeded", "paused"))
        return ended + sum(a.resumes for a in self.attempts)

    @property
    def latest(self) -> ExperimentRun | None:
        """The newest attempt."""
        return self.attempts[-1] if self.attempts else None


def slot_state(attempts: Sequence[ExperimentRun], retries: int) -> tuple[SlotState, str]:
    """The state of a condition × seed with these attempts (oldest first) and its reason."""
    if not attempts:
        return "pending", ""
    if any(a.status == "succeeded" for a in attempts):
        return "succeeded", ""
    latest = attempts[-1]
    if latest.status in ACTIVE:
        return "active", ""
    if latest.status == "paused":
        return "paused", f"run {latest.run_id} is paused; `kitchen resume {latest.run_id}`"
    if latest.status == "cancelled":
        return "dead", "cancelled by a user (not retried)"
    if latest.error_type in PERMANENT_ERRORS:
        return "dead", f"{latest.error_type}: a retry would fail the same way"
    tries = len(attempts) + sum(a.resumes for a in attempts)
    if tries > retries:
        return "dead", f"failed {tries} times (retries: {retries})"
    if latest.resumable and interrupted(latest.status, latest.error_type):
        return "resume", f"run {latest.run_id} was interrupted; it goes on from its checkpoint"
    return "retry", ""


def interrupted(status: str, error_type: str | None) -> bool:
    """Whether a run that ended so had its process die under it (rather than failing)."""
    return status == "interrupted" or (status == "failed" and error_type in INTERRUPTIONS)


def slots(
    keys: Sequence[tuple[str, int]], runs: Sequence[ExperimentRun], retries: int
) -> list[Slot]:
    """A slot for each planned ``(condition, seed)``, in plan order, from the runs found.

    Runs of conditions or seeds no longer in the spec are ignored.
    """
    by_key: dict[tuple[str, int], list[ExperimentRun]] = {key: [] for key in keys}
    for run in runs:
        bucket = by_key.get((run.condition, run.seed))
        if bucket is not None:
            bucket.append(run)
    out = []
    for key, found in by_key.items():
        found.sort(key=lambda r: r.attempt)
        state, reason = slot_state(found, retries)
        out.append(Slot(key[0], key[1], tuple(found), state, reason))
    return out


def backoff_delay(failures: int, base_s: float, cap_s: float) -> float:
    """Seconds before retry number ``failures``: ``base · 2^(failures−1)``, capped at ``cap``."""
    if failures <= 0:
        return 0.0
    return float(min(cap_s, base_s * 2 ** (failures - 1)))
