"""Effect sizes against textbook formulas and scipy's ANOVA, with interpretation bands."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from kitchen.stats import (
    StatsError,
    cohens_d,
    cohens_h,
    eta_squared,
    glass_delta,
    hedges_g,
    interpret_d,
    interpret_eta,
    omega_squared,
    paired_d,
)
from tests.stats.conftest import CASES, paired_sample, sample_pair


@pytest.mark.parametrize("seed", range(CASES))
def test_standardised_differences(seed: int) -> None:
    a, b = sample_pair(seed)
    n1, n2 = a.size, b.size
    pooled = math.sqrt(((n1 - 1) * a.var(ddof=1) + (n2 - 1) * b.var(ddof=1)) / (n1 + n2 - 2))
    d = (a.mean() - b.mean()) / pooled
    assert cohens_d(a, b).value == pytest.approx(d, rel=1e-12)
    df = n1 + n2 - 2
    j = math.gamma(df / 2) / (math.sqrt(df / 2) * math.gamma((df - 1) / 2))
    assert hedges_g(a, b).value == pytest.approx(d * j, rel=1e-9)
    # The usual approximation J ≈ 1 − 3/(4·df − 1) is within 0.1 % here.
    assert hedges_g(a, b).value == pytest.approx(d * (1 - 3 / (4 * df - 1)), rel=1e-3)
    assert glass_delta(b, a).value == pytest.approx((a.mean() - b.mean()) / b.std(ddof=1))
    x, y = paired_sample(seed)
    assert paired_d(x, y).value == pytest.approx((x - y).mean() / (x - y).std(ddof=1))


@pytest.mark.parametrize("seed", range(CASES))
def test_variance_explained_matches_the_f_statistic(seed: int) -> None:
    rng = np.random.default_rng(3000 + seed)
    groups = [rng.normal(i * 0.4, 1, int(rng.integers(3, 30))) for i in range(2 + seed % 4)]
    f = stats.f_oneway(*groups).statistic
    df1, df2 = len(groups) - 1, sum(g.size for g in groups) - len(groups)
    assert eta_squared(*groups).value == pytest.approx(f * df1 / (f * df1 + df2), rel=1e-9)
    assert omega_squared(*groups).value == pytest.approx(
        (f - 1) * df1 / (f * df1 + df2 + 1), rel=1e-9
    )


def test_interpretation_bands_follow_crucible() -> None:
    bands = [(0.19, "negligible"), (0.2, "small"), (0.49, "small"), (0.5, "medium")]
    bands += [(0.79, "medium"), (0.8, "large"), (-0.9, "large")]
    assert [interpret_d(v) for v, _ in bands] == [label for _, label in bands]
    eta = [(0.009, "negligible"), (0.01, "small"), (0.06, "medium"), (0.14, "large")]
    assert [interpret_eta(v) for v, _ in eta] == [label for _, label in eta]


def test_d_ci_covers_the_estimate_and_shrinks_with_n() -> None:
    rng = np.random.default_rng(5)
    small = cohens_d(rng.normal(0.5, 1, 20), rng.normal(0, 1, 20))
    large = cohens_d(rng.normal(0.5, 1, 2000), rng.normal(0, 1, 2000))
    assert small.ci is not None and large.ci is not None
    assert small.ci.contains(small.value) and large.ci.contains(0.5)
    assert large.ci.high - large.ci.low < small.ci.high - small.ci.low


def test_cohens_h_and_degenerate_inputs() -> None:
    assert cohens_h(0.5, 0.5).value == 0.0
    assert cohens_h(0.9, 0.5).value == pytest.approx(2 * math.asin(math.sqrt(0.9)) - math.pi / 2)
    assert cohens_d([1.0, 1.0], [1.0, 1.0]).value == 0.0
    inf = cohens_d([2.0, 2.0], [1.0, 1.0])
    assert inf.value == math.inf and inf.interpretation == "large" and inf.ci is None
    assert eta_squared([1.0, 1.0], [1.0, 1.0]).value == 0.0
    with pytest.raises(StatsError):
        cohens_d([1.0], [2.0, 3.0])
