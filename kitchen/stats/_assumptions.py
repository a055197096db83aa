"""Assumption checks: Shapiro–Wilk normality and Levene / Brown–Forsythe equal variances.

``significant`` means the assumption is rejected at ``alpha``. Constant data never produce NaN:
Shapiro–Wilk reports W = 1, p = 1 and Levene W = 0, p = 1, each with a "constant" note.
"""

from __future__ import annotations

import math
import warnings
from typing import Literal

import numpy as np
from scipy import stats

from kitchen.stats._results import (
    ArrayLike,
    StatsError,
    TestResult,
    as_groups,
    as_sample,
    check_probability,
)

SHAPIRO_MAX_N = 5000
"""Above this size scipy warns that the Shapiro–Wilk p-value may be inaccurate."""


def shapiro_wilk(x: ArrayLike, *, alpha: float = 0.05) -> TestResult:
    """Shapiro–Wilk test of normality (Shapiro & Wilk 1965; Royston 1995 algorithm, via scipy).

    Needs at least 3 values. ``significant`` means normality is rejected.
    """
    alpha = check_probability(alpha, "alpha")
    data = as_sample(x, "x", min_size=3)
    if np.all(data == data[0]):
        return TestResult(
            "Shapiro-Wilk",
            1.0,
            1.0,
            None,
            "two-sided",
            None,
            None,
            False,
            alpha,
            ("constant data: normality cannot be assessed",),
        )
    notes: tuple[str, ...] = ()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        res = stats.shapiro(data)
    if data.size > SHAPIRO_MAX_N:
        notes = (f"n = {data.size} > {SHAPIRO_MAX_N}: the p-value may be inaccurate",)
    p = float(res.pvalue)
    return TestResult(
        "Shapiro-Wilk",
        float(res.statistic),
        p,
        None,
        "two-sided",
        None,
        None,
        p < alpha,
        alpha,
        notes,
    )


def levene(
    *groups: ArrayLike, center: Literal["median", "mean"] = "median", alpha: float = 0.05
) -> TestResult:
    """Levene's test of equal variances (Levene 1960); ``center="median"`` is Brown–Forsythe (1974).

    ``df`` = k − 1, ``df2`` = N − k. ``significant`` means equal variances are rejected.
    """
    alpha = check_probability(alpha, "alpha")
    if center not in ("median", "mean"):
        raise StatsError(f"center must be 'median' or 'mean', got {center!r}")
    gs = as_groups(groups, min_size=2)
    k, n = len(gs), sum(g.size for g in gs)
    name = "Brown-Forsythe" if center == "median" else "Levene"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = stats.levene(*gs, center=center)
    statistic, p = float(res.statistic), float(res.pvalue)
    notes: tuple[str, ...] = ()
    if math.isnan(statistic):
        centre = np.median if center == "median" else np.mean
        spread = [np.abs(g - centre(g)) for g in gs]
        if all(np.all(s == s[0]) for s in spread) and np.unique([s[0] for s in spread]).size == 1:
            statistic, p = 0.0, 1.0
            notes = ("constant data: every group has the same (or no) spread",)
        else:
            statistic, p = math.inf, 0.0
            notes = ("constant spread within each group but different between groups",)
    return TestResult(
        name,
        statistic,
        p,
        float(k - 1),
        "two-sided",
        None,
        None,
        p < alpha,
        alpha,
        notes,
        None,
        float(n - k),
    )
