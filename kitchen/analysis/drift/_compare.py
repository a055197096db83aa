"""The per-feature comparisons behind :func:`kitchen.analysis.drift.drift_report`.

One function per kind computes the statistics; :func:`compare_features` then corrects the
p-values across features, decides drift and severity, and builds the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from kitchen.analysis.drift.features import FeatureSet
from kitchen.analysis.drift.report import (
    DriftOptions,
    DriftReport,
    DriftThresholds,
    FeatureDrift,
    Severity,
    sample_texts,
)
from kitchen.analysis.drift.sketch import (
    CategoricalSketch,
    FeatureKind,
    NumericSketch,
    ReferenceSketch,
    TextSketch,
    feature_rng,
)
from kitchen.analysis.drift.stats import (
    OTHER,
    bin_counts_sorted,
    category_counts,
    centroid_distance_of,
    chi_square,
    js_distance,
    ks_sorted,
    mmd_test,
    psi,
    wasserstein_sorted,
)


def compare_features(
    reference: ReferenceSketch,
    current: FeatureSet,
    thresholds: DriftThresholds,
    options: DriftOptions,
    encoder: Any,
) -> DriftReport:
    """Every feature both windows have, compared; then corrected and judged."""
    notes: list[str] = []
    ref_names = [*reference.numeric, *reference.categorical]
    cur_kinds: dict[str, FeatureKind] = {
        **dict.fromkeys(current.numeric, "numeric"),
        **dict.fromkeys(current.categorical, "categorical"),
    }

    def compare(name: str) -> FeatureDrift | None:
        kind = reference.kind_of(name)
        now = cur_kinds.get(name)
        if now is None or kind is None:
            return None
        if now != kind:
            return _kind_changed(name, kind, now, reference, current)
        if kind == "numeric":
            return _numeric(name, reference.numeric[name], current.numeric[name], thresholds)
        return _categorical(
            name, reference.categorical[name], current.categorical[name], thresholds
        )

    rows = [row for row in map(compare, ref_names) if row is not None]
    if options.embed:
        rows.extend(_texts(reference, current, thresholds, options, encoder, notes))
    rows = _judge(rows, thresholds)
    tested = [r for r in rows if r.statistics]
    drifted = [r for r in tested if r.drifted]
    share = len(drifted) / len(tested) if tested else 0.0
    if not tested:
        notes.append("no feature had enough values in both windows to compare")
    only_ref = tuple(n for n in ref_names if n not in cur_kinds)
    only_cur = tuple(n for n in cur_kinds if reference.kind_of(n) is None)
    return DriftReport(
        features=tuple(rows),
        drifted=bool(tested) and share >= thresholds.drift_share,
        share=share,
        n_reference=reference.n_events,
        n_current=current.n_events,
        thresholds=thresholds,
        options=options,
        only_in_reference=only_ref,
        only_in_current=only_cur,
        notes=tuple(notes),
    )


def _too_few(
    name: str, kind: FeatureKind, n_ref: int, n_cur: int, thresholds: DriftThresholds
) -> FeatureDrift | None:
    if min(n_ref, n_cur) >= thresholds.min_samples:
        return None
    return FeatureDrift(
        name,
        kind,
        n_ref,
        n_cur,
        {},
        note=f"not tested: {n_ref} reference and {n_cur} current values "
        f"(at least {thresholds.min_samples} each needed)",
    )


def _numeric(
    name: str, sketch: NumericSketch, values: np.ndarray, thresholds: DriftThresholds
) -> FeatureDrift:
    finite = np.isfinite(values)
    present = np.sort(values if finite.all() else values[finite])
    missing_cur = 1.0 - present.size / values.size if values.size else 0.0
    missing_ref = sketch.missing / max(sketch.n + sketch.missing, 1)
    skipped = _too_few(name, "numeric", sketch.n, present.size, thresholds)
    if skipped is not None:
        return replace(skipped, missing_reference=missing_ref, missing_current=missing_cur)
    ks = ks_sorted(sketch.sample, present)
    counts = bin_counts_sorted(present, sketch.edges)
    w1 = wasserstein_sorted(sketch.sample, present)
    statistics: dict[str, float | None] = {
        "ks": ks.statistic,
        "psi": psi(sketch.counts, counts),
        "js": js_distance(sketch.counts, counts),
        "wasserstein": w1,
        "wasserstein_norm": w1 / sketch.std if sketch.std > 0 else None,
        "mean_reference": sketch.mean,
        "mean_current": float(present.mean()),
    }
    note = "" if sketch.exact else f"KS and Wasserstein on a {sketch.sample.size}-value sample"
    return FeatureDrift(
        name,
        "numeric",
        sketch.n,
        int(present.size),
        statistics,
        test="ks",
        p_value=ks.p_value,
        note=note,
        missing_reference=missing_ref,
        missing_current=missing_cur,
    )


def _categorical(
    name: str,
    sketch: CategoricalSketch,
    values: Sequence[str | None],
    thresholds: DriftThresholds,
) -> FeatureDrift:
    present = [v for v in values if v is not None]
    missing_cur = 1.0 - len(present) / len(values) if values else 0.0
    missing_ref = sketch.missing / max(sketch.n + sketch.missing, 1)
    skipped = _too_few(name, "categorical", sketch.n, len(present), thresholds)
    if skipped is not None:
        return replace(skipped, missing_reference=missing_ref, missing_current=missing_cur)
    categories = sketch.categories
    ref_counts = np.array([sketch.counts[c] for c in categories] + [sketch.counts.get(OTHER, 0)])
    cur_counts, unseen = category_counts(present, categories)
    test = chi_square(ref_counts, cur_counts)
    unseen_n = sum(unseen.values())
    statistics: dict[str, float | None] = {
        "chi2": test.statistic,
        "js": js_distance(ref_counts, cur_counts),
        "psi": psi(ref_counts, cur_counts),
        "unseen_share": unseen_n / len(present),
        "categories_reference": float(len(categories)),
    }
    note = ""
    if unseen:
        listed = ", ".join(list(unseen)[:5]) + (" …" if len(unseen) > 5 else "")
        note = (
            f"{len(unseen)} categories the reference never saw ({unseen_n} values, pooled as "
            f"'{OTHER}'): {listed}"
        )
    return FeatureDrift(
        name,
        "categorical",
        sketch.n,
        len(present),
        statistics,
        test="chi2",
        p_value=test.p_value,
        note=note,
        missing_reference=missing_ref,
        missing_current=missing_cur,
    )


def _kind_changed(
    name: str,
    was: FeatureKind,
    now: FeatureKind,
    reference: ReferenceSketch,
    current: FeatureSet,
) -> FeatureDrift:
    n_ref = reference.numeric[name].n if was == "numeric" else reference.categorical[name].n
    n_cur = len(current.numeric[name]) if now == "numeric" else len(current.categorical[name])
    return FeatureDrift(
        name,
        was,
        n_ref,
        n_cur,
        {"kind_changed": 1.0},
        drifted=True,
        severity="high",
        reasons=(f"kind changed: {was} in the reference, {now} now",),
    )


def _texts(
    reference: ReferenceSketch,
    current: FeatureSet,
    thresholds: DriftThresholds,
    options: DriftOptions,
    encoder: Any,
    notes: list[str],
) -> list[FeatureDrift]:
    if encoder is None:
        notes.append("text embeddings not compared: no encoder given")
        return []
    if current.text and not reference.text:
        notes.append("text embeddings not compared: the reference has none (built without)")
        return []
    rows = []
    for name, sketch in reference.text.items():
        texts = current.text.get(name)
        if texts is None:
            continue
        rows.append(_text(name, sketch, texts, thresholds, options, encoder))
    return rows


def _text(
    name: str,
    sketch: TextSketch,
    texts: Sequence[str],
    thresholds: DriftThresholds,
    options: DriftOptions,
    encoder: Any,
) -> FeatureDrift:
    feature = f"{name}.embedding"
    if sketch.encoder != encoder.name:
        return FeatureDrift(
            feature,
            "text",
            sketch.n,
            len(texts),
            {},
            note=f"not tested: the reference was embedded with {sketch.encoder}, "
            f"this check uses {encoder.name}",
        )
    chosen = sample_texts(texts, options.embed_sample, feature_rng(options.seed, name + "#now"))
    skipped = _too_few(feature, "text", sketch.embeddings.shape[0], len(chosen), thresholds)
    if skipped is not None:
        return skipped
    embedded = encoder.encode(chosen)
    seed = int(feature_rng(options.seed, name + "#mmd").integers(2**31))
    test = mmd_test(sketch.embeddings, embedded, permutations=options.permutations, seed=seed)
    centroid = np.asarray(embedded, dtype=np.float64).mean(axis=0)
    statistics: dict[str, float | None] = {
        "mmd2": test.mmd2,
        "centroid_distance": centroid_distance_of(sketch.centroid, centroid),
        "bandwidth": test.bandwidth,
    }
    return FeatureDrift(
        feature,
        "text",
        int(sketch.embeddings.shape[0]),
        len(chosen),
        statistics,
        test="mmd",
        p_value=test.p_value,
        note=f"{len(chosen)} of {len(texts)} current texts embedded",
    )


def _judge(rows: list[FeatureDrift], thresholds: DriftThresholds) -> list[FeatureDrift]:
    """Correct the p-values across features, then decide drift and severity per feature."""
    tested = [i for i, r in enumerate(rows) if r.p_value is not None]
    corrected = _adjust([rows[i].p_value or 0.0 for i in tested], thresholds)
    adjusted = dict(zip(tested, corrected, strict=True))
    judged = []
    for index, row in enumerate(rows):
        if not row.statistics or row.severity != "none" or row.p_value is None:
            judged.append(row)
            continue
        p_adj = adjusted[index]
        reasons: list[str] = []
        ks_big_enough = (row.statistics.get("ks") or 0.0) >= thresholds.min_ks_statistic
        if p_adj < thresholds.alpha and (row.test != "ks" or ks_big_enough):
            reasons.append(f"{row.test} p {p_adj:.2g} < {thresholds.alpha:g} (corrected)")
        ratio = _distance_ratio(row, thresholds, reasons)
        drifted = bool(reasons)
        severity: Severity = "none"
        if drifted:
            severity = "high" if ratio > 1 else "moderate" if ratio > 0.5 else "low"
        judged.append(
            replace(
                row, p_adjusted=p_adj, drifted=drifted, severity=severity, reasons=tuple(reasons)
            )
        )
    return judged


def _distance_ratio(row: FeatureDrift, thresholds: DriftThresholds, reasons: list[str]) -> float:
    """The largest distance over its threshold (0 on small samples); appends the reasons."""
    if min(row.n_reference, row.n_current) < thresholds.distance_min_n and row.kind != "text":
        return 0.0
    limits = {"psi": thresholds.psi, "js": thresholds.js, "centroid_distance": thresholds.centroid}
    ratio = 0.0
    for key, limit in limits.items():
        value = row.statistics.get(key)
        if value is None:
            continue
        ratio = max(ratio, value / limit)
        if value > limit:
            reasons.append(f"{key} {value:.3g} > {limit:g}")
    return ratio


def _adjust(p_values: list[float], thresholds: DriftThresholds) -> list[float]:
    if not p_values or thresholds.correction == "none":
        return list(p_values)
    from kitchen.stats import correct

    return list(correct(p_values, thresholds.correction, thresholds.alpha).adjusted)
