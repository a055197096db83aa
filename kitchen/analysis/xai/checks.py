"""Checks on explanations: additivity/completeness and stability across seeds or backgrounds.

- Additivity (SHAP) and completeness (integrated gradients) are the same identity —
  base value + Σ attributions = f(x) — so one check covers both: :func:`additivity`.
- Stability: explain the same examples twice (another seed, a perturbed background) and
  compare the two attribution vectors per example with Spearman's rank correlation, plus the
  rank correlation of the two global importances. An explanation whose ranking changes with
  the seed says more about the sampler than about the model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from kitchen.analysis.xai.explanation import Explanation
from kitchen.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Additivity:
    """How far base value + Σ attributions is from the model output, over the examples."""

    max_gap: float
    mean_gap: float
    examples: int
    holds: bool
    tolerance: float


def additivity(explanation: Explanation, *, tolerance: float = 1e-6) -> Additivity:
    """The additivity (SHAP) or completeness (IG) gap of ``explanation``.

    Raises:
        ConfigError: the method has no base value (LIME, occlusion).
    """
    gaps = explanation.gaps()
    if not gaps:
        raise ConfigError(
            f"{explanation.method} has no base value + output to check additivity against"
        )
    worst = float(max(gaps))
    return Additivity(
        max_gap=worst,
        mean_gap=float(sum(gaps) / len(gaps)),
        examples=len(gaps),
        holds=worst <= tolerance,
        tolerance=tolerance,
    )


def spearman(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    """Spearman's rank correlation (NaN when either side is constant)."""
    from scipy.stats import spearmanr

    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if x.shape != y.shape:
        raise ConfigError(f"rank correlation of vectors of different lengths {x.shape}, {y.shape}")
    if len(x) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(spearmanr(x, y).statistic)


def kendall(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    """Kendall's tau-b (NaN when either side is constant)."""
    from scipy.stats import kendalltau

    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if x.shape != y.shape:
        raise ConfigError(f"rank correlation of vectors of different lengths {x.shape}, {y.shape}")
    if len(x) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(kendalltau(x, y).statistic)


@dataclass(frozen=True, slots=True)
class Stability:
    """Agreement of two explanations of the same examples.

    Attributes:
        mean_spearman: Mean over examples of the rank correlation of |attributions|.
        min_spearman: The least stable example's correlation.
        global_spearman: Rank correlation of the two global importances.
        examples: How many examples were compared (those whose features line up).
    """

    mean_spearman: float
    min_spearman: float
    global_spearman: float
    examples: int

    def to_dict(self) -> dict[str, float | int | None]:
        """JSON-safe figures (NaN becomes None)."""
        out: dict[str, float | int | None] = {}
        for key, value in asdict(self).items():
            out[key] = None if isinstance(value, float) and math.isnan(value) else value
        return out


def stability(first: Explanation, second: Explanation) -> Stability:
    """Compare two explanations of the same examples (e.g. two seeds of LIME or kernel SHAP).

    Examples whose features differ (another tokenisation) are skipped; magnitudes are ranked,
    because a stable explanation keeps the same features important whatever their sign.

    Raises:
        ConfigError: the explanations cover different numbers of examples or none line up.
    """
    if len(first.examples) != len(second.examples):
        raise ConfigError(
            f"stability compares the same examples: {len(first.examples)} vs {len(second.examples)}"
        )
    per_example = [
        spearman(np.abs(a.values), np.abs(b.values))
        for a, b in zip(first.examples, second.examples, strict=True)
        if a.features == b.features
    ]
    if not per_example:
        raise ConfigError("no example has the same features in both explanations")
    finite = [r for r in per_example if not math.isnan(r)]
    return Stability(
        mean_spearman=float(np.mean(finite)) if finite else float("nan"),
        min_spearman=float(min(finite)) if finite else float("nan"),
        global_spearman=_aligned(first.global_importance(), second.global_importance()),
        examples=len(per_example),
    )


def _aligned(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    names = sorted(set(a) | set(b))
    return spearman([a.get(n, 0.0) for n in names], [b.get(n, 0.0) for n in names])
