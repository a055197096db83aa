"""Standardised effect sizes with Cohen's (1988) interpretation bands.

Bands (crucible_bench parity): |d|, |g|, |Δ|, |h| < 0.2 negligible, < 0.5 small, < 0.8 medium,
else large; η², ω² < 0.01 negligible, < 0.06 small, < 0.14 medium, else large; correlation-type
effects (rank-biserial r) < 0.1 negligible, < 0.3 small, < 0.5 medium, else large.

Zero spread with a non-zero mean difference gives an infinite standardised effect (``"large"``);
zero spread with no difference gives 0 — never NaN.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special, stats

from kitchen.stats._results import (
    ArrayLike,
    EffectSize,
    Interval,
    StatsError,
    as_groups,
    as_pair,
    as_sample,
)

_D_BANDS = (0.2, 0.5, 0.8)
_ETA_BANDS = (0.01, 0.06, 0.14)
_R_BANDS = (0.1, 0.3, 0.5)


def _band(value: float, bands: tuple[float, float, float]) -> str:
    magnitude = abs(value)
    for limit, label in zip(bands, ("negligible", "small", "medium"), strict=True):
        if magnitude < limit:
            return label
    return "large"


def interpret_d(value: float) -> str:
    """Cohen's bands for standardised mean differences (d, g, Δ, h)."""
    return _band(value, _D_BANDS)


def interpret_eta(value: float) -> str:
    """Cohen's bands for proportions of variance (η², ω²)."""
    return _band(value, _ETA_BANDS)


def interpret_r(value: float) -> str:
    """Cohen's bands for correlation-type effects (r, rank-biserial)."""
    return _band(value, _R_BANDS)


def _ratio(diff: float, scale: float) -> float:
    if scale > 0:
        return diff / scale
    return 0.0 if diff == 0 else math.copysign(math.inf, diff)


def _normal_ci(value: float, se: float, level: float, method: str) -> Interval | None:
    if not math.isfinite(value):
        return None
    z = float(stats.norm.ppf(0.5 + level / 2))
    return Interval(value - z * se, value + z * se, level, method)


def _pooled_sd(x: np.ndarray, y: np.ndarray) -> float:
    dof = x.size + y.size - 2
    ss = float(np.sum((x - x.mean()) ** 2) + np.sum((y - y.mean()) ** 2))
    return math.sqrt(ss / dof)


def cohens_d(a: ArrayLike, b: ArrayLike, *, level: float = 0.95) -> EffectSize:
    """Cohen's d = (mean a − mean b) / pooled SD (Cohen 1988, eq. 2.5.2).

    The CI uses the normal approximation of Hedges & Olkin (1985):
    SE² = (n₁+n₂)/(n₁n₂) + d²/(2(n₁+n₂)).
    """
    x, y = as_sample(a, "a", min_size=2), as_sample(b, "b", min_size=2)
    d = _ratio(float(x.mean() - y.mean()), _pooled_sd(x, y))
    n1, n2 = x.size, y.size
    se = math.sqrt((n1 + n2) / (n1 * n2) + d * d / (2 * (n1 + n2))) if math.isfinite(d) else 0.0
    return EffectSize("d", d, interpret_d(d), _normal_ci(d, se, level, "normal approx"))


def hedges_correction(dof: int) -> float:
    """Exact small-sample factor J = Γ(ν/2) / (√(ν/2) Γ((ν−1)/2)) (Hedges 1981)."""
    return math.exp(
        float(special.gammaln(dof / 2) - special.gammaln((dof - 1) / 2)) - 0.5 * math.log(dof / 2)
    )


def hedges_g(a: ArrayLike, b: ArrayLike, *, level: float = 0.95) -> EffectSize:
    """Hedges' g: Cohen's d times the exact bias correction J(n₁+n₂−2) (Hedges 1981)."""
    d = cohens_d(a, b, level=level)
    j = hedges_correction(np.size(a) + np.size(b) - 2)
    g = d.value * j
    ci = None if d.ci is None else Interval(d.ci.low * j, d.ci.high * j, level, d.ci.method)
    return EffectSize("g", g, interpret_d(g), ci)


