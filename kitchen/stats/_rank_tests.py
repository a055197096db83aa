"""Rank-based tests: Mann–Whitney U, Wilcoxon signed-rank, Kruskal–Wallis.

Statistics and p-values come from :mod:`scipy.stats`; scipy's automatic method choice (exact,
permutation or normal approximation with tie correction) is kept and named in ``notes``. Data
with no variation at all, where scipy returns NaN or raises, give statistic at its null value and
p = 1 with a note. Effect sizes: rank-biserial r (Kerby 2014) and η²_H (Tomczak & Tomczak 2014).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from kitchen.stats._effect_sizes import interpret_eta, interpret_r, rank_biserial
from kitchen.stats._results import (
    ArrayLike,
    EffectSize,
    TestResult,
    as_groups,
    as_pair,
    as_sample,
    check_alternative,
    check_probability,
)


def _mwu_method(n1: int, n2: int, ties: bool) -> str:
    # Mirrors scipy.stats._mannwhitneyu._mwu_choose_method, for the notes.
    return "asymptotic" if (n1 > 8 and n2 > 8) or ties else "exact"


def mann_whitney(
    a: ArrayLike,
    b: ArrayLike,
    alternative: str = "two-sided",
    *,
    alpha: float = 0.05,
    method: str = "auto",
) -> TestResult:
    """Mann–Whitney U test (Mann & Whitney 1947) via ``scipy.stats.mannwhitneyu``.

    ``statistic`` is U of the first sample; the asymptotic p-value uses the tie correction and a
    continuity correction. ``estimate`` is ``median(a) − median(b)``; effect size is the
    rank-biserial r = 2U/(n₁n₂) − 1 (positive when a tends to exceed b).
    """
    alt = check_alternative(alternative)
    alpha = check_probability(alpha, "alpha")
    x, y = as_sample(a, "a"), as_sample(b, "b")
    estimate = float(np.median(x) - np.median(y))
    pooled = np.concatenate([x, y])
    if np.all(pooled == pooled[0]):
        u = x.size * y.size / 2
        effect = rank_biserial(u, x.size, y.size)
        return TestResult(
            "Mann-Whitney U",
            u,
            1.0,
            None,
            alt,
            effect,
            None,
            False,
            alpha,
            ("constant data: every value is tied",),
            estimate,
        )
    ties = np.unique(pooled).size < pooled.size
    chosen = _mwu_method(x.size, y.size, ties) if method == "auto" else method
    res = stats.mannwhitneyu(x, y, alternative=alt, method=method, use_continuity=True)
    u, p = float(res.statistic), float(res.pvalue)
    notes = [f"{chosen} p-value"]
    if ties:
        notes.append("ties present: tie-corrected normal approximation")
    return TestResult(
        "Mann-Whitney U",
        u,
        p,
        None,
        alt,
        rank_biserial(u, x.size, y.size),
        None,
        p < alpha,
        alpha,
        tuple(notes),
        estimate,
    )


def wilcoxon(
    a: ArrayLike,
    b: ArrayLike,
    alternative: str = "two-sided",
    *,
    alpha: float = 0.05,
    zero_method: str = "wilcox",
) -> TestResult:
    """Wilcoxon signed-rank test on paired samples (Wilcoxon 1945) via ``scipy.stats.wilcoxon``.

    Zero differences are dropped (``zero_method="wilcox"``), no continuity correction. The
    statistic is scipy's (min(R⁺, R⁻) two-sided, R⁺ one-sided). ``estimate`` is the median of
    ``a − b``; effect size is the matched-pairs rank-biserial r = (R⁺ − R⁻)/(R⁺ + R⁻).
    """
    alt = check_alternative(alternative)
    alpha = check_probability(alpha, "alpha")
    x, y = as_pair(a, b)
    diffs = x - y
    estimate = float(np.median(diffs))
    nonzero = diffs[diffs != 0]
    if nonzero.size == 0:
        effect = EffectSize("r", 0.0, interpret_r(0.0))
        return TestResult(
            "Wilcoxon signed-rank",
            0.0,
            1.0,
            None,
            alt,
            effect,
            None,
            False,
            alpha,
            ("all pairs are equal: no non-zero differences",),
            estimate,
        )
    ranks = stats.rankdata(np.abs(nonzero))
    r_plus, r_minus = float(ranks[nonzero > 0].sum()), float(ranks[nonzero < 0].sum())
    r = (r_plus - r_minus) / (r_plus + r_minus)
    res = stats.wilcoxon(x, y, zero_method=zero_method, correction=False, alternative=alt)
    p = float(res.pvalue)
    ties = np.unique(np.abs(nonzero)).size < nonzero.size
    notes = []
    if diffs.size > 50:
        notes.append("normal approximation p-value")
    elif ties or nonzero.size < diffs.size:
        notes.append(
            "ties or zero differences: "
            + ("exact permutation p-value" if diffs.size <= 13 else "normal approximation p-value")
        )
    else:
        notes.append("exact p-value")
    if nonzero.size < diffs.size:
        notes.append(f"{diffs.size - nonzero.size} zero difference(s) dropped")
    return TestResult(
        "Wilcoxon signed-rank",
        float(res.statistic),
        p,
        None,
        alt,
        EffectSize("r", r, interpret_r(r)),
        None,
        p < alpha,
        alpha,
        tuple(notes),
        estimate,
    )


def kruskal(*groups: ArrayLike, alpha: float = 0.05) -> TestResult:
    """Kruskal–Wallis H test (Kruskal & Wallis 1952), tie-corrected, via ``scipy.stats.kruskal``.

    Effect size η²_H = (H − k + 1)/(N − k); ``df`` = k − 1.
    """
    alpha = check_probability(alpha, "alpha")
    gs = as_groups(groups)
    k, n = len(gs), sum(g.size for g in gs)
    pooled = np.concatenate(gs)
    notes: tuple[str, ...] = ()
    if np.all(pooled == pooled[0]):
        h, p, notes = 0.0, 1.0, ("constant data: every value is tied",)
    else:
        res = stats.kruskal(*gs)
        h, p = float(res.statistic), float(res.pvalue)
    eta_h = (h - k + 1) / (n - k) if n > k else 0.0
    effect = EffectSize("η²_H", eta_h, interpret_eta(max(eta_h, 0.0)))
    return TestResult(
        "Kruskal-Wallis H",
        h,
        p,
        float(k - 1),
        "two-sided",
        effect,
        None,
        p < alpha,
        alpha,
        notes,
    )
