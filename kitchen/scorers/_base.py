"""The scorer primitive: a :class:`Score`, the :class:`Scorer` protocol and a name registry.

A scorer compares one model output with its target (or several acceptable targets) and returns a
:class:`Score` whose ``value`` lies in ``[0, 1]`` for every scorer shipped here, except
``perplexity``. Scorers are registered under a name with :func:`register` so a task can name
its scorer in configuration: ``get_scorer("numeric", tolerance=1e-3)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

__all__ = [
    "Score",
    "Scorer",
    "get_scorer",
    "register",
    "scorer_names",
    "targets_of",
]

Target = str | Sequence[str]


@dataclass(frozen=True, slots=True)
class Score:
    """The score of one output.

    Attributes:
        value: The score, in ``[0, 1]`` for the shipped scorers (perplexity excepted).
        answer: What the scorer read from the output (the extracted answer, or the output).
        explanation: Why the score is what it is, for people reading a report.
        metadata: Scorer-specific details, such as the matched target or a checker's status.
    """

    value: float
    answer: str
    explanation: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict)


class Scorer(Protocol):
    """Scores one output against its target(s); ``metadata`` carries per-sample extras."""

    def __call__(
        self, output: str, target: Target, *, metadata: Mapping[str, Any] | None = None
    ) -> Score: ...


def targets_of(target: Target) -> list[str]:
    """The acceptable targets as a list: a single string is one target, not its characters."""
    return [target] if isinstance(target, str) else [str(t) for t in target]


Factory = Callable[..., Scorer]
F = TypeVar("F", bound=Factory)

_REGISTRY: dict[str, Factory] = {}


def register(name: str) -> Callable[[F], F]:
    """Register a scorer factory (``**options -> Scorer``) under ``name``."""

    def add(factory: F) -> F:
        if name in _REGISTRY:
            raise ValueError(f"a scorer named {name!r} is already registered")
        _REGISTRY[name] = factory
        return factory

    return add


def get_scorer(name: str, **options: Any) -> Scorer:
    """Build the scorer registered as ``name`` with ``options``.

    Raises:
        KeyError: no scorer has that name (the message lists those that do).
    """
    _load_builtin()
    try:
        factory = _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise KeyError(f"no scorer named {name!r}; known scorers: {known}") from None
    return factory(**options)


def scorer_names() -> list[str]:
    """The registered scorer names, sorted."""
    _load_builtin()
    return sorted(_REGISTRY)


def _load_builtin() -> None:
    # The built-in scorers register themselves on import; importing them here keeps
    # `get_scorer` complete however this module was reached.
    from kitchen.scorers import code, judge, metrics, numeric, overlap, text  # noqa: F401
