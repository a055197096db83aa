"""Explainability: what a model relies on — global importance, one example's attributions
(text tokens coloured by attribution), PDP/ICE curves, and attribution drift between versions.

Every figure reads a stored ``xai`` or ``attribution_drift`` analysis; nothing is explained
here. ``?model=NAME&version=N`` opens one model version's explanations.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import analysis_charts, data
from dashboard.highlight import token_html
from dashboard.widgets import empty, engine_errors, linked_model, set_model_link
from kitchen.engine.wire_analysis import AnalysisOut

EMPTY_COMMAND = "kitchen explain run"

st.title("Explainability")


def describe(a: AnalysisOut) -> str:
    """A picker label: name, method, version and date."""
    method = a.summary.get("method") or a.params.get("method") or a.kind
    version = "" if a.model_version is None else f" v{a.model_version}"
    return f"{a.name} · {method}{version} · {a.created_at:%Y-%m-%d %H:%M}"


def show_pdp(result: dict[str, Any]) -> None:
    """PDP/ICE curves of one feature at a time, with each feature's ICE heterogeneity."""
    curves = result.get("curves", [])
    if not curves:
        st.caption("This analysis has no curves.")
        return
    names = [c["feature"] for c in curves]
    feature = st.selectbox("Feature", names, key="xai-pdp-feature")
    st.plotly_chart(analysis_charts.pdp_ice(curves[names.index(feature)]), key="xai-pdp")
    st.dataframe(
        pd.DataFrame(
            {"feature": names, "ICE heterogeneity": [c.get("heterogeneity") for c in curves]}
        ),
        hide_index=True,
        key="xai-pdp-table",
    )


def show_explanation(result: dict[str, Any]) -> None:
    """Global importance bars, then one picked example's attributions."""
    st.subheader("Global importance")
    importance = result.get("global_importance") or {}
    if importance:
        st.plotly_chart(analysis_charts.importance_bars(importance), key="xai-global")
    checks = result.get("checks") or {}
    if checks:
        st.caption(
            " · ".join(f"{k} {v:.3g}" if v is not None else f"{k} —" for k, v in checks.items())
        )
    background = result.get("background")
    if background:
        st.caption(f"Background: {background['description']} (sha256 {background['sha256'][:12]})")

    examples = result.get("examples") or []
    if not examples:
        return
    st.subheader("One example")
    index = st.number_input(f"Example (1–{len(examples)})", 1, len(examples), 1, key="xai-example")
    example = examples[int(index) - 1]
    features, values = example["features"], example["values"]
    meta = []
    if example.get("output") is not None:
        meta.append(f"output {example['output']:.3f}")
    if example.get("base_value") is not None:
        meta.append(f"base value {example['base_value']:.3f}")
    if example.get("target") is not None:
        meta.append(f"class {example['target']}")
    if meta:
        st.caption(" · ".join(meta))
    if not result.get("feature_names"):
        st.markdown("Tokens coloured by attribution (red: towards the class, blue: away):")
        st.html(token_html(features, values))
    else:
        inputs = example.get("inputs") or [None] * len(features)
        st.dataframe(
            pd.DataFrame({"feature": features, "value": inputs, "attribution": values}),
            hide_index=True,
            key="xai-example-table",
        )
    st.plotly_chart(analysis_charts.example_bars(features, values), key="xai-example-bars")


with engine_errors():
    listed = data.analyses("xai", limit=500)
    drifts = data.analyses("attribution_drift", limit=500)
    if not listed and not drifts:
        empty("No explanations", EMPTY_COMMAND)
        st.stop()
    name, version = linked_model()
    models = sorted({a.model_name or "(unregistered)" for a in [*listed, *drifts]})
    with st.sidebar:
        st.subheader("Explainability")
        model = st.selectbox(
            "Model", models, index=models.index(name) if name in models else 0, key="xai-model"
        )
    mine = [a for a in listed if (a.model_name or "(unregistered)") == model]
    versions = sorted({a.model_version for a in mine if a.model_version is not None})
    with st.sidebar:
        picked_version = st.selectbox(
            "Version",
            [None, *versions],
            index=(versions.index(version) + 1) if version in versions else 0,
            format_func=lambda v: "all" if v is None else f"v{v}",
            key="xai-version",
        )
    set_model_link(None if model == "(unregistered)" else model, picked_version)
    if picked_version is not None:
        mine = [a for a in mine if a.model_version == picked_version]

    explain_tab, drift_tab = st.tabs(["Explanations", "Attribution drift"])
    with explain_tab:
        if not mine:
            empty(f"No explanations of {model}", EMPTY_COMMAND)
        else:
            chosen = st.selectbox("Analysis", mine, format_func=describe, key="xai-analysis")
            result = data.analysis(chosen.id).result
            if not isinstance(result, dict):
                st.info("This analysis stored a summary only.")
            elif result.get("method") == "pdp_ice":
                show_pdp(result)
            else:
                show_explanation(result)

    with drift_tab:
        mine_drift = [d for d in drifts if (d.model_name or "(unregistered)") == model]
        if not mine_drift:
            empty(f"No attribution drift of {model}", "kitchen explain drift BEFORE_ID AFTER_ID")
        else:
            chosen = st.selectbox("Comparison", mine_drift, format_func=describe, key="xai-drift")
            result = data.analysis(chosen.id).result or chosen.summary
            cols = st.columns(4)
            for col, key in zip(
                cols, ("spearman", "kendall", "top_k_overlap", "l1_distance"), strict=True
            ):
                value = result.get(key)
                col.metric(key.replace("_", " "), "—" if value is None else f"{value:.3f}")
            changed = result.get("changed") or []
            if changed:
                st.caption("Features whose share of the importance moved most:")
                st.plotly_chart(analysis_charts.importance_shift(changed), key="xai-drift-shift")
