"""``drift_report``: compare a reference with a current window, feature by feature.

Each feature gets the statistics of its kind (see :mod:`kitchen.analysis.drift.stats`) and a
verdict; the window as a whole drifts when the share of drifted features reaches
``thresholds.drift_share``. The defaults, and why:

- a test flags drift when its p-value, corrected across every tested feature of the report
  (Benjamini–Hochberg by default), is below ``alpha`` = 0.05: KS for numeric features,
  chi-square for categorical ones, the MMD permutation test for embeddings;
- a distance flags drift on its own when it passes a conventional size — PSI > 0.2 (a
  "significant shift"), JS distance > 0.1, centroid cosine distance > 0.15 — but only once
  both windows hold ``distance_min_n`` = 1,000 values: on small samples these distances are
  dominated by noise (with 10 bins PSI's null mean is ≈ 9·(1/n + 1/m), over 0.2 at n = 90);
- severity: ``high`` when a distance passes its threshold, ``moderate`` past half of it,
  ``low`` when only the test fires, ``none`` when the feature did not drift.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from kitchen.analysis.drift.features import FeatureSet
from kitchen.analysis.drift.sketch import (
    FeatureKind,
    ReferenceSketch,
    TextSketch,
    feature_rng,
    sketch_categorical,
    sketch_numeric,
    sketch_text,
)

Severity = Literal["none", "low", "moderate", "high"]
Correction = Literal["benjamini-hochberg", "bonferroni", "holm", "none"]


class DriftThresholds(BaseModel):
    """When a feature, and a window, count as drifted (defaults in the module docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    alpha: float = Field(0.05, gt=0, lt=1, description="level of the corrected tests")
    correction: Correction = Field(
        "benjamini-hochberg", description="multiple-testing correction across features"
    )
    psi: float = Field(0.2, gt=0, description="PSI above this is drift (numeric)")
    js: float = Field(0.1, gt=0, le=1, description="JS distance above this is drift")
    centroid: float = Field(
        0.15, gt=0, le=2, description="centroid cosine distance above this is drift (text)"
    )
    distance_min_n: int = Field(
        1000, ge=1, description="distances count only when both windows have this many values"
    )
    min_ks_statistic: float = Field(
        0.0,
        ge=0,
        le=1,
        description="a significant KS test also needs D at least this (raise it for huge windows)",
    )
    drift_share: float = Field(
        0.5, gt=0, le=1, description="the window drifts when this share of features drifted"
    )
    min_samples: int = Field(
        30, ge=2, description="features with fewer values in either window are not tested"
    )


class DriftOptions(BaseModel):
    """How the statistics are computed (sizes, seed); recorded with every report."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    bins: int = Field(10, ge=2, description="reference-quantile bins for PSI and JS")
    sample_size: int = Field(
        10_000, ge=100, description="reservoir sample per numeric feature in a stored sketch"
    )
    max_categories: int = Field(50, ge=1, description="categories kept; the rest pooled")
    embed: bool = Field(True, description="compare the input and output texts as embeddings")
    embed_sample: int = Field(256, ge=10, description="texts embedded per window")
    permutations: int = Field(1000, ge=10, description="permutations of the MMD test")
    seed: int = Field(0, description="seed of every sample and permutation")


@dataclass(frozen=True)
class FeatureDrift:
    """One feature's comparison.

    Attributes:
        name: The feature (``latency_ms``, ``output.embedding``, ``features.country`` …).
        kind: ``numeric``, ``categorical`` or ``text``.
        n_reference: Values (texts) compared on the reference side.
        n_current: Values (texts) on the current side.
        statistics: Statistic name → value (``ks``, ``psi``, ``js``, ``wasserstein``, ``chi2``,
            ``mmd2``, ``centroid_distance`` …); None where undefined.
        test: The test behind ``p_value`` (``ks``, ``chi2``, ``mmd``), None when untested.
        p_value: The raw p-value.
        p_adjusted: The p-value after the correction across the report's features.
        drifted: Whether the feature drifted.
        severity: ``none``, ``low``, ``moderate`` or ``high``.
        reasons: What made it drift, readable (``psi 0.31 > 0.2``).
        note: Why a feature was not tested, or what else to know (unseen categories).
    """

    name: str
    kind: FeatureKind
    n_reference: int
    n_current: int
    statistics: dict[str, float | None]
    test: str | None = None
    p_value: float | None = None
    p_adjusted: float | None = None
    drifted: bool = False
    severity: Severity = "none"
    reasons: tuple[str, ...] = ()
    note: str = ""
    missing_reference: float = 0.0
    missing_current: float = 0.0


@dataclass(frozen=True)
class DriftReport:
    """The per-feature table and the overall verdict."""

    features: tuple[FeatureDrift, ...]
    drifted: bool
    share: float
    n_reference: int
    n_current: int
    thresholds: DriftThresholds
    options: DriftOptions
    only_in_reference: tuple[str, ...] = ()
    only_in_current: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def tested(self) -> tuple[FeatureDrift, ...]:
        """The features that were compared (enough values on both sides)."""
        return tuple(f for f in self.features if f.test is not None or f.statistics)

    @property
    def drifted_features(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features if f.drifted)

    def verdict(self) -> str:
        """One sentence for a person."""
        tested = len(self.tested)
        drifted = len(self.drifted_features)
        names = ", ".join(self.drifted_features[:5])
        more = f" and {drifted - 5} more" if drifted > 5 else ""
        state = "DRIFT" if self.drifted else "no drift"
        detail = f": {names}{more}" if drifted else ""
        return (
            f"{state} — {drifted} of {tested} features drifted ({self.share:.0%}; the window "
            f"drifts at {self.thresholds.drift_share:.0%}){detail}"
        )

    def summary(self) -> dict[str, Any]:
        """The figures list pages show (the stored analysis summary)."""
        return {
            "drifted": self.drifted,
            "share": _safe(self.share),
            "n_features": len(self.tested),
            "n_drifted": len(self.drifted_features),
            "drifted_features": list(self.drifted_features),
            "n_reference": self.n_reference,
            "n_current": self.n_current,
            "verdict": self.verdict(),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: NaN and infinities become None."""
        return {
            **self.summary(),
            "thresholds": self.thresholds.model_dump(),
            "options": self.options.model_dump(),
            "only_in_reference": list(self.only_in_reference),
            "only_in_current": list(self.only_in_current),
            "notes": list(self.notes),
            "features": [_feature_dict(f) for f in self.features],
        }


def _feature_dict(feature: FeatureDrift) -> dict[str, Any]:
    data = asdict(feature)
    data["statistics"] = {k: _safe(v) for k, v in feature.statistics.items()}
    data["reasons"] = list(feature.reasons)
    for key in ("p_value", "p_adjusted", "missing_reference", "missing_current"):
        data[key] = _safe(data[key])
    return data


def _safe(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def sketch_window(
    features: FeatureSet,
    options: DriftOptions,
    *,
    exact: bool,
    encoder: Any = None,
) -> ReferenceSketch:
    """The sketch of a window: reservoir samples of ``options.sample_size`` (every value when
    ``exact``), category frequencies, and (with ``encoder``) text embeddings."""
    size = None if exact else options.sample_size
    numeric = {
        name: sketch_numeric(
            values, name=name, sample_size=size, bins=options.bins, seed=options.seed
        )
        for name, values in features.numeric.items()
    }
    categorical = {
        name: sketch_categorical(values, max_categories=options.max_categories)
        for name, values in features.categorical.items()
    }
    text: dict[str, TextSketch] = {}
    if options.embed and encoder is not None:
        for name, texts in features.text.items():
            chosen = sample_texts(texts, options.embed_sample, feature_rng(options.seed, name))
            if chosen:
                text[name] = sketch_text(encoder.encode(chosen), n=len(texts), encoder=encoder.name)
    return ReferenceSketch(
        n_events=features.n_events,
        numeric=numeric,
        categorical=categorical,
        text=text,
        seed=options.seed,
        sample_size=options.sample_size,
        bins=options.bins,
    )


def sample_texts(texts: Any, size: int, rng: np.random.Generator) -> list[str]:
    """A seeded sample of at most ``size`` texts, in their original order."""
    if len(texts) <= size:
        return list(texts)
    chosen = np.sort(rng.choice(len(texts), size=size, replace=False))
    return [texts[i] for i in chosen]


def drift_report(
    reference: ReferenceSketch | FeatureSet,
    current: FeatureSet,
    *,
    thresholds: DriftThresholds | None = None,
    options: DriftOptions | None = None,
    encoder: Any = None,
) -> DriftReport:
    """Compare ``current`` with ``reference`` (a stored sketch, or a raw window compared
    exactly), feature by feature.

    Text columns are compared as embeddings when ``options.embed`` and an ``encoder`` (a
    :class:`~kitchen.analysis.embed.TextEncoder`) are given and the reference has them.
    """
    from kitchen.analysis.drift._compare import compare_features

    thresholds = thresholds or DriftThresholds()
    options = options or DriftOptions()
    if isinstance(reference, FeatureSet):
        reference = sketch_window(reference, options, exact=True, encoder=encoder)
    return compare_features(reference, current, thresholds, options, encoder)
