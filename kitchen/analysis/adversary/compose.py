"""Composition: apply perturbations one after another, each with its own derived seed."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from typing import Any

from kitchen.analysis.adversary._base import Perturbation, rng_for
from kitchen.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Compose(Perturbation):
    """``parts`` in order: ``Compose((a, b))(x, seed=s)`` is ``b(a(x, seed=s0), seed=s1)``.

    Each part draws from a generator seeded by the composition's generator, so the whole is as
    deterministic as each part. ``with_rate`` sets every part's rate.
    """

    name = "compose"
    family = "composite"
    parts: tuple[Perturbation, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        Perturbation.__post_init__(self)
        if not self.parts:
            raise ConfigError("compose: give at least one perturbation")

    def apply(self, text: str, rng: random.Random) -> str:
        for part in self.parts:
            step_seed = rng.getrandbits(64)
            text = part.apply(text, rng_for(step_seed, part.name, text))
        return text

    def sweeps(self) -> bool:
        return any(p.sweeps() for p in self.parts)

    def with_rate(self, rate: float) -> Compose:
        return replace(self, rate=rate, parts=tuple(p.with_rate(rate) for p in self.parts))

    def params(self) -> dict[str, Any]:
        return {"type": self.name, "parts": [p.params() for p in self.parts]}

    @property
    def label(self) -> str:
        return "+".join(p.label for p in self.parts)


def compose(*parts: Perturbation) -> Compose:
    """Chain ``parts`` (applied left to right); the composition's rate is the first part's."""
    if not parts:
        raise ConfigError("compose: give at least one perturbation")
    return Compose(rate=parts[0].rate, parts=tuple(parts))
