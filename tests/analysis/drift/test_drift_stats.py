"""The drift statistics against scipy, hand computations and direct definitions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps
from scipy.spatial.distance import jensenshannon

from kitchen.analysis.drift import stats as S
from kitchen.analysis.drift.sketch import Reservoir
from kitchen.errors import StatsError

SEEDS = range(120)


def pair(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Samples of varied sizes and shapes, a third of them with heavy ties."""
    rng = np.random.default_rng(seed)
    n, m = (int(v) for v in rng.integers(1, 400, size=2))
    if seed % 3 == 0:
        return rng.integers(0, 6, n).astype(float), rng.integers(1, 7, m).astype(float)
    if seed % 3 == 1:
        return rng.normal(0, 1, n), rng.normal(0.3, 1.5, m)
    return rng.exponential(1, n), rng.lognormal(0, 0.7, m)


@pytest.mark.parametrize("seed", SEEDS)
def test_ks_matches_scipy(seed: int) -> None:
    a, b = pair(seed)
    ours = S.ks_2samp(a, b)
    theirs = sps.ks_2samp(a, b, method="asymp")
    assert ours.statistic == pytest.approx(theirs.statistic, abs=1e-9)
    assert ours.p_value == pytest.approx(theirs.pvalue, abs=1e-9)


def test_ks_on_a_sample_against_a_big_window_matches_scipy() -> None:
    rng = np.random.default_rng(7)
    reference, current = rng.normal(size=3000), rng.normal(0.05, 1, size=200_000).round(2)
    ours = S.ks_sorted(np.sort(reference), np.sort(current))
    theirs = sps.ks_2samp(reference, current, method="asymp")
    assert ours.statistic == pytest.approx(theirs.statistic, abs=1e-12)
    assert ours.p_value == pytest.approx(theirs.pvalue, abs=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_wasserstein_matches_scipy(seed: int) -> None:
    a, b = pair(seed)
    assert S.wasserstein(a, b) == pytest.approx(sps.wasserstein_distance(a, b), abs=1e-9)


def test_wasserstein_of_a_shift_is_the_shift() -> None:
    values = np.random.default_rng(0).normal(size=500)
    assert S.wasserstein(values, values + 2.5) == pytest.approx(2.5, abs=1e-12)


@pytest.mark.parametrize("seed", range(60))
def test_chi_square_matches_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 9))
    ref = rng.integers(0, 50, k)
    cur = rng.integers(0, 50, k)
    ref[0] += 1  # no all-zero side
    cur[-1] += 1
    ours = S.chi_square(ref, cur)
    table = np.vstack([ref, cur])
    table = table[:, table.sum(axis=0) > 0]
    theirs = sps.chi2_contingency(table, correction=False)
    assert ours.statistic == pytest.approx(theirs.statistic, abs=1e-9)
    assert ours.p_value == pytest.approx(theirs.pvalue, abs=1e-9)


def test_chi_square_of_one_shared_category_is_no_evidence() -> None:
    assert S.chi_square([10, 0], [7, 0]) == S.TestResult(0.0, 1.0)


def test_psi_by_hand() -> None:
    # p = (.5, .3, .2), q = (.3, .3, .4)
    expected = (0.3 - 0.5) * math.log(0.3 / 0.5) + 0 + (0.4 - 0.2) * math.log(0.4 / 0.2)
    assert S.psi([50, 30, 20], [3, 3, 4]) == pytest.approx(expected, abs=1e-12)
    assert S.psi([5, 5], [5, 5]) == 0.0


def test_psi_uses_the_stated_epsilon_for_empty_bins() -> None:
    eps = S.PSI_EPSILON
    # p = (1, 0) -> (1, eps); q = (.5, .5)
    expected = (0.5 - 1.0) * math.log(0.5 / 1.0) + (0.5 - eps) * math.log(0.5 / eps)
    assert S.psi([10, 0], [1, 1]) == pytest.approx(expected, abs=1e-12)


def test_js_distance_by_hand_and_against_scipy() -> None:
    # p = (1, 0), q = (0, 1): disjoint supports -> distance 1 (base 2).
    assert S.js_distance([4, 0], [0, 9]) == pytest.approx(1.0, abs=1e-12)
    # p = (.5, .5), q = (1, 0): m = (.75, .25)
    kl_p = 0.5 * math.log2(0.5 / 0.75) + 0.5 * math.log2(0.5 / 0.25)
    kl_q = 1.0 * math.log2(1.0 / 0.75)
    assert S.js_distance([1, 1], [2, 0]) == pytest.approx(math.sqrt((kl_p + kl_q) / 2), abs=1e-12)
    rng = np.random.default_rng(3)
    for _ in range(30):
        p, q = rng.integers(0, 20, 6) + 1, rng.integers(0, 20, 6)
        assert S.js_distance(p, q) == pytest.approx(jensenshannon(p, q, base=2), abs=1e-9)


