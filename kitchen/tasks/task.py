"""The :class:`Task`: a dataset, a solver chain, scorers and generation settings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from kitchen.errors import ConfigError
from kitchen.scorers import Scorer
from kitchen.tasks._types import GenerateConfig, Sample
from kitchen.tasks.solvers import Solver, generate

__all__ = ["Task", "scorer_name"]

_PASS_AT = re.compile(r"pass@(k|[1-9]\d*)")
_METRICS = ("accuracy", "stderr")


def _default_solver() -> tuple[Solver, ...]:
    return (generate(),)


@dataclass(frozen=True, kw_only=True)
class Task:
    """What to evaluate and how.

    Attributes:
        name: The task's name (``gsm8k``, a file's name for a custom task).
        dataset: The samples; ids must be unique.
        solver: Steps run in order on each batch (default: just :func:`generate`).
        scorer: The primary scorer, or a tuple whose first is primary and the rest secondary.
        config: Generation settings, unless a solver overrides them.
        epochs: Times each sample is run (for pass@k, or for variance at temperature > 0).
        description: One line for people.
        source: Where the data came from (a hub id and split, or a shipped file), so results
            are never mislabelled.
        metrics: ``accuracy``, ``stderr`` and, for code tasks, ``pass@k`` (every k up to the
            epochs) or ``pass@<k>`` for one k.
    """

    name: str
    dataset: Sequence[Sample]
    scorer: Scorer | tuple[Scorer, ...]
    solver: Solver | tuple[Solver, ...] = field(default_factory=_default_solver)
    config: GenerateConfig = field(default_factory=GenerateConfig)
    epochs: int = 1
    description: str = ""
    source: str = ""
    metrics: tuple[str, ...] = _METRICS

    def __post_init__(self) -> None:
        if not isinstance(self.solver, tuple):
            object.__setattr__(self, "solver", (self.solver,))
        if not isinstance(self.scorer, tuple):
            object.__setattr__(self, "scorer", (self.scorer,))
        if not self.scorers:
            raise ConfigError(f"task {self.name!r}: needs at least one scorer")
        if self.epochs < 1:
            raise ConfigError(f"task {self.name!r}: epochs must be >= 1, got {self.epochs}")
        for metric in self.metrics:
            if metric not in _METRICS and not _PASS_AT.fullmatch(metric):
                raise ConfigError(
                    f"task {self.name!r}: unknown metric {metric!r}; use accuracy, stderr, "
                    "pass@k or pass@<k>"
                )
        seen: set[str] = set()
        for sample in self.dataset:
            if sample.id in seen:
                raise ConfigError(f"task {self.name!r}: sample id {sample.id!r} is repeated")
            seen.add(sample.id)

    @property
    def solvers(self) -> tuple[Solver, ...]:
        """The solver chain as a tuple."""
        return self.solver if isinstance(self.solver, tuple) else (self.solver,)

    @property
    def scorers(self) -> tuple[Scorer, ...]:
        """The scorers as a tuple, primary first."""
        return self.scorer if isinstance(self.scorer, tuple) else (self.scorer,)

    def pass_at(self, epochs: int) -> list[int]:
        """The k of the pass@k metrics to report for a run of ``epochs``."""
        ks: set[int] = set()
        for metric in self.metrics:
            found = _PASS_AT.fullmatch(metric)
            if found is None:
                continue
            if found.group(1) == "k":
                ks.update(range(1, epochs + 1))
            elif int(found.group(1)) <= epochs:
                ks.add(int(found.group(1)))
        return sorted(ks)


def scorer_name(scorer: object) -> str:
    """A scorer's name: its ``name`` attribute, else its class (or function) name in
    snake_case (``ExactMatch`` → ``exact_match``)."""
    name = getattr(scorer, "name", None)
    if isinstance(name, str) and name:
        return name
    raw = getattr(scorer, "__name__", None) or type(scorer).__name__
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(raw)).lower()
