"""The experiment spec: what to run (recipe, conditions × seeds) and how to judge it.

A spec is a YAML file validated with pydantic; every error names the file and the field
(``lr-sweep.yaml: grid.learning_rate: expected a list``) so a typo is fixed in one go.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kitchen.errors import ConfigError

# An experiment's name is also a file name (its spec record) and a store key.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# Keys the harness sets on every run itself: a spec may not set them.
RESERVED_KEYS = ("seed", "experiment", "name")

Correction = Literal["bonferroni", "holm", "bh"]


class Condition(BaseModel):
    """A named condition: recipe config values that differ from ``base``."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str = Field(description="condition name, unique in the experiment")

    @property
    def overrides(self) -> dict[str, Any]:
        """The condition's config values (everything but ``name``)."""
        return dict(self.model_extra or {})


class ExperimentSpec(BaseModel):
    """A batch experiment: conditions × seeds of one recipe, and the comparison to make.

    Attributes mirror the YAML keys; see ``docs/experiments.md``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="experiment name; its runs are created in this experiment")
    recipe: str = Field(description="the recipe every run uses")
    description: str = ""
    base: dict[str, Any] = Field(default_factory=dict, description="values common to all runs")
    conditions: list[Condition] = Field(default_factory=list)
    grid: dict[str, list[Any]] = Field(
        default_factory=dict, description="cartesian product of values (crossed with conditions)"
    )
    seeds: list[int] = Field(default_factory=lambda: [0], min_length=1)
    metric: str = Field("eval/exact_match", description="metric compared (final value per run)")
    goal: Literal["max", "min"] = "max"
    baseline: str | None = Field(None, description="compare every condition with this one")
    correction: Correction = "holm"
    alpha: float = Field(0.05, gt=0, lt=1)
    retries: int = Field(2, ge=0, le=20, description="extra attempts per run")
    backoff_s: float = Field(5.0, ge=0, description="first retry delay; doubles each attempt")
    max_backoff_s: float = Field(300.0, ge=0, description="cap of the retry delay")
    max_parallel: int = Field(0, ge=0, description="runs queued at once (0: the engine decides)")
    priority: int = 0

    @field_validator("name")
    @classmethod
    def _name_is_a_key(cls, value: str) -> str:
        if not NAME_PATTERN.match(value):
            raise ValueError(
                "use letters, digits, '.', '_' or '-' (starting with a letter or digit), "
                f"at most 100 characters; got {value!r}"
            )
        return value

    @field_validator("seeds")
    @classmethod
    def _seeds_unique(cls, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise ValueError(f"seeds repeat: {value}")
        return value

    @field_validator("grid")
    @classmethod
    def _grid_non_empty(cls, value: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for key, values in value.items():
            if not values:
                raise ValueError(f"{key}: expected at least one value")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ExperimentSpec:
        names = [c.name for c in self.conditions]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"conditions: repeated names {repeated}")
        for where, keys in (
            ("base", list(self.base)),
            ("grid", list(self.grid)),
            *((f"conditions[{c.name}]", list(c.overrides)) for c in self.conditions),
        ):
            reserved = [k for k in keys if k in RESERVED_KEYS]
            if reserved:
                raise ValueError(
                    f"{where}: {', '.join(reserved)} is set by the experiment "
                    "(seeds → seed, name → experiment, run names are derived)"
                )
        for cond in self.conditions:
            clash = sorted(set(cond.overrides) & set(self.grid))
            if clash:
                raise ValueError(f"conditions[{cond.name}]: {clash} also varies in grid")
        if self.baseline is not None:
            from kitchen.experiments.plan import condition_names

            known = condition_names(self)
            if self.baseline not in known:
                raise ValueError(f"baseline: no condition named {self.baseline!r}; known: {known}")
        return self

    @property
    def correction_method(self) -> Literal["bonferroni", "holm", "benjamini-hochberg"]:
        """The name :func:`kitchen.stats.correct` uses for ``correction``."""
        return "benjamini-hochberg" if self.correction == "bh" else self.correction


def _where(loc: tuple[int | str, ...], data: Any) -> str:
    # Name list items by their condition name where there is one: conditions[low].name.
    parts: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, int):
            label = str(part)
            if isinstance(node, list) and 0 <= part < len(node):
                item = node[part]
                if isinstance(item, dict) and isinstance(item.get("name"), str):
                    label = item["name"]
                node = item
            else:
                node = None
            parts[-1:] = [f"{parts[-1]}[{label}]"] if parts else [f"[{label}]"]
            continue
        parts.append(str(part))
        node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts) or "(spec)"


_MESSAGES = {
    "list_type": "expected a list",
    "dict_type": "expected a mapping",
    "int_parsing": "expected a whole number",
    "missing": "required",
    "extra_forbidden": "unknown key",
}


def parse_spec(data: Any, *, source: str = "spec") -> ExperimentSpec:
    """Validate a spec's content (a YAML file's mapping).

    Raises:
        ConfigError: naming ``source`` and the field, e.g. ``grid.learning_rate: expected a list``.
    """
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: an experiment spec must be a mapping of keys to values")
    try:
        return ExperimentSpec.model_validate(data)
    except ValidationError as error:
        lines = []
        for item in error.errors():
            where = _where(tuple(item["loc"]), data)
            message = _MESSAGES.get(item["type"], item["msg"].removeprefix("Value error, "))
            if item["type"] == "extra_forbidden":
                message = _unknown_key_hint(str(item["loc"][-1]))
            got = "" if item["type"] in ("missing", "extra_forbidden") else _got(item)
            lines.append(f"{message}{got}" if where == "(spec)" else f"{where}: {message}{got}")
        raise ConfigError(f"{source}: " + "; ".join(lines)) from None


def _got(item: Any) -> str:
    value = item.get("input")
    if isinstance(value, dict | ExperimentSpec) or item["type"] == "value_error":
        return ""
    return f" (got {value!r})"


def _unknown_key_hint(key: str) -> str:
    import difflib

    hint = difflib.get_close_matches(key, list(ExperimentSpec.model_fields), n=1, cutoff=0.6)
    return f"unknown key; did you mean '{hint[0]}'?" if hint else "unknown key"


def load_spec(path: Path) -> ExperimentSpec:
    """Read and validate a spec file.

    Raises:
        ConfigError: the file is missing, not YAML, or a field is wrong (named with the file).
    """
    if not path.is_file():
        raise ConfigError(f"experiment file {path} does not exist")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    return parse_spec(data, source=str(path))
