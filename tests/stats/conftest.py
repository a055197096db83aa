"""Seeded random inputs shared by the statistics tests."""

from __future__ import annotations

import numpy as np

CASES = 50


def sample_pair(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two samples of varied size, shape, spread and ties, fixed by ``seed``."""
    rng = np.random.default_rng(seed)
    n1, n2 = rng.integers(3, 60, size=2)
    kind = seed % 5
    if kind == 0:  # normal, equal variances
        return rng.normal(0, 1, n1), rng.normal(0.4, 1, n2)
    if kind == 1:  # unequal variances
        return rng.normal(0, 1, n1), rng.normal(0.5, 3, n2)
    if kind == 2:  # skewed
        return rng.exponential(1, n1), rng.exponential(1.6, n2)
    if kind == 3:  # heavy ties
        return rng.integers(0, 5, n1).astype(float), rng.integers(1, 6, n2).astype(float)
    return rng.lognormal(0, 1, n1), rng.normal(2, 0.5, n2)


def paired_sample(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two paired samples of equal length with varied differences."""
    rng = np.random.default_rng(1000 + seed)
    n = int(rng.integers(5, 80))
    a = rng.normal(0, 1, n) if seed % 2 else rng.exponential(2, n)
    b = a + rng.normal(0.3, 1, n)
    if seed % 5 == 3:
        b = np.round(b)
        a = np.round(a)
    return a, b
