"""Hypothesis tests agree with scipy on many seeded random inputs, and handle edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from kitchen.stats import (
    StatsError,
    kruskal,
    mann_whitney,
    one_way_anova,
    paired_t,
    student_t,
    welch_t,
    wilcoxon,
)
from tests.stats.conftest import CASES, paired_sample, sample_pair

RTOL = 1e-9
ALTERNATIVES = ("two-sided", "less", "greater")


@pytest.mark.parametrize("seed", range(CASES))
def test_independent_t_tests_match_scipy(seed: int) -> None:
    a, b = sample_pair(seed)
    alternative = ALTERNATIVES[seed % 3]
    for ours, equal_var in ((student_t, True), (welch_t, False)):
        got = ours(a, b, alternative)
        ref = stats.ttest_ind(a, b, equal_var=equal_var, alternative=alternative)
        ci = ref.confidence_interval(0.95)
        assert got.statistic == pytest.approx(ref.statistic, rel=RTOL)
        assert got.p_value == pytest.approx(ref.pvalue, rel=RTOL)
        assert got.df == pytest.approx(ref.df, rel=RTOL)
        assert (got.ci.low, got.ci.high) == pytest.approx((ci.low, ci.high), rel=RTOL)
        assert got.estimate == pytest.approx(a.mean() - b.mean())
        assert got.significant == (got.p_value < 0.05)


def test_welch_df_is_welch_satterthwaite() -> None:
    a, b = sample_pair(1)
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    assert welch_t(a, b).df == pytest.approx(df, rel=1e-12)


@pytest.mark.parametrize("seed", range(CASES))
def test_paired_t_matches_scipy(seed: int) -> None:
    a, b = paired_sample(seed)
    alternative = ALTERNATIVES[seed % 3]
    got = paired_t(a, b, alternative)
    ref = stats.ttest_rel(a, b, alternative=alternative)
    ci = ref.confidence_interval(0.95)
    assert got.statistic == pytest.approx(ref.statistic, rel=RTOL)
    assert got.p_value == pytest.approx(ref.pvalue, rel=RTOL)
    assert (got.ci.low, got.ci.high) == pytest.approx((ci.low, ci.high), rel=RTOL)
    assert got.effect_size is not None and got.effect_size.name == "d_z"


@pytest.mark.parametrize("seed", range(CASES))
def test_anova_and_kruskal_match_scipy(seed: int) -> None:
    rng = np.random.default_rng(2000 + seed)
    groups = [rng.normal(i * 0.3, 1 + i % 2, int(rng.integers(3, 40))) for i in range(2 + seed % 4)]
    if seed % 4 == 1:
        groups = [np.round(g) for g in groups]
    got, ref = one_way_anova(*groups), stats.f_oneway(*groups)
    assert got.statistic == pytest.approx(ref.statistic, rel=RTOL)
    assert got.p_value == pytest.approx(ref.pvalue, rel=RTOL)
    n = sum(g.size for g in groups)
    assert (got.df, got.df2) == (len(groups) - 1, n - len(groups))
    got, ref = kruskal(*groups), stats.kruskal(*groups)
    assert got.statistic == pytest.approx(ref.statistic, rel=RTOL)
    assert got.p_value == pytest.approx(ref.pvalue, rel=RTOL)


@pytest.mark.parametrize("seed", range(CASES))
def test_mann_whitney_matches_scipy(seed: int) -> None:
    a, b = sample_pair(seed)
    if seed % 7 == 0:  # small samples, no ties: scipy's exact distribution
        a, b = a[:6], b[:7]
    alternative = ALTERNATIVES[seed % 3]
    got = mann_whitney(a, b, alternative)
    ref = stats.mannwhitneyu(a, b, alternative=alternative)
    assert got.statistic == pytest.approx(ref.statistic, rel=RTOL)
    assert got.p_value == pytest.approx(ref.pvalue, rel=RTOL)
    r = 2 * ref.statistic / (a.size * b.size) - 1
    assert got.effect_size is not None and got.effect_size.value == pytest.approx(r)


def test_mann_whitney_names_the_method() -> None:
    assert "exact" in mann_whitney([1.0, 2, 3], [4.0, 5, 6]).notes[0]
    tied = mann_whitney([1.0, 1, 2, 3], [2.0, 4, 5, 6])
    assert any("ties" in note for note in tied.notes)


@pytest.mark.parametrize("seed", range(CASES))
def test_wilcoxon_matches_scipy(seed: int) -> None:
    a, b = paired_sample(seed)
    alternative = ALTERNATIVES[seed % 3]
    got = wilcoxon(a, b, alternative)
    ref = stats.wilcoxon(a, b, correction=False, alternative=alternative)
    assert got.statistic == pytest.approx(ref.statistic, rel=RTOL)
    assert got.p_value == pytest.approx(ref.pvalue, rel=RTOL)
    assert got.estimate == pytest.approx(np.median(a - b))


def test_constant_data_gives_notes_not_nan() -> None:
    same = student_t([2.0, 2, 2], [2.0, 2, 2])
    assert (same.statistic, same.p_value) == (0.0, 1.0)
    assert "constant" in same.notes[0]
    apart = welch_t([1.0, 1, 1], [2.0, 2, 2])
    assert apart.statistic == -np.inf and apart.p_value == 0.0 and apart.significant
    assert apart.ci is not None and apart.ci.low == apart.ci.high == -1.0
    shift = paired_t([1.0, 2, 3], [0.0, 1, 2])
    assert shift.statistic == np.inf and "constant" in shift.notes[0]
    flat = one_way_anova([1.0, 1], [1.0, 1], [1.0, 1])
    assert (flat.statistic, flat.p_value) == (0.0, 1.0)
    assert one_way_anova([1.0, 1], [2.0, 2]).statistic == np.inf
    assert mann_whitney([3.0, 3], [3.0, 3, 3]).p_value == 1.0
    assert kruskal([3.0, 3], [3.0, 3]).p_value == 1.0
    zero = wilcoxon([1.0, 2, 3], [1.0, 2, 3])
    assert zero.p_value == 1.0 and "all pairs are equal" in zero.notes[0]


def test_bad_inputs_raise_clear_value_errors() -> None:
    with pytest.raises(StatsError, match="at least 2"):
        welch_t([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="NaN"):
        student_t([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(ValueError, match="differ in length"):
        paired_t([1.0, 2, 3], [1.0, 2])
    with pytest.raises(ValueError, match="alternative"):
        welch_t([1.0, 2], [3.0, 4], "bigger")
    with pytest.raises(ValueError, match="groups"):
        one_way_anova([1.0, 2.0])
