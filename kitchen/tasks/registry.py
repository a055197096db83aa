"""The task registry: built-in tasks by name, and custom tasks from data files.

``get_task("gsm8k", fewshot=5)`` builds a registered task with options;
``get_task("jsonl:my.jsonl", fields={...})`` (or any path ending .jsonl, .json, .csv or
.parquet) builds one from a file (see :mod:`kitchen.tasks.custom`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from kitchen.errors import ConfigError, NotFoundError
from kitchen.tasks.task import Task

__all__ = ["TaskInfo", "describe_task", "get_task", "register_task", "task_names"]

TaskFactory = Callable[..., Task]
F = TypeVar("F", bound=TaskFactory)


@dataclass(frozen=True, slots=True)
class _Entry:
    factory: TaskFactory
    source: str


@dataclass(frozen=True, slots=True)
class TaskInfo:
    """What :func:`describe_task` tells about a task.

    Attributes:
        name: The registered name.
        description: The factory's docstring summary.
        options: Option names and their defaults.
        source: Where its data comes from.
    """

    name: str
    description: str
    options: Mapping[str, Any]
    source: str


_REGISTRY: dict[str, _Entry] = {}


def register_task(name: str, *, source: str = "") -> Callable[[F], F]:
    """Register a task factory (keyword options with defaults → :class:`Task`) as ``name``.

    Args:
        name: The name ``get_task`` takes.
        source: Where the task's data comes from, for :func:`describe_task`.
    """

    def add(factory: F) -> F:
        if name in _REGISTRY:
            raise ValueError(f"a task named {name!r} is already registered")
        _REGISTRY[name] = _Entry(factory, source)
        return factory

    return add


def _load_builtin() -> None:
    # Built-in tasks register on import; importing here keeps the registry complete.
    from kitchen.tasks import builtin  # noqa: F401


def task_names() -> list[str]:
    """The registered task names, sorted."""
    _load_builtin()
    return sorted(_REGISTRY)


def _entry(name: str) -> _Entry:
    _load_builtin()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise NotFoundError(
            f"no task named {name!r}; known tasks: {', '.join(sorted(_REGISTRY))}, or a data "
            "file as jsonl:PATH, csv:PATH or a path ending .jsonl, .json, .csv or .parquet",
            title="Unknown task",
        ) from None


def _options(factory: TaskFactory) -> dict[str, Any]:
    params = inspect.signature(factory).parameters.values()
    return {
        p.name: (None if p.default is inspect.Parameter.empty else p.default)
        for p in params
        if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
    }


def describe_task(name: str) -> TaskInfo:
    """The description, options (with defaults) and data source of a registered task."""
    entry = _entry(name)
    doc = inspect.getdoc(entry.factory) or ""
    summary = doc.split("\n\n", 1)[0].replace("\n", " ")
    return TaskInfo(name, summary, _options(entry.factory), entry.source)


def get_task(name: str, **options: Any) -> Task:
    """Build a task by name, or from a data file.

    Raises:
        NotFoundError: no task has that name (the message lists those that do).
        ConfigError: an option is unknown (named, with the accepted ones) or invalid.
        DataError: a custom task's file is missing or malformed.
    """
    from kitchen.tasks.custom import file_task, is_file_task

    if is_file_task(name):
        return file_task(name, **options)
    entry = _entry(name)
    accepted = _options(entry.factory)
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ConfigError(
            f"task {name!r}: unknown option(s) {', '.join(unknown)}; it takes: "
            f"{', '.join(accepted) or 'no options'}"
        )
    return entry.factory(**options)