def glass_delta(control: ArrayLike, treatment: ArrayLike, *, level: float = 0.95) -> EffectSize:
    """Glass's Δ = (mean treatment − mean control) / SD of the control group only (Glass 1976).

    CI: normal approximation SE² = (n₁+n₂)/(n₁n₂) + Δ²/(2(n_c−1)) (Hedges & Olkin 1985).
    """
    c, t = as_sample(control, "control", min_size=2), as_sample(treatment, "treatment", min_size=2)
    delta = _ratio(float(t.mean() - c.mean()), float(c.std(ddof=1)))
    se = (
        math.sqrt((c.size + t.size) / (c.size * t.size) + delta**2 / (2 * (c.size - 1)))
        if math.isfinite(delta)
        else 0.0
    )
    return EffectSize("Δ", delta, interpret_d(delta), _normal_ci(delta, se, level, "normal approx"))


def paired_d(a: ArrayLike, b: ArrayLike, *, level: float = 0.95) -> EffectSize:
    """Paired Cohen's d_z = mean(a − b) / SD(a − b) (Cohen 1988, §2.3.5).

    CI: normal approximation SE² = 1/n + d²/(2n).
    """
    x, y = as_pair(a, b, min_size=2)
    diff = x - y
    d = _ratio(float(diff.mean()), float(diff.std(ddof=1)))
    se = math.sqrt(1 / diff.size + d * d / (2 * diff.size)) if math.isfinite(d) else 0.0
    return EffectSize("d_z", d, interpret_d(d), _normal_ci(d, se, level, "normal approx"))


def _sums_of_squares(groups: list[np.ndarray]) -> tuple[float, float, int, int]:
    everything = np.concatenate(groups)
    grand = everything.mean()
    ss_between = float(sum(g.size * (g.mean() - grand) ** 2 for g in groups))
    ss_total = float(np.sum((everything - grand) ** 2))
    return ss_between, ss_total, len(groups), everything.size


def eta_squared(*groups: ArrayLike) -> EffectSize:
    """η² = SS_between / SS_total for a one-way layout (Cohen 1988, §8.2); 0 if all equal."""
    ss_between, ss_total, _, _ = _sums_of_squares(as_groups(groups))
    eta = ss_between / ss_total if ss_total > 0 else 0.0
    return EffectSize("η²", eta, interpret_eta(eta))


def omega_squared(*groups: ArrayLike) -> EffectSize:
    """ω² = (SS_b − (k−1)·MS_w) / (SS_t + MS_w), the less biased η² (Hays 1963).

    It can be slightly negative for null effects; the raw value is kept (interpreted as
    negligible) so that averages over studies stay unbiased.
    """
    gs = as_groups(groups)
    ss_between, ss_total, k, n = _sums_of_squares(gs)
    if n <= k:
        raise StatsError("ω² needs more values than groups")
    ms_within = (ss_total - ss_between) / (n - k)
    denominator = ss_total + ms_within
    omega = (ss_between - (k - 1) * ms_within) / denominator if denominator > 0 else 0.0
    return EffectSize("ω²", omega, interpret_eta(max(omega, 0.0)))


def rank_biserial(u_statistic: float, n1: int, n2: int) -> EffectSize:
    """Rank-biserial r = 2U₁/(n₁n₂) − 1 from Mann–Whitney U of the first sample (Kerby 2014)."""
    r = 2 * u_statistic / (n1 * n2) - 1
    return EffectSize("r", r, interpret_r(r))


def cohens_h(p1: float, p2: float) -> EffectSize:
    """Cohen's h = 2·asin√p₁ − 2·asin√p₂ for two proportions (Cohen 1988, §6.2)."""
    h = 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))
    return EffectSize("h", h, interpret_d(h))
