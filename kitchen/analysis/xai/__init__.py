"""Explainability: SHAP, LIME, PDP/ICE, integrated gradients and occlusion, with the checks
(additivity, completeness, stability), persistence and attribution drift around them.

Every explainer returns an :class:`Explanation` — plain data that carries its method, seed,
background set and model reference — which :func:`log_explanation` stores as an ``xai``
analysis and :func:`reproduce` recomputes from its stored spec. Names resolve lazily, so
importing this package imports neither shap nor torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Explanation": "explanation",
    "Attribution": "explanation",
    "Background": "explanation",
    "ModelRef": "explanation",
    "shap_tree": "tabular",
    "shap_kernel": "tabular",
    "shap_linear": "tabular",
    "kmeans_background": "tabular",
    "lime_tabular": "tabular",
    "partial_dependence": "pdp",
    "PartialDependence": "pdp",
    "TextModel": "text",
    "shap_text": "text",
    "lime_text": "text",
    "integrated_gradients": "gradients",
    "occlusion": "gradients",
    "additivity": "checks",
    "stability": "checks",
    "attribution_drift": "drift",
    "compare_importances": "drift",
    "AttributionDrift": "drift",
    "ExplainSpec": "spec",
    "run_spec": "spec",
    "AnalysisSink": "persist",
    "log_explanation": "persist",
    "log_attribution_drift": "persist",
    "load_explanation": "persist",
    "reproduce": "persist",
}

__all__ = [
    "AnalysisSink",
    "Attribution",
    "AttributionDrift",
    "Background",
    "ExplainSpec",
    "Explanation",
    "ModelRef",
    "PartialDependence",
    "TextModel",
    "additivity",
    "attribution_drift",
    "compare_importances",
    "integrated_gradients",
    "kmeans_background",
    "lime_tabular",
    "lime_text",
    "load_explanation",
    "log_attribution_drift",
    "log_explanation",
    "occlusion",
    "partial_dependence",
    "reproduce",
    "run_spec",
    "shap_kernel",
    "shap_linear",
    "shap_text",
    "shap_tree",
    "stability",
]

if TYPE_CHECKING:
    from kitchen.analysis.xai.checks import additivity, stability
    from kitchen.analysis.xai.drift import AttributionDrift, attribution_drift, compare_importances
    from kitchen.analysis.xai.explanation import Attribution, Background, Explanation, ModelRef
    from kitchen.analysis.xai.gradients import integrated_gradients, occlusion
    from kitchen.analysis.xai.pdp import PartialDependence, partial_dependence
    from kitchen.analysis.xai.persist import (
        AnalysisSink,
        load_explanation,
        log_attribution_drift,
        log_explanation,
        reproduce,
    )
    from kitchen.analysis.xai.spec import ExplainSpec, run_spec
    from kitchen.analysis.xai.tabular import (
        kmeans_background,
        lime_tabular,
        shap_kernel,
        shap_linear,
        shap_tree,
    )
    from kitchen.analysis.xai.text import TextModel, lime_text, shap_text


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kitchen.analysis.xai' has no attribute {name!r}")
    return getattr(importlib.import_module(f"kitchen.analysis.xai.{module}"), name)
