"""Result records shared by every statistics function, and input validation helpers.

Results are frozen dataclasses so they can be cached, compared and rendered by the UI without
defensive copies; every number in them is a plain ``float`` (never a NumPy scalar) and never NaN.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from kitchen.errors import StatsError as StatsError  # re-exported: stats modules import it here

Alternative = Literal["two-sided", "less", "greater"]
FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike

_ALTERNATIVES = ("two-sided", "less", "greater")


@dataclass(frozen=True)
class Interval:
    """A confidence interval; a one-sided interval has an infinite bound.

    Attributes:
        low: Lower bound.
        high: Upper bound.
        level: Confidence level, e.g. 0.95.
        method: How it was computed, e.g. ``"t"``, ``"bootstrap percentile"``.
    """

    low: float
    high: float
    level: float
    method: str

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies inside the closed interval."""
        return self.low <= value <= self.high


@dataclass(frozen=True)
class EffectSize:
    """An effect size with Cohen-style interpretation.

    Attributes:
        name: Short symbol, e.g. ``"d"``, ``"g"``, ``"η²"``, ``"r"``, ``"h"``.
        value: The effect size (signed where the measure is signed).
        interpretation: ``"negligible"``, ``"small"``, ``"medium"`` or ``"large"``.
        ci: Confidence interval of the effect size, when one is available.
    """

    name: str
    value: float
    interpretation: str
    ci: Interval | None = None


@dataclass(frozen=True)
class TestResult:
    """Outcome of a hypothesis test.

    Attributes:
        test: Human name of the test, e.g. ``"Welch t"``.
        statistic: The test statistic (t, F, U, W, H, χ², mean difference...).
        p_value: p-value under ``alternative``.
        df: Degrees of freedom (numerator df for F tests), if the test has any.
        alternative: ``"two-sided"``, ``"less"`` or ``"greater"`` (first sample vs second).
        effect_size: Primary effect size with interpretation.
        ci: Confidence interval of ``estimate`` (difference first minus second sample).
        significant: ``p_value < alpha``.
        alpha: Significance level used.
        notes: Why the test was chosen, edge cases met (constant data, no discordant pairs...).
        estimate: The estimated difference (first minus second), when the test has one.
        df2: Denominator degrees of freedom of F tests.
        extra_effects: Further effect sizes (e.g. ω² beside η²).
    """

    __test__ = False  # not a pytest class, despite the name

    test: str
    statistic: float
    p_value: float
    df: float | None
    alternative: Alternative
    effect_size: EffectSize | None
    ci: Interval | None
    significant: bool
    alpha: float
    notes: tuple[str, ...] = ()
    estimate: float | None = None
    df2: float | None = None
    extra_effects: tuple[EffectSize, ...] = ()


def check_alternative(alternative: str) -> Alternative:
    """Validate an ``alternative`` option."""
    if alternative not in _ALTERNATIVES:
        raise StatsError(f"alternative must be one of {_ALTERNATIVES}, got {alternative!r}")
    return alternative  # type: ignore[return-value]


def check_probability(value: float, name: str) -> float:
    """Validate a level, alpha, FDR or power in the open interval (0, 1)."""
    if not 0.0 < value < 1.0:
        raise StatsError(f"{name} must lie in (0, 1), got {value!r}")
    return float(value)


def as_sample(x: ArrayLike, name: str = "sample", *, min_size: int = 1) -> FloatArray:
    """A 1-D finite float array of at least ``min_size`` values, or :class:`StatsError`."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 1:
        arr = arr.reshape(-1) if arr.ndim == 0 else arr
        if arr.ndim != 1:
            raise StatsError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.size < min_size:
        raise StatsError(f"{name} needs at least {min_size} values, got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise StatsError(f"{name} contains NaN or infinite values")
    return arr


def as_pair(a: ArrayLike, b: ArrayLike, *, min_size: int = 1) -> tuple[FloatArray, FloatArray]:
    """Two paired samples of equal length."""
    x = as_sample(a, "a", min_size=min_size)
    y = as_sample(b, "b", min_size=min_size)
    if x.size != y.size:
        raise StatsError(f"paired samples differ in length: {x.size} vs {y.size}")
    return x, y


def as_groups(
    groups: Sequence[ArrayLike], *, min_groups: int = 2, min_size: int = 1
) -> list[FloatArray]:
    """At least ``min_groups`` samples, each with at least ``min_size`` values."""
    if len(groups) < min_groups:
        raise StatsError(f"need at least {min_groups} groups, got {len(groups)}")
    return [as_sample(g, f"group {i}", min_size=min_size) for i, g in enumerate(groups)]


def finite(value: float, what: str) -> float:
    """``float(value)``; NaN becomes a :class:`StatsError` instead of propagating silently."""
    out = float(value)
    if math.isnan(out):
        raise StatsError(f"{what} is undefined for these data")
    return out
