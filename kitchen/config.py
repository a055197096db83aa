"""Recipe configs: YAML files and ``key=value`` overrides merged over typed defaults.

Every error names the field, what was given and what was expected, and suggests the nearest
known key for a misspelt one.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from kitchen.errors import ConfigError

C = TypeVar("C", bound=BaseModel)


def parse_overrides(items: Sequence[str]) -> dict[str, Any]:
    """Turn ``["a.b=1", "c=x"]`` into a nested dict; values are parsed as YAML scalars."""
    result: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(f"override '{item}' is not of the form key=value")
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            value = raw
        node = result
        parts = key.split(".")
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(f"override '{item}': '{part}' is set to a value, not a section")
            node = child
        node[parts[-1]] = value
    return result


def load_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML config file into a dict."""
    if not path.exists():
        raise ConfigError(f"config file {path} does not exist")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ConfigError(f"config file {path} is not valid YAML: {error}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping of keys to values")
    return data


def deep_merge(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``update`` over ``base``; nested mappings merge, other values replace."""
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def build_config(
    config_type: type[C],
    *,
    file: Path | None = None,
    overrides: Sequence[str] = (),
    base: Mapping[str, Any] | None = None,
) -> C:
    """Validate defaults ← ``base`` ← file ← overrides into a frozen ``config_type``.

    Raises:
        ConfigError: unknown key (with a suggestion), wrong type or out-of-range value.
    """
    data: dict[str, Any] = dict(base or {})
    if file is not None:
        data = deep_merge(data, load_yaml(file))
    data = deep_merge(data, parse_overrides(overrides))
    _check_keys(config_type, data, source=str(file) if file else "overrides")
    try:
        return config_type.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_describe(error, config_type)) from None


def field_errors(
    config_type: type[BaseModel],
    *,
    base: Mapping[str, Any] | None = None,
    overrides: Sequence[str] = (),
) -> list[tuple[str, str]]:
    """Every problem of a config at once, as ``(field, message)``, for forms that mark fields.

    :func:`build_config` stops at the first unknown key; a form wants them all.
    """
    try:
        data = deep_merge(dict(base or {}), parse_overrides(overrides))
    except ConfigError as error:
        return [("(overrides)", error.message)]
    problems: list[tuple[str, str]] = []
    known = list(config_type.model_fields)
    for key in data:
        if key not in config_type.model_fields:
            hint = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            problems.append(
                (key, f"unknown key; did you mean '{hint[0]}'?" if hint else "unknown key")
            )
    clean = {k: v for k, v in data.items() if k in config_type.model_fields}
    try:
        config_type.model_validate(clean)
    except ValidationError as error:
        for item in error.errors():
            field = ".".join(str(p) for p in item["loc"]) or "(config)"
            info = config_type.model_fields.get(str(item["loc"][0])) if item["loc"] else None
            expected = f" (expected {type_label(info.annotation)})" if info else ""
            problems.append((field, f"{item['msg']}{expected}; got {item.get('input')!r}"))
    return problems


def config_hash(config: BaseModel) -> str:
    """A stable hash of a config's values (for grouping equivalent runs)."""
    payload = json.dumps(config.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _check_keys(config_type: type[BaseModel], data: Mapping[str, Any], source: str) -> None:
    known = list(config_type.model_fields)
    for key in data:
        if key not in config_type.model_fields:
            hint = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            if hint:
                raise ConfigError(
                    f"unknown config key '{key}' (from {source}); did you mean '{hint[0]}'?"
                )
            raise ConfigError(
                f"unknown config key '{key}' (from {source}). Known keys: {', '.join(known)}"
            )


def _describe(error: ValidationError, config_type: type[BaseModel]) -> str:
    lines = []
    for item in error.errors():
        field = ".".join(str(p) for p in item["loc"]) or "(config)"
        given = item.get("input")
        info = config_type.model_fields.get(str(item["loc"][0])) if item["loc"] else None
        expected = f" (expected {type_label(info.annotation)})" if info else ""
        lines.append(f"{field}: {item['msg']}{expected}; got {given!r}")
    return "; ".join(lines)


def type_label(annotation: Any) -> str:
    """A short, readable name for a config field's type: ``int``, ``a|b|c`` for a Literal."""
    if annotation is None:
        return "None"
    if get_origin(annotation) is Literal:
        return "|".join(str(a) for a in get_args(annotation))
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "")
