"""Drift: is what a model sees now still what it saw when it was validated?

A reference window of feedback events (or its stored sketch) is compared with a current
window, feature by feature — numeric, categorical, and the input and output texts as MiniLM
embeddings — and the report says which features drifted, how much, and whether the window as a
whole did. See ``docs/drift.md``.

    from kitchen.analysis.drift import drift_report, features_of_events
    report = drift_report(features_of_events(ref_events), features_of_events(cur_events))
"""

from __future__ import annotations

from kitchen.analysis.drift.check import (
    AnalysisSink,
    DriftCheck,
    FeedbackSource,
    Window,
    build_reference,
    compute_drift,
    load_reference,
    run_drift_check,
    store_drift,
)
from kitchen.analysis.drift.features import FeatureSet, features_of_events
from kitchen.analysis.drift.report import (
    DriftOptions,
    DriftReport,
    DriftThresholds,
    FeatureDrift,
    drift_report,
    sketch_window,
)
from kitchen.analysis.drift.sketch import ReferenceSketch

__all__ = [
    "AnalysisSink",
    "DriftCheck",
    "DriftOptions",
    "DriftReport",
    "DriftThresholds",
    "FeatureDrift",
    "FeatureSet",
    "FeedbackSource",
    "ReferenceSketch",
    "Window",
    "build_reference",
    "compute_drift",
    "drift_report",
    "features_of_events",
    "load_reference",
    "run_drift_check",
    "sketch_window",
    "store_drift",
]
