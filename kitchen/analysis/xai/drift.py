"""Attribution drift: did two model versions start relying on different features?

Accuracy can stay flat while a retrained model shifts its weight from a causal feature to a
proxy; comparing explanations catches that. Given two explanations of the *same* examples
(a shared probe set) by two versions, we compare:

- the global importances (mean |attribution| per feature or token): Spearman and Kendall rank
  correlation, overlap of the top-k features (|top_a ∩ top_b| / k), and the L1 distance of the
  importances normalised to sum 1 (0: same profile, 2: disjoint);
- per example (text: per token, same tokenizer), the mean Spearman correlation of |attr|.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kitchen.analysis.xai.checks import kendall, spearman, stability
from kitchen.analysis.xai.explanation import Explanation, jsonable
from kitchen.errors import ConfigError


@dataclass(frozen=True, slots=True)
class AttributionDrift:
    """How the attributions of version B differ from version A's."""

    spearman: float
    kendall: float
    top_k: int
    top_k_overlap: float
    l1_distance: float
    per_example_spearman: float | None
    features: int
    changed: tuple[dict[str, Any], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return jsonable(  # type: ignore[no-any-return]
            {
                "spearman": self.spearman,
                "kendall": self.kendall,
                "top_k": self.top_k,
                "top_k_overlap": self.top_k_overlap,
                "l1_distance": self.l1_distance,
                "per_example_spearman": self.per_example_spearman,
                "features": self.features,
                "changed": list(self.changed),
            }
        )


def compare_importances(
    a: Mapping[str, float], b: Mapping[str, float], *, k: int = 10
) -> AttributionDrift:
    """Drift between two global importance maps (feature → mean |attribution|).

    A feature missing on one side counts as 0 there. ``changed`` lists the features whose
    normalised importance moved most.

    Raises:
        ConfigError: both maps are empty or ``k`` < 1.
    """
    if k < 1:
        raise ConfigError(f"top-k overlap needs k ≥ 1, got {k}")
    names = sorted(set(a) | set(b))
    if not names:
        raise ConfigError("attribution drift of two empty importance maps")
    x = np.array([abs(a.get(n, 0.0)) for n in names])
    y = np.array([abs(b.get(n, 0.0)) for n in names])
    k = min(k, len(names))
    top_a = {names[i] for i in np.argsort(-x, kind="stable")[:k]}
    top_b = {names[i] for i in np.argsort(-y, kind="stable")[:k]}
    nx = x / x.sum() if x.sum() > 0 else x
    ny = y / y.sum() if y.sum() > 0 else y
    moved = np.argsort(-np.abs(ny - nx), kind="stable")[:k]
    return AttributionDrift(
        spearman=spearman(x, y),
        kendall=kendall(x, y),
        top_k=k,
        top_k_overlap=len(top_a & top_b) / k,
        l1_distance=float(np.abs(nx - ny).sum()),
        per_example_spearman=None,
        features=len(names),
        changed=tuple(
            {"feature": names[i], "before": float(nx[i]), "after": float(ny[i])} for i in moved
        ),
    )


def attribution_drift(before: Explanation, after: Explanation, *, k: int = 10) -> AttributionDrift:
    """Drift between explanations of the same probe set by two model versions.

    Raises:
        ConfigError: different methods, or different numbers of examples.
    """
    if before.method != after.method:
        raise ConfigError(f"compare explanations of one method: {before.method} vs {after.method}")
    drift = compare_importances(before.global_importance(), after.global_importance(), k=k)
    per_example = stability(before, after).mean_spearman
    return AttributionDrift(
        spearman=drift.spearman,
        kendall=drift.kendall,
        top_k=drift.top_k,
        top_k_overlap=drift.top_k_overlap,
        l1_distance=drift.l1_distance,
        per_example_spearman=None if math.isnan(per_example) else per_example,
        features=drift.features,
        changed=drift.changed,
    )
