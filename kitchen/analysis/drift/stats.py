"""The statistics of drift detection: pure functions on NumPy arrays.

Two samples — a *reference* (what the model saw when it was validated) and a *current* window
(what it sees now) — are compared per feature:

- numeric: two-sample Kolmogorov–Smirnov (statistic and p-value), population stability index
  on reference-quantile bins, Jensen–Shannon distance on the same bins, Wasserstein-1;
- categorical: chi-square test of homogeneity (with an "other" bucket for categories the
  reference never saw) and Jensen–Shannon distance of the frequencies;
- embeddings: squared maximum mean discrepancy with an RBF kernel (median-heuristic bandwidth,
  permutation p-value) and the cosine distance between the two centroids.

Functions whose name ends in ``_sorted`` take ascending arrays, so a caller that has sorted a
large window once (or stored a sorted reference sample) never sorts it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kitchen.errors import StatsError

FloatArray = npt.NDArray[np.float64]

PSI_EPSILON = 1e-4
"""Bin proportions below this are raised to it before the PSI's logarithm (an empty bin would
make the index infinite); 1e-4 is the usual choice and caps one empty bin's term at about
``p·ln(p/1e-4)``."""


@dataclass(frozen=True, slots=True)
class TestResult:
    """A test statistic and its p-value."""

    statistic: float
    p_value: float


def _finite(values: npt.ArrayLike, name: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if array.size == 0:
        raise StatsError(f"the {name} sample is empty")
    if not np.all(np.isfinite(array)):
        raise StatsError(f"the {name} sample has NaN or infinite values; drop them first")
    return array


# -- Kolmogorov–Smirnov ---------------------------------------------------------------------


def ks_2samp(reference: npt.ArrayLike, current: npt.ArrayLike) -> TestResult:
    """Two-sample Kolmogorov–Smirnov test, two-sided.

    D = sup_x |F_ref(x) − F_cur(x)| over the empirical CDFs. The p-value is Smirnov's
    asymptotic one, ``P(D_k ≥ D)`` for the one-sample Kolmogorov distribution at the
    effective size k = round(n·m / (n + m)) — exactly ``scipy.stats.ks_2samp(…,
    method="asymp")`` (Smirnov 1948; Hodges 1958). Drift windows hold hundreds to millions of
    values, where the asymptotic form is accurate.
    """
    ref = np.sort(_finite(reference, "reference"))
    cur = np.sort(_finite(current, "current"))
    return ks_sorted(ref, cur)


def ks_sorted(reference: FloatArray, current: FloatArray) -> TestResult:
    """:func:`ks_2samp` on ascending arrays, in O(n + m).

    Between two distinct reference values the reference CDF is flat and the current one
    rises, so the supremum is reached at a reference value or just below the next one: the
    counts of current values ``<`` and ``≤`` each distinct reference value give D exactly.
    """
    n_ref, n_cur = reference.size, current.size
    if n_ref == 0 or n_cur == 0:
        raise StatsError("the Kolmogorov–Smirnov test needs two non-empty samples")
    values, first = np.unique(reference, return_index=True)
    # Reference CDF at each distinct value, and just below it.
    ref_le = np.append(first[1:], n_ref) / n_ref
    ref_below = first / n_ref
    cur_le = np.searchsorted(current, values, side="right") / n_cur
    cur_lt = np.searchsorted(current, values, side="left") / n_cur
    d = max(
        float(np.max(np.abs(ref_le - cur_le))),
        float(np.max(cur_lt - ref_below)),
        # Below the smallest current value and above the largest, the CDFs agree (0 or 1).
        0.0,
    )
    return TestResult(d, ks_p_value(d, n_ref, n_cur))


def ks_p_value(statistic: float, n_ref: int, n_cur: int) -> float:
    """Smirnov's asymptotic two-sided p-value of a two-sample KS statistic (see ks_2samp)."""
    from scipy.stats import kstwo

    large, small = max(n_ref, n_cur), min(n_ref, n_cur)
    effective = float(np.round(large * small / (large + small)))
    return float(np.clip(kstwo.sf(statistic, effective), 0.0, 1.0))


# -- binned distances -----------------------------------------------------------------------


def quantile_edges(reference: npt.ArrayLike, bins: int = 10) -> FloatArray:
    """Inner bin edges at the reference's quantiles 1/bins … (bins−1)/bins, ties merged.

    A value ``x`` falls in bin ``i`` when ``edges[i-1] < x ≤ edges[i]`` (the first bin is
    open below, the last open above). When the reference has at most ``bins`` distinct values
    the edges are those values plus one just below the smallest, so every value keeps a bin of
    its own and a current value outside them (a constant that changed, up or down) lands in a
    bin the reference left empty.
    """
    if bins < 2:
        raise StatsError(f"PSI needs at least 2 bins, got {bins}")
    values = np.sort(_finite(reference, "reference"))
    distinct = np.unique(values)
    if distinct.size <= bins:
        return np.concatenate(([np.nextafter(distinct[0], -np.inf)], distinct))
    return np.unique(np.quantile(values, np.arange(1, bins) / bins))