def test_quantile_edges_give_each_value_of_a_discrete_feature_a_bin() -> None:
    edges = S.quantile_edges([3.0] * 50)
    assert edges.tolist() == [np.nextafter(3.0, -np.inf), 3.0]
    # A new value, above or below, lands in a bin the reference left empty.
    counts = S.bin_counts([3.0] * 10 + [7.0] * 5 + [1.0] * 2, edges)
    assert counts.tolist() == [2, 10, 5]
    assert S.psi(S.bin_counts([3.0] * 50, edges), S.bin_counts([1.0] * 50, edges)) > 5
    edges = S.quantile_edges(np.arange(1000.0), bins=4)
    assert edges.tolist() == pytest.approx([249.75, 499.5, 749.25])


def _mmd2_direct(x: np.ndarray, y: np.ndarray, sigma: float) -> float:
    def k(a: np.ndarray, b: np.ndarray) -> float:
        return math.exp(-float(np.sum((a - b) ** 2)) / (2 * sigma * sigma))

    n, m = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(n) for j in range(m)) / (n * m)
    return xx + yy - 2 * xy


@pytest.mark.parametrize("seed", range(6))
def test_mmd_matches_a_direct_computation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(int(rng.integers(5, 25)), 4))
    y = rng.normal(0.3 * seed, 1, size=(int(rng.integers(5, 25)), 4))
    pooled = np.vstack([x, y])
    distances = [
        float(np.linalg.norm(pooled[i] - pooled[j]))
        for i in range(len(pooled))
        for j in range(i + 1, len(pooled))
    ]
    sigma = float(np.median(distances))
    result = S.mmd_test(x, y, permutations=200, seed=seed)
    assert result.bandwidth == pytest.approx(sigma, rel=1e-9)
    assert result.mmd2 == pytest.approx(_mmd2_direct(x, y, sigma), abs=1e-9)


def test_mmd_permutations_match_direct_relabellings() -> None:
    rng = np.random.default_rng(11)
    x, y = rng.normal(size=(12, 3)), rng.normal(0.8, 1, size=(9, 3))
    pooled = np.vstack([x, y])
    sigma = S.median_bandwidth(pooled)
    kernel = np.exp(-S.squared_distances(pooled, pooled) / (2 * sigma * sigma))
    orders = [rng.permutation(len(pooled)) for _ in range(5)]
    indicator = np.zeros((len(pooled), 5))
    for column, order in enumerate(orders):
        indicator[order[:12], column] = 1.0
    batch = S._mmd2_batch(kernel, indicator, 12)
    for column, order in enumerate(orders):
        direct = _mmd2_direct(pooled[order[:12]], pooled[order[12:]], sigma)
        assert batch[column] == pytest.approx(direct, abs=1e-9)


def test_mmd_p_value_is_seeded_and_bounded() -> None:
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(40, 8)), rng.normal(size=(40, 8))
    first = S.mmd_test(x, y, permutations=300, seed=1)
    assert first == S.mmd_test(x, y, permutations=300, seed=1)
    assert 1 / 301 <= first.p_value <= 1.0
    far = S.mmd_test(x, y + 1.5, permutations=300, seed=1)
    assert far.p_value == pytest.approx(1 / 301)


def test_centroid_distance() -> None:
    assert S.centroid_distance([[1.0, 0.0], [1.0, 0.2]], [[2.0, 0.2]]) == pytest.approx(0.0)
    assert S.centroid_distance([[1.0, 0.0]], [[0.0, 3.0]]) == pytest.approx(1.0)
    assert S.centroid_distance([[1.0, 0.0]], [[-1.0, 0.0]]) == pytest.approx(2.0)


def test_bad_inputs_name_the_sample() -> None:
    with pytest.raises(StatsError, match="current sample is empty"):
        S.ks_2samp([1.0], [])
    with pytest.raises(StatsError, match="reference sample has NaN"):
        S.wasserstein([1.0, float("nan")], [2.0])
    with pytest.raises(StatsError, match="same bins"):
        S.psi([1, 2], [1, 2, 3])


def test_reservoir_is_uniform_and_seeded() -> None:
    # Each of 50 items should land in a 10-slot reservoir with probability 1/5.
    hits = np.zeros(50)
    for trial in range(2000):
        reservoir = Reservoir(10, np.random.default_rng(trial))
        for start in range(0, 50, 7):  # uneven chunks
            reservoir.add(np.arange(start, min(start + 7, 50)))
        hits[reservoir.sample().astype(int)] += 1
    share = hits / 2000
    # Binomial(2000, 0.2): sd 0.0089; 5 sd on each of 50 items.
    assert np.all(np.abs(share - 0.2) < 0.045)
    one, two = Reservoir(10, np.random.default_rng(1)), Reservoir(10, np.random.default_rng(1))
    one.add(np.arange(100.0))
    two.add(np.arange(100.0))
    assert one.sample().tolist() == two.sample().tolist()
