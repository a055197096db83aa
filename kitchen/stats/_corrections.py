"""Multiple-comparison corrections: Bonferroni, Holm (1979), Benjamini–Hochberg (1995).

Adjusted p-values are the same as ``statsmodels.stats.multitest.multipletests`` with methods
``"bonferroni"``, ``"holm"`` and ``"fdr_bh"``: each is capped at 1, Holm's are made monotone
non-decreasing in the sorted order and BH's non-increasing from the largest p down.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from kitchen.stats._results import ArrayLike, FloatArray, StatsError, check_probability

Method = Literal["bonferroni", "holm", "benjamini-hochberg"]


@dataclass(frozen=True)
class CorrectionResult:
    """Corrected p-values of a family of tests, in the caller's order.

    Attributes:
        method: ``"bonferroni"``, ``"holm"`` or ``"benjamini-hochberg"``.
        p_values: The raw p-values.
        adjusted: Adjusted p-values (compare them with ``alpha`` directly).
        reject: Whether each null hypothesis is rejected.
        alpha: Family-wise error rate (Bonferroni, Holm) or false discovery rate (BH).
    """

    method: Method
    p_values: tuple[float, ...]
    adjusted: tuple[float, ...]
    reject: tuple[bool, ...]
    alpha: float


def _p_values(pvalues: ArrayLike) -> FloatArray:
    p = np.asarray(pvalues, dtype=np.float64).reshape(-1)
    if p.size == 0:
        raise StatsError("no p-values to correct")
    if not np.all((p >= 0) & (p <= 1)):
        raise StatsError("p-values must lie in [0, 1] (NaN is not allowed)")
    return p


def _result(method: Method, p: FloatArray, adjusted: FloatArray, alpha: float) -> CorrectionResult:
    adjusted = np.minimum(adjusted, 1.0)
    return CorrectionResult(
        method,
        tuple(float(v) for v in p),
        tuple(float(v) for v in adjusted),
        tuple(bool(v) for v in adjusted <= alpha),
        alpha,
    )


def bonferroni(pvalues: ArrayLike | Sequence[float], alpha: float = 0.05) -> CorrectionResult:
    """Bonferroni: p·m, controlling the family-wise error rate."""
    alpha = check_probability(alpha, "alpha")
    p = _p_values(pvalues)
    return _result("bonferroni", p, p * p.size, alpha)


def holm(pvalues: ArrayLike | Sequence[float], alpha: float = 0.05) -> CorrectionResult:
    """Holm's step-down: sorted p₍ᵢ₎·(m − i + 1), running maximum (Holm 1979)."""
    alpha = check_probability(alpha, "alpha")
    p = _p_values(pvalues)
    order = np.argsort(p, kind="mergesort")
    m = p.size
    stepped = np.maximum.accumulate(np.minimum(p[order] * (m - np.arange(m)), 1.0))
    adjusted = np.empty(m)
    adjusted[order] = stepped
    return _result("holm", p, adjusted, alpha)


def benjamini_hochberg(pvalues: ArrayLike | Sequence[float], fdr: float = 0.05) -> CorrectionResult:
    """Benjamini–Hochberg step-up: sorted p₍ᵢ₎·m/i, running minimum from the top (BH 1995).

    Rejections control the false discovery rate at ``fdr`` for independent or positively
    dependent tests.
    """
    fdr = check_probability(fdr, "fdr")
    p = _p_values(pvalues)
    order = np.argsort(p, kind="mergesort")
    m = p.size
    scaled = p[order] * m / np.arange(1, m + 1)
    stepped = np.minimum.accumulate(scaled[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = stepped
    return _result("benjamini-hochberg", p, adjusted, fdr)


def correct(
    pvalues: ArrayLike | Sequence[float], method: Method = "holm", alpha: float = 0.05
) -> CorrectionResult:
    """Apply the named correction (``alpha`` is the FDR for Benjamini–Hochberg)."""
    if method == "bonferroni":
        return bonferroni(pvalues, alpha)
    if method == "holm":
        return holm(pvalues, alpha)
    if method == "benjamini-hochberg":
        return benjamini_hochberg(pvalues, alpha)
    raise StatsError(f"unknown correction {method!r}")