def bin_counts_sorted(values: FloatArray, edges: FloatArray) -> npt.NDArray[np.int64]:
    """How many of the ascending ``values`` fall in each of the ``len(edges) + 1`` bins."""
    cumulative = np.searchsorted(values, edges, side="right")
    return np.diff(np.concatenate(([0], cumulative, [values.size]))).astype(np.int64)


def bin_counts(values: npt.ArrayLike, edges: FloatArray) -> npt.NDArray[np.int64]:
    """:func:`bin_counts_sorted` for values in any order."""
    return bin_counts_sorted(np.sort(np.asarray(values, dtype=np.float64)), edges)


def _proportions(counts: npt.ArrayLike, name: str) -> FloatArray:
    array = np.asarray(counts, dtype=np.float64).reshape(-1)
    if array.size == 0 or np.any(array < 0) or not np.all(np.isfinite(array)):
        raise StatsError(f"{name} counts must be finite and non-negative")
    total = array.sum()
    if total <= 0:
        raise StatsError(f"{name} counts are all zero")
    shares: FloatArray = array / total
    return shares


def psi(
    reference_counts: npt.ArrayLike, current_counts: npt.ArrayLike, epsilon: float = PSI_EPSILON
) -> float:
    """Population stability index of two histograms over the same bins.

    PSI = Σᵢ (qᵢ − pᵢ)·ln(qᵢ / pᵢ), with p the reference and q the current proportions, each
    first raised to at least ``epsilon`` (:data:`PSI_EPSILON`). Rules of thumb (Siddiqi,
    *Credit Risk Scorecards*, 2006): below 0.1 stable, 0.1–0.2 a moderate shift, above 0.2 a
    significant one.
    """
    p = np.maximum(_proportions(reference_counts, "reference"), epsilon)
    q = np.maximum(_proportions(current_counts, "current"), epsilon)
    if p.size != q.size:
        raise StatsError(f"PSI needs the same bins: {p.size} reference vs {q.size} current")
    return float(np.sum((q - p) * np.log(q / p)))


def js_distance(reference_counts: npt.ArrayLike, current_counts: npt.ArrayLike) -> float:
    """Jensen–Shannon distance (base 2) of two histograms over the same bins, in [0, 1].

    JSD = ½·KL(p‖m) + ½·KL(q‖m) with m = ½(p + q) and logarithms base 2; the distance is
    √JSD (Endres & Schindelin 2003), as ``scipy.spatial.distance.jensenshannon(p, q, 2)``.
    Empty bins need no epsilon: 0·log 0 is 0.
    """
    p = _proportions(reference_counts, "reference")
    q = _proportions(current_counts, "current")
    if p.size != q.size:
        raise StatsError(f"JS needs the same bins: {p.size} reference vs {q.size} current")
    m = 0.5 * (p + q)
    divergence = 0.5 * (_kl2(p, m) + _kl2(q, m))
    return float(np.sqrt(max(divergence, 0.0)))


def _kl2(p: FloatArray, m: FloatArray) -> float:
    nonzero = p > 0
    return float(np.sum(p[nonzero] * np.log2(p[nonzero] / m[nonzero])))


# -- categories -----------------------------------------------------------------------------


def chi_square(reference_counts: npt.ArrayLike, current_counts: npt.ArrayLike) -> TestResult:
    """Chi-square test of homogeneity of two category histograms (a 2×k contingency table).

    X² = Σ (O − E)² / E with E = row total × column total / grand total, k − 1 degrees of
    freedom after dropping categories empty in both samples; no continuity correction, so it
    equals ``scipy.stats.chi2_contingency(table, correction=False)``. Pearson (1900).
    A single shared category (nothing to compare) gives X² = 0, p = 1.
    """
    from scipy.stats import chi2

    ref = np.asarray(reference_counts, dtype=np.float64).reshape(-1)
    cur = np.asarray(current_counts, dtype=np.float64).reshape(-1)
    if ref.size != cur.size:
        raise StatsError(f"chi-square needs the same categories: {ref.size} vs {cur.size}")
    _proportions(ref, "reference")
    _proportions(cur, "current")
    keep = (ref + cur) > 0
    table = np.vstack([ref[keep], cur[keep]])
    if table.shape[1] < 2:
        return TestResult(0.0, 1.0)
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    statistic = float(np.sum((table - expected) ** 2 / expected))
    return TestResult(statistic, float(chi2.sf(statistic, table.shape[1] - 1)))


OTHER = "__other__"
"""The bucket of categories outside the reference's known ones."""


