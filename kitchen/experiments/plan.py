"""Expand a spec into runs (conditions × seeds), name them, and check their configs.

Each run is identified in the store by its experiment and its name ``"{condition}@s{seed}#{n}"``
(``n`` the attempt, from 1): the recipe configs forbid unknown keys, so the name is where the
harness keeps its bookkeeping, and it reads well in every runs table.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kitchen.config import deep_merge
from kitchen.errors import ConfigError

if TYPE_CHECKING:
    from kitchen.experiments.spec import ExperimentSpec

_RUN_NAME = re.compile(r"^(?P<condition>.+)@s(?P<seed>-?\d+)#(?P<attempt>\d+)$")


@dataclass(frozen=True)
class PlannedRun:
    """One condition × seed of an experiment, with the full config values it is submitted with.

    Attributes:
        condition: The condition's name.
        seed: The seed injected into the config.
        config: Values sent to the engine (base ← condition ← grid point, plus seed,
            experiment and a run name for attempt 1; :func:`config_for` renames other attempts).
    """

    condition: str
    seed: int
    config: Mapping[str, Any]

    @property
    def key(self) -> tuple[str, int]:
        """``(condition, seed)``: the slot its attempts fill."""
        return self.condition, self.seed

    def config_for(self, attempt: int) -> dict[str, Any]:
        """The config of attempt ``attempt`` (only the run name differs between attempts)."""
        return {**self.config, "name": run_name(self.condition, self.seed, attempt)}


def run_name(condition: str, seed: int, attempt: int) -> str:
    """The store name of one attempt, e.g. ``"low@s0#1"``."""
    return f"{condition}@s{seed}#{attempt}"


def parse_run_name(name: str) -> tuple[str, int, int] | None:
    """``(condition, seed, attempt)`` of a run name; None for a name the harness did not make."""
    found = _RUN_NAME.match(name)
    if found is None:
        return None
    return found["condition"], int(found["seed"]), int(found["attempt"])


def format_value(value: Any) -> str:
    """A grid value as it appears in a condition name: ``0.0003``, ``16``, ``true``, ``cosine``.

    YAML reads ``3e-4`` as a string; a numeric string is shown as the number it will become.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        if math.isfinite(number):
            return repr(int(number)) if number.is_integer() and "." not in value else repr(number)
        return value
    return str(value)


def _grid_points(grid: Mapping[str, list[Any]]) -> list[tuple[str, dict[str, Any]]]:
    if not grid:
        return []
    keys = list(grid)
    points = []
    for values in itertools.product(*(grid[k] for k in keys)):
        name = ",".join(f"{k}={format_value(v)}" for k, v in zip(keys, values, strict=True))
        points.append((name, dict(zip(keys, values, strict=True))))
    return points


def conditions(spec: ExperimentSpec) -> list[tuple[str, dict[str, Any]]]:
    """Every condition as ``(name, overrides)``, in spec order.

    Named conditions, grid points, or — when a spec has both — each named condition crossed with
    each grid point (``"low,batch_size=16"``). A spec with neither has one condition, ``base``.
    """
    named = [(c.name, c.overrides) for c in spec.conditions]
    points = _grid_points(spec.grid)
    if named and points:
        return [(f"{n},{p}", {**o, **v}) for (n, o), (p, v) in itertools.product(named, points)]
    return named or points or [("base", {})]


def condition_names(spec: ExperimentSpec) -> list[str]:
    """The names of :func:`conditions`."""
    return [name for name, _ in conditions(spec)]


def expand(spec: ExperimentSpec) -> list[PlannedRun]:
    """Every condition × seed, condition-major, each with its full config values."""
    runs = []
    for name, overrides in conditions(spec):
        merged = deep_merge(spec.base, overrides)
        for seed in spec.seeds:
            config = {**merged, "seed": seed, "experiment": spec.name}
            config["name"] = run_name(name, seed, 1)
            runs.append(PlannedRun(name, seed, config))
    return runs


def check_plan(
    spec: ExperimentSpec, planned: list[PlannedRun]
) -> dict[tuple[str, int], dict[str, Any]]:
    """Validate every run's config against the recipe before anything is queued.

    Uses :func:`kitchen.launch.plan`, the validation the engine's submit runs.

    Returns:
        Each run's resolved config (the recipe's defaults filled in), by ``(condition, seed)``.

    Raises:
        RecipeNotFoundError: no such recipe.
        ConfigError: naming each bad condition and its field.
    """
    from kitchen.launch import plan

    problems: dict[str, str] = {}
    resolved: dict[tuple[str, int], dict[str, Any]] = {}
    for run in planned:
        if run.condition in problems:
            continue
        try:
            _, config = plan(spec.recipe, config=run.config)
        except ConfigError as error:
            problems[run.condition] = error.message
            continue
        resolved[run.key] = config.model_dump(mode="json")
    if problems:
        lines = "; ".join(f"condition {c!r}: {m}" for c, m in problems.items())
        raise ConfigError(f"experiment {spec.name!r} ({spec.recipe}): {lines}")
    return resolved
