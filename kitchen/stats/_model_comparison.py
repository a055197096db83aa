"""Two models scored on the same samples: McNemar's test and the paired bootstrap.

McNemar (1947) on the discordant counts, exact binomial when they are few (Edwards' continuity-
corrected χ² otherwise), as in ``statsmodels.stats.contingency_tables.mcnemar``. The paired
bootstrap follows Koehn (2004) and Dror et al. (2018): resample the test items with replacement,
keep pairs together, and count how often the resampled difference crosses zero.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from kitchen.stats._bootstrap import Statistic, apply_statistic, paired_resampled_differences
from kitchen.stats._effect_sizes import cohens_h, paired_d
from kitchen.stats._results import (
    ArrayLike,
    FloatArray,
    Interval,
    StatsError,
    TestResult,
    as_pair,
    check_probability,
)

EXACT_BELOW = 25
"""McNemar uses the exact binomial test when there are fewer discordant pairs than this."""


def _binary(x: FloatArray, name: str) -> FloatArray:
    if not np.all((x == 0) | (x == 1)):
        raise StatsError(f"{name} must hold 0/1 or booleans (correct / incorrect)")
    return x


def mcnemar(
    a_correct: ArrayLike,
    b_correct: ArrayLike,
    exact: bool | None = None,
    *,
    alpha: float = 0.05,
    level: float = 0.95,
) -> TestResult:
    """McNemar's test for two classifiers on the same items (McNemar 1947; Dietterich 1998).

    Args:
        a_correct: Per item, whether model A was right (bool or 0/1).
        b_correct: Per item, whether model B was right.
        exact: Exact binomial test (True), continuity-corrected χ² (False), or automatic (None:
            exact when there are fewer than 25 discordant pairs).
        alpha: Significance level.
        level: Level of the Wald CI of the accuracy difference.

    Returns:
        Exact: statistic = min(n₁₀, n₀₁); χ²: statistic = (|n₁₀ − n₀₁| − 1)² / (n₁₀ + n₀₁)
        (clamped at 0 when n₁₀ = n₀₁), df = 1. ``estimate`` is accuracy(A) − accuracy(B) with
        its paired Wald CI; effect size is Cohen's h between the two accuracies.
    """
    alpha, level = check_probability(alpha, "alpha"), check_probability(level, "level")
    x, y = as_pair(a_correct, b_correct)
    x, y = _binary(x, "a_correct"), _binary(y, "b_correct")
    n = x.size
    n10 = int(np.sum((x == 1) & (y == 0)))
    n01 = int(np.sum((x == 0) & (y == 1)))
    discordant = n10 + n01
    estimate = (n10 - n01) / n
    effect = cohens_h(float(x.mean()), float(y.mean()))
    se = math.sqrt(max(discordant - (n10 - n01) ** 2 / n, 0.0)) / n
    z = float(stats.norm.ppf(0.5 + level / 2))
    ci = Interval(estimate - z * se, estimate + z * se, level, "Wald (paired proportions)")
    counts = f"{n10} items only A got right, {n01} only B"
    if discordant == 0:
        return TestResult(
            "McNemar",
            0.0,
            1.0,
            None,
            "two-sided",
            effect,
            ci,
            False,
            alpha,
            ("no discordant pairs: the models agree on every item", counts),
            estimate,
        )
    use_exact = discordant < EXACT_BELOW if exact is None else exact
    if use_exact:
        statistic = float(min(n10, n01))
        p = min(1.0, 2 * float(stats.binom.cdf(statistic, discordant, 0.5)))
        name, df, how = "McNemar (exact)", None, "exact binomial test"
    else:
        statistic = max(abs(n10 - n01) - 1, 0) ** 2 / discordant
        p = float(stats.chi2.sf(statistic, 1))
        name, df, how = "McNemar (chi-square)", 1.0, "chi-square with continuity correction"
    reason = "" if exact is not None else f" ({discordant} discordant pairs)"
    return TestResult(
        name,
        statistic,
        p,
        df,
        "two-sided",
        effect,
        ci,
        p < alpha,
        alpha,
        (how + reason, counts),
        estimate,
    )


def paired_bootstrap(
    a_scores: ArrayLike,
    b_scores: ArrayLike,
    *,
    iterations: int = 1000,
    seed: int = 0,
    statistic: Statistic = np.mean,
    alpha: float = 0.05,
    level: float = 0.95,
) -> TestResult:
    """Paired bootstrap test of ``statistic(a) − statistic(b)`` (Koehn 2004; Dror et al. 2018).

    Items are resampled with replacement, the same indices for both models, ``iterations``
    times (one vectorised index matrix, no Python loop over resamples). The two-sided p-value
    is twice the share of resampled differences on the far side of zero from the observed
    difference, capped at 1: ``min(1, 2·min(#{δ* ≤ 0}, #{δ* ≥ 0}) / B)``. Its resolution is
    1/B; a p of 0 means p < 1/B. The CI is the percentile interval of δ*.

    Args:
        a_scores: Per-item scores of model A (0/1 correctness or any float metric).
        b_scores: Per-item scores of model B on the same items.
        iterations: Number of resamples B.
        seed: Seed of ``numpy.random.default_rng``; reruns give identical results.
        statistic: NumPy reduction accepting ``axis=-1`` (default ``np.mean``).
        alpha: Significance level.
        level: CI level.
    """
    alpha, level = check_probability(alpha, "alpha"), check_probability(level, "level")
    if iterations < 2:
        raise StatsError(f"iterations must be at least 2, got {iterations}")
    x, y = as_pair(a_scores, b_scores, min_size=2)
    observed = float(apply_statistic(statistic, x) - apply_statistic(statistic, y))
    deltas = paired_resampled_differences(x, y, statistic, iterations, np.random.default_rng(seed))
    crossing = min(int(np.sum(deltas <= 0)), int(np.sum(deltas >= 0)))
    p = min(1.0, 2 * crossing / iterations)
    tail = (1 - level) / 2
    low, high = np.quantile(deltas, [tail, 1 - tail])
    ci = Interval(float(low), float(high), level, "paired bootstrap percentile")
    binary = bool(np.all((x == 0) | (x == 1)) and np.all((y == 0) | (y == 1)))
    # 0/1 correctness gets Cohen's h between accuracies; other scores the paired d_z.
    effect = cohens_h(float(x.mean()), float(y.mean())) if binary else paired_d(x, y, level=level)
    notes = [f"{iterations} paired resamples, seed {seed}"]
    if p == 0:
        notes.append(f"p < {1 / iterations:g} (no resample crossed zero)")
    return TestResult(
        "paired bootstrap",
        observed,
        p,
        None,
        "two-sided",
        effect,
        ci,
        p < alpha,
        alpha,
        tuple(notes),
        observed,
    )
