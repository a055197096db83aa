"""Confidence intervals: analytical (mean, median, variance) and bootstrap (percentile, BCa).

References: t interval (Student 1908); distribution-free median interval from binomial order
statistics (Conover 1999, §3.2); χ² variance interval; bootstrap percentile and BCa intervals
(Efron & Tibshirani 1993, ch. 13–14), agreeing with :func:`scipy.stats.bootstrap` under the same
seed.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from scipy import special, stats

from kitchen.stats._bootstrap import (
    Statistic,
    apply_statistic,
    jackknife_statistics,
    resampled_statistics,
)
from kitchen.stats._results import (
    ArrayLike,
    FloatArray,
    Interval,
    StatsError,
    as_sample,
    check_probability,
)


def mean_ci(x: ArrayLike, level: float = 0.95) -> Interval:
    """Student t interval for the mean: x̄ ± t_{(1+level)/2, n−1} · s/√n."""
    level = check_probability(level, "level")
    data = as_sample(x, "x", min_size=2)
    mean, se = float(data.mean()), float(data.std(ddof=1)) / math.sqrt(data.size)
    half = float(stats.t.ppf(0.5 + level / 2, data.size - 1)) * se
    return Interval(mean - half, mean + half, level, "t")


def proportion_ci(successes: float, n: int, level: float = 0.95) -> Interval:
    """Wilson score interval of a proportion (Wilson 1927): it stays inside [0, 1] and does
    not collapse to a point at 0% or 100%, unlike the normal (Wald) interval.

    Raises:
        StatsError: ``n`` < 1 or ``successes`` outside [0, n].
    """
    level = check_probability(level, "level")
    if n < 1 or not 0 <= successes <= n:
        raise StatsError(f"need 0 <= successes <= n and n >= 1, got {successes} of {n}")
    z = float(stats.norm.ppf(0.5 + level / 2))
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return Interval(max(0.0, centre - half), min(1.0, centre + half), level, "wilson")


def median_ci(x: ArrayLike, level: float = 0.95) -> Interval:
    """Distribution-free interval [x₍ₖ₎, x₍ₙ₋ₖ₊₁₎] with k = Binom(n, ½).ppf((1−level)/2).

    Same order statistics as ``scipy.stats.quantile_test(...).confidence_interval``. Coverage is
    at least ``level``. When n is so small that no pair of order statistics reaches ``level``,
    the range [min, max] is returned with ``level`` set to its true coverage 1 − 2·½ⁿ (scipy
    returns NaN there).
    """
    level = check_probability(level, "level")
    data = np.sort(as_sample(x, "x", min_size=1))
    n = data.size
    k = int(stats.binom.ppf((1 - level) / 2, n, 0.5))
    if k < 1:
        coverage = 1 - 2 * 0.5**n
        return Interval(float(data[0]), float(data[-1]), coverage, "order statistics (min–max)")
    return Interval(float(data[k - 1]), float(data[n - k]), level, "binomial order statistics")


def variance_ci(x: ArrayLike, level: float = 0.95) -> Interval:
    """χ² interval for a normal variance: ((n−1)s²/χ²_{1−α/2}, (n−1)s²/χ²_{α/2})."""
    level = check_probability(level, "level")
    data = as_sample(x, "x", min_size=2)
    dof = data.size - 1
    ss = dof * float(data.var(ddof=1))
    alpha = 1 - level
    return Interval(
        ss / float(stats.chi2.ppf(1 - alpha / 2, dof)),
        ss / float(stats.chi2.ppf(alpha / 2, dof)),
        level,
        "chi-square",
    )


def _percentile_of_score(values: FloatArray, score: float) -> float:
    # scipy's convention: mean of the strict and weak ranks.
    return float((np.sum(values < score) + np.sum(values <= score)) / (2 * values.size))


def bootstrap_ci(
    x: ArrayLike,
    statistic: Statistic = np.mean,
    iterations: int = 1000,
    level: float = 0.95,
    method: Literal["percentile", "bca"] = "percentile",
    seed: int = 0,
) -> Interval:
    """Bootstrap CI of ``statistic(x)`` (Efron & Tibshirani 1993).

    Args:
        x: One sample.
        statistic: NumPy-style reduction accepting ``axis=-1`` (``np.mean``, ``np.median``...).
        iterations: Number of bootstrap resamples.
        level: Confidence level.
        method: ``"percentile"`` or ``"bca"`` (bias-corrected and accelerated, with a jackknife
            acceleration).
        seed: Seed of ``numpy.random.default_rng``; the same seed gives the same interval, and
            the same interval as ``scipy.stats.bootstrap(..., rng=np.random.default_rng(seed))``.
    """
    level = check_probability(level, "level")
    if iterations < 2:
        raise StatsError(f"iterations must be at least 2, got {iterations}")
    if method not in ("percentile", "bca"):
        raise StatsError(f"method must be 'percentile' or 'bca', got {method!r}")
    data = as_sample(x, "x", min_size=2)
    replicates = resampled_statistics(data, statistic, iterations, np.random.default_rng(seed))
    if not np.all(np.isfinite(replicates)):
        raise StatsError("the statistic is not finite on some bootstrap resamples")
    alpha = (1 - level) / 2
    low_q, high_q = alpha, 1 - alpha
    label = "bootstrap percentile"
    if method == "bca":
        label = "bootstrap BCa"
        theta = float(apply_statistic(statistic, data))
        if np.all(replicates == theta):
            return Interval(theta, theta, level, label + " (constant resamples)")
        # Clamp so a point estimate outside every replicate gives a finite bias correction.
        share = min(
            max(_percentile_of_score(replicates, theta), 0.5 / iterations), 1 - 0.5 / iterations
        )
        z0 = float(special.ndtri(share))
        jack = jackknife_statistics(data, statistic)
        dev = jack.mean() - jack
        spread = float(np.sum(dev**2))
        accel = float(np.sum(dev**3)) / (6 * spread**1.5) if spread > 0 else 0.0
        z_low, z_high = float(special.ndtri(alpha)), float(special.ndtri(1 - alpha))
        low_q = float(special.ndtr(z0 + (z0 + z_low) / (1 - accel * (z0 + z_low))))
        high_q = float(special.ndtr(z0 + (z0 + z_high) / (1 - accel * (z0 + z_high))))
    low, high = np.quantile(replicates, [low_q, high_q])
    return Interval(float(low), float(high), level, label)


def bootstrap_difference_ci(
    a: ArrayLike,
    b: ArrayLike,
    statistic: Statistic = np.mean,
    iterations: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> Interval:
    """Percentile bootstrap CI of ``statistic(a) − statistic(b)`` for independent samples.

    Each sample is resampled on its own (a first, then b, from one generator), as
    ``scipy.stats.bootstrap((a, b), ..., method="percentile")`` does.
    """
    level = check_probability(level, "level")
    if iterations < 2:
        raise StatsError(f"iterations must be at least 2, got {iterations}")
    x, y = as_sample(a, "a", min_size=1), as_sample(b, "b", min_size=1)
    rng = np.random.default_rng(seed)
    diffs = resampled_statistics(x, statistic, iterations, rng) - resampled_statistics(
        y, statistic, iterations, rng
    )
    alpha = (1 - level) / 2
    low, high = np.quantile(diffs, [alpha, 1 - alpha])
    return Interval(float(low), float(high), level, "bootstrap percentile")
