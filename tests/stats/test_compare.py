"""Automatic test choice, multiple groups, verdicts and the public surface."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import kitchen.stats as ks
from kitchen.stats import compare, compare_multiple, mcnemar, verdict


def test_normal_unpaired_data_get_welch() -> None:
    rng = np.random.default_rng(0)
    result = compare(rng.normal(1, 1, 40), rng.normal(0, 3, 40))
    assert result.test == "Welch t"
    assert any("Welch t chosen" in n for n in result.notes)
    assert any("Brown-Forsythe" in n for n in result.notes)
    assert result.effect_size is not None and result.effect_size.interpretation
    assert result.ci is not None


def test_skewed_data_get_mann_whitney_with_bootstrap_ci() -> None:
    rng = np.random.default_rng(1)
    result = compare(rng.exponential(1, 60), rng.exponential(3, 60))
    assert result.test == "Mann-Whitney U"
    assert any("normality rejected" in n for n in result.notes)
    assert result.ci is not None and "bootstrap" in result.ci.method
    assert result.extra_effects[0].name == "d"


def test_paired_choice_and_small_samples() -> None:
    rng = np.random.default_rng(2)
    a = rng.normal(0, 1, 50)
    assert compare(a, a + rng.normal(0.5, 1, 50), paired=True).test == "paired t"
    skewed = compare(a, a + rng.exponential(1, 50) ** 3, paired=True)
    assert skewed.test == "Wilcoxon signed-rank" and skewed.ci is not None
    tiny = compare([1.0, 2, 3], [2.0, 3, 5])
    assert tiny.test == "Welch t" and any("normality assumed" in n for n in tiny.notes)
    assert compare([1.0, 2, 3], [2.0, 3, 5], check_assumptions=False).test == "Welch t"


def test_large_samples_use_the_skew_kurtosis_rule() -> None:
    rng = np.random.default_rng(3)
    result = compare(rng.uniform(0, 1, 6000), rng.uniform(0.02, 1, 6000))
    assert result.test == "Welch t" and any("skewness" in n for n in result.notes)


def test_compare_multiple_corrects_pairwise_tests() -> None:
    rng = np.random.default_rng(4)
    groups = [rng.normal(m, 1, 30) for m in (0.0, 0.1, 1.0)]
    out = compare_multiple(*groups, labels=["a", "b", "c"])
    assert out.omnibus.test == "one-way ANOVA" and out.omnibus.significant
    assert out.omnibus.extra_effects[0].name == "ω²"
    assert [(p.first, p.second) for p in out.pairwise] == [("a", "b"), ("a", "c"), ("b", "c")]
    assert out.correction.method == "holm"
    for pair in out.pairwise:
        assert pair.adjusted_p >= pair.result.p_value
    skewed = compare_multiple(*[rng.exponential(s, 40) for s in (1, 1, 4)], correction="bonferroni")
    assert skewed.omnibus.test == "Kruskal-Wallis H"
    assert {e.name for e in skewed.omnibus.extra_effects} == {"η²", "ω²"}


def test_verdicts_read_well() -> None:
    a = np.r_[np.ones(700), np.zeros(300)].astype(bool)
    b = a.copy()
    b[:60] = False  # B loses 60 items A gets right
    b[900:910] = True  # and wins 10
    line = verdict(mcnemar(a, b), ("A", "B"))
    assert line.startswith("A is better than B: +5.0 points (95% CI")
    assert "McNemar" in line and "(h = " in line
    flipped = verdict(mcnemar(b, a), ("A", "B"))
    assert flipped.startswith("B is better than A: +5.0 points")
    even = verdict(compare([1.0, 2, 3, 4], [2.0, 1, 4, 3]))
    assert even.startswith("No significant difference between A and B")
    omnibus = verdict(compare_multiple([1.0, 2, 3], [7.0, 8, 9], [1.0, 2, 4]).omnibus)
    assert omnibus.startswith("Groups differ")


def test_public_api_and_lazy_scipy() -> None:
    assert sorted(ks.__all__) == ks.__all__
    for name in ks.__all__:
        assert getattr(ks, name) is not None
    code = "import sys, kitchen; assert 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("bad", [[1.0], [np.nan, 1.0, 2.0]])
def test_compare_rejects_unusable_samples(bad: list[float]) -> None:
    with pytest.raises(ValueError):
        compare(bad, [1.0, 2.0, 3.0])
