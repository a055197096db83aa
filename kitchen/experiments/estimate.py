"""How long an experiment will take, from the durations of earlier runs of its recipe.

For each planned run the median duration of earlier succeeded runs with the same config (the
seed, experiment and run name aside) is used; without such runs, the median of every earlier
run of the recipe; without any, there is no estimate until the experiment's first run ends.
The total work is divided by the slots the runs can use at once.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kitchen.experiments.plan import PlannedRun
from kitchen.experiments.source import HistoryRun

# Config keys that do not change how long a run takes.
IDENTITY_KEYS = frozenset({"seed", "experiment", "name", "register_as"})


@dataclass(frozen=True)
class Estimate:
    """A time estimate.

    Attributes:
        total_s: Wall time for the runs, or None without history.
        work_s: Summed run time (before dividing by the slots).
        slots: Runs executed at once.
        basis: How it was made, for people.
    """

    total_s: float | None
    work_s: float | None
    slots: int
    basis: str

    def describe(self) -> str:
        """One line such as ``"about 4m 10s (12 runs × ~42s on 2 slots; same config)"``."""
        if self.total_s is None:
            return self.basis
        return f"about {format_duration(self.total_s)} ({self.basis})"


def _comparable(config: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in config.items() if k not in IDENTITY_KEYS}


def _same(resolved: Mapping[str, Any], history: Mapping[str, Any]) -> bool:
    # ``resolved`` is a planned run's full config (defaults filled in): history must match it.
    return _comparable(resolved) == _comparable(history)


def estimate(
    runs: Sequence[PlannedRun],
    history: Sequence[HistoryRun],
    slots: int,
    *,
    resolved: Mapping[tuple[str, int], Mapping[str, Any]] | None = None,
) -> Estimate:
    """Estimate the wall time of ``runs`` on ``slots`` parallel slots.

    Args:
        runs: The runs still to execute.
        history: Earlier succeeded runs of the recipe.
        slots: Runs the engine executes at once (at least 1 is assumed).
        resolved: Each run's full config with the recipe's defaults, keyed by
            ``(condition, seed)``, to match history by config; without it only the recipe
            median is used.
    """
    slots = max(1, slots)
    if not runs:
        return Estimate(0.0, 0.0, slots, "nothing left to run")
    if not history:
        return Estimate(
            None, None, slots, "no history: the estimate will follow the first finished run"
        )
    overall = statistics.median(h.duration_s for h in history)
    work = 0.0
    matched = 0
    for run in runs:
        config = (resolved or {}).get(run.key)
        same = [h.duration_s for h in history if config is not None and _same(config, h.config)]
        if same:
            matched += 1
            work += statistics.median(same)
        else:
            work += overall
    basis = (
        f"{len(runs)} runs, {matched} matched by config, the rest at the recipe's median "
        f"{format_duration(overall)}; {slots} slot{'s' if slots != 1 else ''}"
    )
    return Estimate(work / slots, work, slots, basis)


def from_first_run(remaining: int, duration_s: float, slots: int) -> Estimate:
    """The estimate once the experiment's first run has finished in ``duration_s``."""
    slots = max(1, slots)
    work = remaining * duration_s
    basis = f"{remaining} runs left × {format_duration(duration_s)} (the first run); {slots} slot"
    return Estimate(work / slots, work, slots, basis + ("s" if slots != 1 else ""))


def format_duration(seconds: float) -> str:
    """``"42s"``, ``"4m 10s"``, ``"2h 05m"``."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"
