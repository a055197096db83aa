"""Power analysis for the two-sample t test and one-way ANOVA, a priori and post hoc.

Exact noncentral distributions (Cohen 1988, ch. 2 and 8), as G*Power and
``statsmodels.stats.power`` compute them: t test with df = 2n − 2 and noncentrality
δ = d·√(n/2), both rejection tails counted when two-sided; ANOVA with df = (k − 1, kn − k) and
λ = f²·kn. Sample sizes are the smallest whole n per group that reaches the target power.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from scipy import stats

from kitchen.stats._results import Alternative, StatsError, check_alternative, check_probability

_MAX_N = 10**9


@dataclass(frozen=True)
class PowerResult:
    """A power analysis.

    Attributes:
        analysis: ``"a priori"`` (sample size for a target power) or ``"post hoc"`` (power).
        test: ``"t test"`` or ``"ANOVA"``.
        effect_size: Cohen's d (t test) or Cohen's f (ANOVA).
        alpha: Significance level.
        power: Achieved power (a priori: at the recommended ``n_per_group``).
        n_per_group: Observations per group.
        groups: Number of groups (2 for the t test).
        alternative: Alternative of the t test (ANOVA: ``"two-sided"``).
        recommendation: One line of advice.
    """

    analysis: Literal["a priori", "post hoc"]
    test: Literal["t test", "ANOVA"]
    effect_size: float
    alpha: float
    power: float
    n_per_group: int
    groups: int
    alternative: Alternative
    recommendation: str

    @property
    def total_n(self) -> int:
        """Observations over all groups."""
        return self.n_per_group * self.groups


def _nct_sf(x: float, df: float, nc: float) -> float:
    """P(T > x) for noncentral t; scipy 1.17 returns NaN deep in some tails."""
    value = float(stats.nct.sf(x, df, nc))
    if math.isnan(value):
        value = 1.0 - float(stats.nct.cdf(x, df, nc))
    if math.isnan(value):
        # Only reached for negligible tail masses; the normal tail is accurate enough there.
        value = float(stats.norm.sf(x - nc))
    return value


def _t_power(d: float, n: float, alpha: float, alternative: Alternative) -> float:
    df, nc = 2 * n - 2, d * math.sqrt(n / 2)
    if alternative == "greater":
        return _nct_sf(float(stats.t.ppf(1 - alpha, df)), df, nc)
    if alternative == "less":
        # P(T < c; δ) = P(T > −c; −δ) by symmetry.
        return _nct_sf(-float(stats.t.ppf(alpha, df)), df, -nc)
    crit = float(stats.t.ppf(1 - alpha / 2, df))
    return _nct_sf(crit, df, nc) + _nct_sf(crit, df, -nc)


def _anova_power(f: float, k: int, n: float, alpha: float) -> float:
    total = k * n
    df1, df2 = k - 1, total - k
    crit = float(stats.f.ppf(1 - alpha, df1, df2))
    return float(stats.ncf.sf(crit, df1, df2, f * f * total))


def _post_hoc_advice(power: float) -> str:
    pct = f"{power * 100:.1f}%"
    if power >= 0.8:
        return f"Adequate power ({pct})."
    if power >= 0.6:
        return f"Marginal power ({pct}); consider increasing the sample size."
    return f"Underpowered ({pct}); increase the sample size substantially."


def _smallest_n(power_at: Callable[[int], float], target: float, start: int) -> int:
    """Smallest integer n ≥ start with power_at(n) ≥ target (power rises with n)."""
    low, high = start, start
    while power_at(high) < target:
        low, high = high + 1, high * 2
        if high > _MAX_N:
            raise StatsError("the effect is too small to reach that power with any sample size")
    while low < high:
        mid = (low + high) // 2
        if power_at(mid) >= target:
            high = mid
        else:
            low = mid + 1
    return low


def _check_n(n: int) -> int:
    if int(n) != n or n < 2:
        raise StatsError(f"n_per_group must be an integer of at least 2, got {n!r}")
    return int(n)


def t_test_power(
    d: float, n_per_group: int, alpha: float = 0.05, alternative: str = "two-sided"
) -> PowerResult:
    """Post hoc power of the two-sample t test (noncentral t; Cohen 1988, ch. 2).

    ``alternative="greater"`` expects d > 0, ``"less"`` d < 0.
    """
    alt = check_alternative(alternative)
    alpha, n = check_probability(alpha, "alpha"), _check_n(n_per_group)
    power = _t_power(d, n, alpha, alt)
    return PowerResult("post hoc", "t test", d, alpha, power, n, 2, alt, _post_hoc_advice(power))


def t_test_sample_size(
    d: float, power: float = 0.8, alpha: float = 0.05, alternative: str = "two-sided"
) -> PowerResult:
    """A priori sample size per group of the two-sample t test (noncentral t).

    d = 0.5, α = .05, power .8, two-sided gives 64 per group (Cohen 1988, Table 2.4.1).
    """
    alt = check_alternative(alternative)
    alpha, power = check_probability(alpha, "alpha"), check_probability(power, "power")
    if d == 0 or (alt == "greater" and d < 0) or (alt == "less" and d > 0):
        raise StatsError(f"effect size d = {d} cannot be detected with alternative {alt!r}")
    n = _smallest_n(lambda m: _t_power(d, m, alpha, alt), power, 2)
    achieved = _t_power(d, n, alpha, alt)
    advice = (
        f"Collect at least {n} samples per group ({2 * n} total) to detect d = {d:g} "
        f"with {power * 100:.0f}% power at α = {alpha:g}."
    )
    return PowerResult("a priori", "t test", d, alpha, achieved, n, 2, alt, advice)


def _check_anova(f: float, k: int) -> None:
    if f < 0:
        raise StatsError(f"Cohen's f must be non-negative, got {f}")
    if int(k) != k or k < 2:
        raise StatsError(f"k (number of groups) must be an integer of at least 2, got {k!r}")


def anova_power(f: float, k: int, n_per_group: int, alpha: float = 0.05) -> PowerResult:
    """Post hoc power of the one-way ANOVA F test (noncentral F, λ = f²·kn; Cohen 1988, ch. 8)."""
    _check_anova(f, k)
    alpha, n = check_probability(alpha, "alpha"), _check_n(n_per_group)
    power = _anova_power(f, k, n, alpha)
    return PowerResult(
        "post hoc", "ANOVA", f, alpha, power, n, k, "two-sided", _post_hoc_advice(power)
    )


def anova_sample_size(f: float, k: int, power: float = 0.8, alpha: float = 0.05) -> PowerResult:
    """A priori sample size per group of the one-way ANOVA (noncentral F).

    f = 0.25 (medium), k = 3, α = .05, power .8 gives 53 per group (Cohen 1988, Table 8.4.4:
    52 from the continuous solution 52.4, rounded up here).
    """
    _check_anova(f, k)
    alpha, power = check_probability(alpha, "alpha"), check_probability(power, "power")
    if f == 0:
        raise StatsError("Cohen's f = 0 cannot be detected with any sample size")
    n = _smallest_n(lambda m: _anova_power(f, k, m, alpha), power, 2)
    achieved = _anova_power(f, k, n, alpha)
    advice = (
        f"Collect at least {n} samples per group ({k * n} total over {k} groups) to detect "
        f"f = {f:g} with {power * 100:.0f}% power at α = {alpha:g}."
    )
    return PowerResult("a priori", "ANOVA", f, alpha, achieved, n, k, "two-sided", advice)