def category_counts(
    values: Sequence[str], categories: Sequence[str]
) -> tuple[npt.NDArray[np.int64], dict[str, int]]:
    """Counts of ``values`` per known category, plus a last bucket for every other value.

    Returns the counts (``len(categories) + 1``: the last is :data:`OTHER`) and the unseen
    values with their counts, most frequent first.
    """
    index = {c: i for i, c in enumerate(categories)}
    counts = np.zeros(len(categories) + 1, dtype=np.int64)
    unseen: dict[str, int] = {}
    for value in values:
        position = index.get(value)
        if position is None:
            counts[-1] += 1
            unseen[value] = unseen.get(value, 0) + 1
        else:
            counts[position] += 1
    ordered = dict(sorted(unseen.items(), key=lambda kv: (-kv[1], kv[0])))
    return counts, ordered


# -- Wasserstein ----------------------------------------------------------------------------


def wasserstein(reference: npt.ArrayLike, current: npt.ArrayLike) -> float:
    """Wasserstein-1 (earth mover's) distance of two samples: ∫ |F_ref(x) − F_cur(x)| dx,
    in the feature's units; equals ``scipy.stats.wasserstein_distance``."""
    ref = np.sort(_finite(reference, "reference"))
    cur = np.sort(_finite(current, "current"))
    return wasserstein_sorted(ref, cur)


