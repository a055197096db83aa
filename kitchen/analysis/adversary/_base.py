"""The perturbation primitive: a seeded, pure function from text to text.

Every perturbation draws its randomness from ``random.Random`` seeded with a string made of the
caller's seed, the perturbation's name and the input text. String seeds are hashed with SHA-512
by ``random`` (not with Python's salted ``hash``), so the same seed and input give the same
output in every process, and each input gets its own noise whatever order inputs come in.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any, ClassVar, Literal

from kitchen.errors import ConfigError

Family = Literal["character", "word", "injection", "jailbreak", "composite"]

_WORD = re.compile(r"\S+")


def rng_for(seed: int | str, name: str, text: str) -> random.Random:
    """The generator one perturbation uses on one input."""
    return random.Random(f"{seed}\x1f{name}\x1f{text}")


def how_many(rng: random.Random, rate: float, n: int) -> int:
    """``rate * n`` rounded at random (floor, plus one with the fractional part's probability),
    so the expected count is exactly ``rate * n`` even on short texts."""
    expected = rate * n
    whole = int(expected)
    return min(n, whole + (1 if rng.random() < expected - whole else 0))


def word_spans(text: str) -> list[tuple[int, int]]:
    """Start and end of every whitespace-separated word."""
    return [m.span() for m in _WORD.finditer(text)]


@dataclass(frozen=True, slots=True)
class Perturbation:
    """Base of every perturbation: ``apply`` one input under one seed.

    Attributes:
        rate: How much to change, in ``[0, 1]``: the share of eligible characters or words
            edited, or for prompt templates the share of inputs wrapped. 0 changes nothing.
    """

    name: ClassVar[str] = ""
    family: ClassVar[Family] = "character"
    # Whether a severity sweep varies ``rate`` (edits) or runs the attack once (templates).
    scales_with_rate: ClassVar[bool] = True

    rate: float = 0.1

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ConfigError(f"{self.name}: rate must be in [0, 1], got {self.rate}")

    def __call__(self, text: str, *, seed: int | str = 0) -> str:
        """``text`` perturbed; the same ``seed`` and ``text`` always give the same result."""
        if not isinstance(text, str):
            raise TypeError(f"{self.name}: expected text, got {type(text).__name__}")
        return self.apply(text, rng_for(seed, self.name, text))

    def apply(self, text: str, rng: random.Random) -> str:
        """Perturb ``text`` drawing only from ``rng``."""
        raise NotImplementedError

    def with_rate(self, rate: float) -> Perturbation:
        """A copy at another severity."""
        return replace(self, rate=rate)

    def sweeps(self) -> bool:
        """Whether a severity sweep should vary this attack's rate."""
        return self.scales_with_rate

    def params(self) -> dict[str, Any]:
        """Type name and parameters, JSON-safe: what an analysis stores to reproduce it."""
        out: dict[str, Any] = {"type": self.name}
        for key, value in asdict(self).items():
            out[key] = list(value) if isinstance(value, tuple) else value
        return out

    @property
    def label(self) -> str:
        """``name`` for display."""
        return self.name


def check_choice(name: str, field: str, value: str, allowed: Mapping[str, Any]) -> None:
    """Raise a ConfigError naming the allowed values when ``value`` is not one."""
    if value not in allowed:
        raise ConfigError(f"{name}: {field} must be one of {sorted(allowed)}, got {value!r}")
