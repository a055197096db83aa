"""Parametric tests: Student, Welch and paired t; one-way ANOVA.

The statistic, p-value and CI come from :mod:`scipy.stats` (``ttest_ind``, ``ttest_rel``,
``f_oneway``). Zero-variance data, where scipy returns NaN, are resolved here: equal constants
give t = 0 (p = 1 two-sided), different constants give t = ±∞ (p = 0), with a note saying so.
"""

from __future__ import annotations

import math

from scipy import stats

from kitchen.stats._effect_sizes import cohens_d, eta_squared, omega_squared, paired_d
from kitchen.stats._results import (
    Alternative,
    ArrayLike,
    EffectSize,
    FloatArray,
    Interval,
    StatsError,
    TestResult,
    as_groups,
    as_pair,
    as_sample,
    check_alternative,
    check_probability,
)


def _t_p_value(t: float, df: float, alternative: Alternative) -> float:
    if alternative == "greater":
        return float(stats.t.sf(t, df))
    if alternative == "less":
        return float(stats.t.cdf(t, df))
    return min(1.0, 2 * float(stats.t.sf(abs(t), df)))


def _degenerate_t(
    name: str,
    diff: float,
    df: float,
    alternative: Alternative,
    alpha: float,
    level: float,
    effect: EffectSize,
) -> TestResult:
    """t test on data with zero standard error."""
    t = 0.0 if diff == 0 else math.copysign(math.inf, diff)
    p = _t_p_value(t, df, alternative)
    note = (
        "constant data: no variation and no difference"
        if diff == 0
        else "constant data: zero variance, the difference is deterministic"
    )
    return TestResult(
        name,
        t,
        p,
        df,
        alternative,
        effect,
        Interval(diff, diff, level, "t (zero variance)"),
        p < alpha,
        alpha,
        (note,),
        diff,
    )


def _independent_t(
    a: ArrayLike, b: ArrayLike, alternative: str, alpha: float, level: float, *, equal_var: bool
) -> TestResult:
    name = "Student t" if equal_var else "Welch t"
    alt = check_alternative(alternative)
    alpha, level = check_probability(alpha, "alpha"), check_probability(level, "level")
    x, y = as_sample(a, "a", min_size=2), as_sample(b, "b", min_size=2)
    diff = float(x.mean() - y.mean())
    effect = cohens_d(x, y, level=level)
    v1, v2 = float(x.var(ddof=1)), float(y.var(ddof=1))
    if v1 == 0 and v2 == 0:
        return _degenerate_t(name, diff, x.size + y.size - 2, alt, alpha, level, effect)
    res = stats.ttest_ind(x, y, equal_var=equal_var, alternative=alt)
    ci = res.confidence_interval(level)
    p = float(res.pvalue)
    return TestResult(
        name,
        float(res.statistic),
        p,
        float(res.df),
        alt,
        effect,
        Interval(float(ci.low), float(ci.high), level, "t" if equal_var else "Welch t"),
        p < alpha,
        alpha,
        (),
        diff,
    )


def student_t(
    a: ArrayLike,
    b: ArrayLike,
    alternative: str = "two-sided",
    *,
    alpha: float = 0.05,
    level: float = 0.95,
) -> TestResult:
    """Student's two-sample t test with pooled variance (Student 1908).

    Args:
        a: First sample.
        b: Second sample; the difference is ``mean(a) − mean(b)``.
        alternative: ``"two-sided"``, ``"less"`` (a < b) or ``"greater"`` (a > b).
        alpha: Significance level.
        level: Level of the CI of the difference (one-sided for one-sided alternatives).

    Returns:
        t, p, df = n₁+n₂−2, Cohen's d, CI of the mean difference.
    """
    return _independent_t(a, b, alternative, alpha, level, equal_var=True)


def welch_t(
    a: ArrayLike,
    b: ArrayLike,
    alternative: str = "two-sided",
    *,
    alpha: float = 0.05,
    level: float = 0.95,
) -> TestResult:
    """Welch's unequal-variance t test with Welch–Satterthwaite df (Welch 1947).

    Same arguments and result as :func:`student_t`; df is fractional.
    """
    return _independent_t(a, b, alternative, alpha, level, equal_var=False)


def paired_t(
    a: ArrayLike,
    b: ArrayLike,
    alternative: str = "two-sided",
    *,
    alpha: float = 0.05,
    level: float = 0.95,
) -> TestResult:
    """Paired t test on the differences ``a − b`` (Student 1908); effect size d_z."""
    alt = check_alternative(alternative)
    alpha, level = check_probability(alpha, "alpha"), check_probability(level, "level")
    x, y = as_pair(a, b, min_size=2)
    diffs: FloatArray = x - y
    mean = float(diffs.mean())
    effect = paired_d(x, y, level=level)
    if float(diffs.var(ddof=1)) == 0:
        return _degenerate_t("paired t", mean, diffs.size - 1, alt, alpha, level, effect)
    res = stats.ttest_rel(x, y, alternative=alt)
    ci = res.confidence_interval(level)
    p = float(res.pvalue)
    return TestResult(
        "paired t",
        float(res.statistic),
        p,
        float(res.df),
        alt,
        effect,
        Interval(float(ci.low), float(ci.high), level, "t"),
        p < alpha,
        alpha,
        (),
        mean,
    )


def one_way_anova(*groups: ArrayLike, alpha: float = 0.05) -> TestResult:
    """One-way ANOVA F test (Fisher 1925) with η² (primary) and ω² effect sizes.

    ``df`` is the between-groups df (k − 1) and ``df2`` the within-groups df (N − k).
    """
    alpha = check_probability(alpha, "alpha")
    gs = as_groups(groups, min_size=1)
    k, n = len(gs), sum(g.size for g in gs)
    if n <= k:
        raise StatsError("ANOVA needs at least one group with two or more values")
    eta, omega = eta_squared(*gs), omega_squared(*gs)
    within = sum(float(((g - g.mean()) ** 2).sum()) for g in gs)
    notes: tuple[str, ...] = ()
    if within == 0:
        equal = eta.value == 0
        f = 0.0 if equal else math.inf
        p = 1.0 if equal else 0.0
        notes = (
            "constant data: every value is equal"
            if equal
            else "constant data: zero within-group variance, the groups differ deterministically",
        )
    else:
        res = stats.f_oneway(*gs)
        f, p = float(res.statistic), float(res.pvalue)
    return TestResult(
        "one-way ANOVA",
        f,
        p,
        float(k - 1),
        "two-sided",
        eta,
        None,
        p < alpha,
        alpha,
        notes,
        None,
        float(n - k),
        (omega,),
    )