def wasserstein_sorted(reference: FloatArray, current: FloatArray) -> float:
    """:func:`wasserstein` on ascending arrays, in O(n + m) without another sort.

    Uses the quantile form W₁ = ∫₀¹ |Q_a(t) − Q_b(t)| dt with ``a`` the smaller sample (W₁ is
    symmetric). Both quantile functions are steps, at multiples of 1/n and 1/m (n ≤ m). Over
    the interval [j/m, (j+1)/m) of ``b[j]``, ``a``'s quantile starts at ``a[⌊jn/m⌋]`` and
    steps at most once (its steps are at least as wide), at some k/n strictly inside the
    interval; then the part after k/n pairs ``b[j]`` with ``a[k]`` instead of ``a[k−1]``.
    So: one pass over ``b`` with ``a``'s starting quantile (a run-length expansion built on
    the n steps), plus a correction on at most n − 1 split intervals; widths are integers in
    units of 1/(n·m).
    """
    n, m = reference.size, current.size
    if n == 0 or m == 0:
        raise StatsError("the Wasserstein distance needs two non-empty samples")
    a, b = (reference, current) if n <= m else (current, reference)
    n, m = a.size, b.size
    k = np.arange(n + 1, dtype=np.int64)
    begins = -(-(k * m) // n)  # first j with ⌊jn/m⌋ = k, i.e. ⌈km/n⌉
    first = np.repeat(np.arange(n), np.diff(begins))  # ⌊jn/m⌋ for every j
    total = n * float(np.abs(a[first] - b).sum())
    steps = k[1:n]
    at = steps * m  # where a steps, in units of 1/(n·m)
    inside = at % n != 0  # strictly inside interval j = ⌊km/n⌋ (not on its start)
    steps, at = steps[inside], at[inside]
    j = at // n
    right = ((j + 1) * n - at).astype(np.float64)
    total += float(np.dot(right, np.abs(a[steps] - b[j]) - np.abs(a[steps - 1] - b[j])))
    return total / (n * m)


# -- embeddings -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MMDResult:
    """Squared MMD (unbiased), its permutation p-value, and the kernel bandwidth used."""

    mmd2: float
    p_value: float
    bandwidth: float
    permutations: int


def _embeddings(values: npt.ArrayLike, name: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] < 2:
        raise StatsError(f"the {name} embeddings must be a [n ≥ 2, d] array, got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise StatsError(f"the {name} embeddings have NaN or infinite values")
    return array


def squared_distances(x: FloatArray, y: FloatArray) -> FloatArray:
    """Pairwise squared Euclidean distances ‖xᵢ − yⱼ‖², clipped at 0 against rounding."""
    d2 = (x * x).sum(1)[:, None] + (y * y).sum(1)[None, :] - 2.0 * (x @ y.T)
    clipped: FloatArray = np.maximum(d2, 0.0)
    return clipped


def median_bandwidth(pooled: FloatArray) -> float:
    """The median heuristic: σ = median of ‖zᵢ − zⱼ‖ over pairs i < j of the pooled sample
    (Gretton et al. 2012); 1.0 when every point coincides."""
    d2 = squared_distances(pooled, pooled)
    upper = d2[np.triu_indices(pooled.shape[0], k=1)]
    sigma = float(np.median(np.sqrt(upper)))
    return sigma if sigma > 0 else 1.0


def mmd2_unbiased(kernel: FloatArray, n_ref: int) -> float:
    """Unbiased MMD² from the pooled kernel matrix whose first ``n_ref`` rows are the reference.

    MMD²ᵤ = Σ_{i≠j} k(xᵢ,xⱼ)/(n(n−1)) + Σ_{i≠j} k(yᵢ,yⱼ)/(m(m−1)) − 2·Σ k(xᵢ,yⱼ)/(n·m)
    (Gretton et al. 2012, eq. 3); it can be slightly negative when the samples agree.
    """
    n = n_ref
    m = kernel.shape[0] - n
    kxx = kernel[:n, :n]
    kyy = kernel[n:, n:]
    kxy = kernel[:n, n:]
    xx = (kxx.sum() - np.trace(kxx)) / (n * (n - 1))
    yy = (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
    return float(xx + yy - 2.0 * kxy.sum() / (n * m))


def mmd_test(
    reference: npt.ArrayLike,
    current: npt.ArrayLike,
    *,
    permutations: int = 1000,
    seed: int = 0,
    bandwidth: float | None = None,
) -> MMDResult:
    """Kernel two-sample test: unbiased MMD² with the RBF kernel k(x, y) = exp(−‖x−y‖²/(2σ²)).

    σ is the median heuristic on the pooled sample unless ``bandwidth`` is given. The p-value
    is (1 + #{permuted MMD² ≥ observed}) / (1 + permutations) over seeded random relabellings
    of the pooled sample (Gretton et al., *A Kernel Two-Sample Test*, JMLR 2012). Every
    permutation reuses the one kernel matrix: with a the 0/1 reference indicator,
    Σ_{x,x} k = aᵀKa, so a batch of permutations is one matrix product.
    """
    ref = _embeddings(reference, "reference")
    cur = _embeddings(current, "current")
    if ref.shape[1] != cur.shape[1]:
        raise StatsError(f"embedding widths differ: {ref.shape[1]} vs {cur.shape[1]}")
    if permutations < 1:
        raise StatsError(f"permutations must be at least 1, got {permutations}")
    pooled = np.vstack([ref, cur])
    sigma = median_bandwidth(pooled) if bandwidth is None else float(bandwidth)
    if not sigma > 0:
        raise StatsError(f"the kernel bandwidth must be positive, got {bandwidth}")
    kernel = np.exp(-squared_distances(pooled, pooled) / (2.0 * sigma * sigma))
    n, total = ref.shape[0], pooled.shape[0]
    observed = mmd2_unbiased(kernel, n)
    rng = np.random.default_rng(seed)
    exceed = 0
    for start in range(0, permutations, 256):
        size = min(256, permutations - start)
        indicator = np.zeros((total, size))
        for column in range(size):
            indicator[rng.permutation(total)[:n], column] = 1.0
        exceed += int(np.sum(_mmd2_batch(kernel, indicator, n) >= observed - 1e-12))
    return MMDResult(observed, (1 + exceed) / (1 + permutations), sigma, permutations)


def _mmd2_batch(kernel: FloatArray, indicator: FloatArray, n: int) -> FloatArray:
    """MMD²ᵤ for each column of ``indicator`` (1 marks the rows relabelled as reference)."""
    total = kernel.shape[0]
    m = total - n
    diagonal = np.diag(kernel)
    grand = kernel.sum()
    row_sums = kernel.sum(axis=1)
    s_xx = np.einsum("ib,ib->b", indicator, kernel @ indicator)
    s_x_all = indicator.T @ row_sums  # Σ over x-rows of all columns
    s_xy = s_x_all - s_xx
    s_yy = grand - 2.0 * s_x_all + s_xx
    diag_x = indicator.T @ diagonal
    diag_y = diagonal.sum() - diag_x
    xx = (s_xx - diag_x) / (n * (n - 1))
    yy = (s_yy - diag_y) / (m * (m - 1))
    result: FloatArray = xx + yy - 2.0 * s_xy / (n * m)
    return result


def centroid_distance(reference: npt.ArrayLike, current: npt.ArrayLike) -> float:
    """Cosine distance 1 − cos(μ_ref, μ_cur) between the two samples' mean embeddings, in
    [0, 2]; 0 when they point the same way (the embedding detector of crucible_feedback)."""
    ref = np.asarray(reference, dtype=np.float64)
    cur = np.asarray(current, dtype=np.float64)
    return centroid_distance_of(ref.mean(axis=0), cur.mean(axis=0))


def centroid_distance_of(reference_centroid: FloatArray, current_centroid: FloatArray) -> float:
    """:func:`centroid_distance` from the two centroids."""
    norms = float(np.linalg.norm(reference_centroid) * np.linalg.norm(current_centroid))
    if norms == 0:
        raise StatsError("a centroid is the zero vector; its direction is undefined")
    return float(1.0 - np.dot(reference_centroid, current_centroid) / norms)
