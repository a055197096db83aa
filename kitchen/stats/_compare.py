"""Automatic test choice for two or more groups (crucible_bench ``compare`` parity).

Two independent samples: Welch's t (the default: valid with equal or unequal variances, so the
Brown–Forsythe result is reported but does not switch to Student's t) unless Shapiro–Wilk rejects
normality in either sample, then Mann–Whitney U. Paired samples: paired t unless Shapiro–Wilk
rejects normality of the differences, then Wilcoxon signed-rank. Several groups: one-way ANOVA or
Kruskal–Wallis by the same rule, plus corrected pairwise comparisons.

Normality is assumed below 8 values (too few to test, as crucible does) and, above 5000 values
where the Shapiro–Wilk p-value is unreliable and rejects trivial departures, judged by crucible's
rule |skewness| < 2 and |excess kurtosis| < 7 (t tests are robust there by the central limit
theorem). Every result carries an effect size with interpretation, a CI, and notes saying why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from kitchen.stats._assumptions import SHAPIRO_MAX_N, levene, shapiro_wilk
from kitchen.stats._corrections import CorrectionResult, Method, correct
from kitchen.stats._effect_sizes import cohens_d, eta_squared, omega_squared, paired_d
from kitchen.stats._intervals import bootstrap_ci, bootstrap_difference_ci
from kitchen.stats._parametric import one_way_anova, paired_t, welch_t
from kitchen.stats._rank_tests import kruskal, mann_whitney, wilcoxon
from kitchen.stats._results import (
    ArrayLike,
    FloatArray,
    StatsError,
    TestResult,
    as_groups,
    as_pair,
    as_sample,
    check_probability,
)

MIN_N_FOR_NORMALITY_TEST = 8


def _normality(x: FloatArray, label: str, alpha: float) -> tuple[bool, str]:
    """Whether ``x`` looks normal enough for a t test, and a note saying how it was judged."""
    if x.size < MIN_N_FOR_NORMALITY_TEST:
        return True, f"{label}: n = {x.size} < {MIN_N_FOR_NORMALITY_TEST}, normality assumed"
    if np.all(x == x[0]):
        return True, f"{label}: constant data, normality not testable"
    if x.size > SHAPIRO_MAX_N:
        skew, kurt = float(stats.skew(x)), float(stats.kurtosis(x))
        ok = abs(skew) < 2 and abs(kurt) < 7
        verdict = "normal enough" if ok else "not normal"
        return (
            ok,
            f"{label}: n > {SHAPIRO_MAX_N}, skewness {skew:.2f}, kurtosis {kurt:.2f}: {verdict}",
        )
    res = shapiro_wilk(x, alpha=alpha)
    word = "rejects" if res.significant else "does not reject"
    return not res.significant, f"{label}: Shapiro-Wilk {word} normality (p = {res.p_value:.3g})"


def compare(
    a: ArrayLike,
    b: ArrayLike,
    *,
    paired: bool = False,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    check_assumptions: bool = True,
    level: float = 0.95,
    iterations: int = 1000,
    seed: int = 0,
) -> TestResult:
    """Compare two samples with a test chosen from assumption checks.

    Args:
        a: First sample (the difference is a − b).
        b: Second sample.
        paired: Whether ``a[i]`` and ``b[i]`` belong to the same item.
        alpha: Significance level, also used for the assumption checks.
        alternative: ``"two-sided"``, ``"less"`` or ``"greater"``.
        check_assumptions: Without checks Welch's t (or paired t) is used.
        level: CI level.
        iterations: Bootstrap resamples for the CI of a rank test's median difference.
        seed: Bootstrap seed.

    Returns:
        The chosen test's result; ``notes`` explain the choice. Rank tests get a percentile
        bootstrap CI of the median difference and Cohen's d among ``extra_effects``.
    """
    alpha = check_probability(alpha, "alpha")
    if paired:
        x, y = as_pair(a, b, min_size=2)
        return _compare_paired(x, y, alpha, alternative, check_assumptions, level, iterations, seed)
    x, y = as_sample(a, "a", min_size=2), as_sample(b, "b", min_size=2)
    notes: list[str] = []
    normal = True
    if check_assumptions:
        for sample, label in ((x, "a"), (y, "b")):
            ok, note = _normality(sample, label, alpha)
            normal = normal and ok
            notes.append(note)
        spread = levene(x, y, alpha=alpha)
        word = "unequal" if spread.significant else "no evidence of unequal"
        notes.append(f"Brown-Forsythe: {word} variances (p = {spread.p_value:.3g})")
    else:
        notes.append("assumption checks skipped")
    if normal:
        result = welch_t(x, y, alternative, alpha=alpha, level=level)
        notes.append("Welch t chosen: the default, valid with equal or unequal variances")
        return dataclasses.replace(result, notes=(*result.notes, *notes))
    result = mann_whitney(x, y, alternative, alpha=alpha)
    ci = bootstrap_difference_ci(x, y, np.median, iterations, level, seed)
    notes.append("Mann-Whitney U chosen: normality rejected")
    notes.append(f"CI: bootstrap of the median difference ({iterations} resamples, seed {seed})")
    return dataclasses.replace(
        result,
        ci=ci,
        notes=(*result.notes, *notes),
        extra_effects=(cohens_d(x, y, level=level),),
    )


def _compare_paired(
    x: FloatArray,
    y: FloatArray,
    alpha: float,
    alternative: str,
    check_assumptions: bool,
    level: float,
    iterations: int,
    seed: int,
) -> TestResult:
    diffs = x - y
    notes: list[str] = []
    normal = True
    if check_assumptions:
        normal, note = _normality(diffs, "differences", alpha)
        notes.append(note)
    else:
        notes.append("assumption checks skipped")
    if normal:
        result = paired_t(x, y, alternative, alpha=alpha, level=level)
        notes.append("paired t chosen: differences normal enough")
        return dataclasses.replace(result, notes=(*result.notes, *notes))
    result = wilcoxon(x, y, alternative, alpha=alpha)
    notes.append("Wilcoxon signed-rank chosen: normality of the differences rejected")
    if np.all(diffs == diffs[0]):
        return dataclasses.replace(result, notes=(*result.notes, *notes))
    ci = bootstrap_ci(diffs, np.median, iterations, level, "percentile", seed)
    notes.append(f"CI: bootstrap of the median difference ({iterations} resamples, seed {seed})")
    return dataclasses.replace(
        result,
        ci=ci,
        notes=(*result.notes, *notes),
        extra_effects=(paired_d(x, y, level=level),),
    )


@dataclass(frozen=True)
class PairwiseComparison:
    """One pair of groups inside :func:`compare_multiple`.

    Attributes:
        first: Label of the first group.
        second: Label of the second group.
        result: The pairwise test (Welch t or Mann–Whitney U, matching the omnibus test).
        adjusted_p: p-value after the family-wise correction.
        reject: Whether the difference is significant after correction.
    """

    first: str
    second: str
    result: TestResult
    adjusted_p: float
    reject: bool


@dataclass(frozen=True)
class MultipleComparison:
    """Omnibus test over several groups with corrected pairwise comparisons.

    Attributes:
        omnibus: One-way ANOVA or Kruskal–Wallis, with η² / ω² effect sizes.
        pairwise: Every pair of groups, in label order.
        correction: The correction applied to the pairwise p-values.
        labels: Group labels.
    """

    omnibus: TestResult
    pairwise: tuple[PairwiseComparison, ...]
    correction: CorrectionResult
    labels: tuple[str, ...]


def compare_multiple(
    *groups: ArrayLike,
    labels: Sequence[str] | None = None,
    alpha: float = 0.05,
    correction: Method = "holm",
    check_assumptions: bool = True,
) -> MultipleComparison:
    """ANOVA or Kruskal–Wallis over two or more groups, then corrected pairwise tests.

    ANOVA is used when no group fails the normality check, else Kruskal–Wallis; the pairwise
    tests are Welch t or Mann–Whitney U accordingly, corrected with ``correction`` (Holm by
    default, as crucible's sweeps do).
    """
    alpha = check_probability(alpha, "alpha")
    gs = as_groups(groups, min_size=2)
    names = tuple(labels) if labels is not None else tuple(f"group {i + 1}" for i in range(len(gs)))
    if len(names) != len(gs):
        raise StatsError(f"{len(names)} labels for {len(gs)} groups")
    notes: list[str] = []
    normal = True
    if check_assumptions:
        for g, name in zip(gs, names, strict=True):
            ok, note = _normality(g, name, alpha)
            normal = normal and ok
            notes.append(note)
        spread = levene(*gs, alpha=alpha)
        notes.append(f"Brown-Forsythe p = {spread.p_value:.3g}")
    else:
        notes.append("assumption checks skipped")
    if normal:
        omnibus = one_way_anova(*gs, alpha=alpha)
        notes.append("one-way ANOVA chosen: normality not rejected in any group")
        omnibus = dataclasses.replace(omnibus, notes=(*omnibus.notes, *notes))
    else:
        omnibus = kruskal(*gs, alpha=alpha)
        notes.append("Kruskal-Wallis chosen: normality rejected in at least one group")
        omnibus = dataclasses.replace(
            omnibus,
            notes=(*omnibus.notes, *notes),
            extra_effects=(eta_squared(*gs), omega_squared(*gs)),
        )
    pairs = [(i, j) for i in range(len(gs)) for j in range(i + 1, len(gs))]
    tests = [
        welch_t(gs[i], gs[j], alpha=alpha) if normal else mann_whitney(gs[i], gs[j], alpha=alpha)
        for i, j in pairs
    ]
    corrected = correct([t.p_value for t in tests], correction, alpha)
    pairwise = tuple(
        PairwiseComparison(names[i], names[j], t, p, r)
        for (i, j), t, p, r in zip(pairs, tests, corrected.adjusted, corrected.reject, strict=True)
    )
    return MultipleComparison(omnibus, pairwise, corrected, names)
