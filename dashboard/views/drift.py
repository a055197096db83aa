"""Drift: is production traffic still what a model version was validated on?

For one model: the timeline of its stored drift checks (share of drifted features per check),
then one check's verdict, its per-feature table (statistics, corrected p-values, severity,
reasons), reference-vs-current histograms of a feature, and embedding drift of the texts.

Everything is read: the statistics from the stored report, the reference distribution from the
stored reference sketch, the current one from the check's window of feedback events (at most
:data:`WINDOW_EVENTS`, as the engine returns them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import analysis_charts, data
from dashboard.widgets import empty, engine_errors, linked_model, set_model_link
from kitchen.analysis.drift import ReferenceSketch, features_of_events
from kitchen.engine.wire_analysis import AnalysisOut

WINDOW_EVENTS = 5000
EMPTY_COMMAND = "kitchen drift check --model NAME --version 1"
STATISTICS = ("ks", "psi", "js", "wasserstein", "chi2", "mmd2", "centroid_distance")

st.title("Drift")


def window_end(analysis: AnalysisOut) -> datetime:
    """When a check's current window ends (its creation time for an open window)."""
    until = (analysis.params.get("current") or {}).get("until")
    return datetime.fromisoformat(until) if until else analysis.created_at


def window_events(window: dict[str, Any]) -> list[Any]:
    """The feedback events of a stored window (``Window.to_dict``)."""
    since, until = window.get("since"), window.get("until")
    return data.feedback_events(
        model_name=window.get("model_name"),
        model_version=window.get("model_version"),
        since=datetime.fromisoformat(since) if since else None,
        until=datetime.fromisoformat(until) if until else None,
        limit=WINDOW_EVENTS,
    )


def feature_table(features: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per feature: verdict, test, p-values and the statistics of its kind."""
    return pd.DataFrame(
        {
            "feature": [f["name"] for f in features],
            "kind": [f["kind"] for f in features],
            "drifted": [f["drifted"] for f in features],
            "severity": [f["severity"] for f in features],
            "test": [f.get("test") for f in features],
            "p": [f.get("p_value") for f in features],
            "p adjusted": [f.get("p_adjusted") for f in features],
            **{s: [f["statistics"].get(s) for f in features] for s in STATISTICS},
            "n ref": [f["n_reference"] for f in features],
            "n cur": [f["n_current"] for f in features],
            "reasons": ["; ".join(f.get("reasons") or []) or f.get("note", "") for f in features],
        }
    )


def distributions(check: AnalysisOut, result: dict[str, Any]) -> None:
    """Reference-vs-current histogram of one picked numeric or categorical feature."""
    reference_info = check.params.get("reference") or {}
    current = features_of_events(window_events(check.params.get("current") or {}))
    if "analysis_id" in reference_info:
        stored = data.analysis(reference_info["analysis_id"]).result
        sketch = ReferenceSketch.from_dict(stored)
        ref_numeric = {k: list(s.sample) for k, s in sketch.numeric.items()}
        ref_categorical = {k: dict(s.counts) for k, s in sketch.categorical.items()}
        st.caption("Reference: the stored sketch (a reservoir sample of numeric values).")
    else:
        reference = features_of_events(window_events(reference_info.get("window") or {}))
        ref_numeric = {k: list(v) for k, v in reference.numeric.items()}
        ref_categorical = {
            k: {c: list(v).count(c) for c in dict.fromkeys(v) if c is not None}
            for k, v in reference.categorical.items()
        }
        st.caption("Reference: a raw window of events.")
    names = [
        f["name"]
        for f in result["features"]
        if f["kind"] in ("numeric", "categorical")
        and (f["name"] in ref_numeric or f["name"] in ref_categorical)
    ]
    if not names:
        st.caption("No numeric or categorical feature to draw.")
        return
    drifted_first = sorted(names, key=lambda n: n not in result.get("drifted_features", []))
    name = st.selectbox("Feature", drifted_first, key="drift-feature")
    if name in ref_numeric and name in current.numeric:
        values = [v for v in current.numeric[name] if v == v]  # NaN is a missing value
        st.plotly_chart(
            analysis_charts.numeric_histograms(name, ref_numeric[name], values),
            key="drift-histogram",
        )
    elif name in ref_categorical and name in current.categorical:
        st.plotly_chart(
            analysis_charts.category_bars(name, ref_categorical[name], current.categorical[name]),
            key="drift-histogram",
        )
    else:
        st.caption(f"The current window has no values of {name}.")


with engine_errors():
    listed = data.analyses("drift", limit=1000)
    models = sorted({a.model_name for a in listed if a.model_name})
    if not models:
        empty("No drift checks", EMPTY_COMMAND)
        st.stop()
    name, version = linked_model()
    with st.sidebar:
        st.subheader("Drift")
        model = st.selectbox(
            "Model", models, index=models.index(name) if name in models else 0, key="drift-model"
        )
    checks = [a for a in listed if a.model_name == model]
    versions = sorted({a.model_version for a in checks if a.model_version is not None})
    with st.sidebar:
        picked_version = st.selectbox(
            "Version",
            [None, *versions],
            index=(versions.index(version) + 1) if version in versions else 0,
            format_func=lambda v: "all" if v is None else f"v{v}",
            key="drift-version",
        )
    set_model_link(model, picked_version)
    if picked_version is not None:
        checks = [a for a in checks if a.model_version == picked_version]

    st.subheader("Timeline")
    ordered = sorted(checks, key=window_end)
    points = [
        {
            "when": window_end(a),
            "share": a.summary.get("share"),
            "drifted": bool(a.summary.get("drifted")),
            "name": a.name,
        }
        for a in ordered
    ]
    threshold = (checks[0].params.get("thresholds") or {}).get("drift_share")
    st.plotly_chart(
        analysis_charts.drift_timeline(points, threshold=threshold), key="drift-timeline"
    )

    check = st.selectbox(
        "Check",
        checks,
        format_func=lambda a: f"{a.name} · {a.created_at:%Y-%m-%d %H:%M}",
        key="drift-check",
    )
    result = data.analysis(check.id).result
    if not isinstance(result, dict) or "features" not in result:
        st.info("This check stored a summary only.")
        st.stop()
    verdict = str(result.get("verdict", ""))
    if result.get("drifted"):
        st.error(verdict, icon=":material/warning:")
    else:
        st.success(verdict, icon=":material/check_circle:")
    cols = st.columns(4)
    cols[0].metric("Drifted features", f"{result.get('n_drifted')} of {result.get('n_features')}")
    cols[1].metric("Share", f"{(result.get('share') or 0):.0%}")
    cols[2].metric("Reference events", f"{result.get('n_reference'):,}")
    cols[3].metric("Current events", f"{result.get('n_current'):,}")

    st.subheader("Per feature")
    st.dataframe(
        feature_table(result["features"]),
        hide_index=True,
        column_config={
            "p": st.column_config.NumberColumn(format="%.2g"),
            "p adjusted": st.column_config.NumberColumn(format="%.2g"),
        },
        key="drift-features",
    )
    for note in result.get("notes") or []:
        st.caption(str(note))

    st.subheader("Reference vs current")
    distributions(check, result)

    st.subheader("Embedding drift")
    texts = [f for f in result["features"] if f["kind"] == "text" and f["statistics"]]
    if texts:
        st.plotly_chart(analysis_charts.embedding_drift(texts), key="drift-embeddings")
    else:
        st.caption(
            "This check did not compare the texts as embeddings "
            "(it ran with `--no-embed`, or the reference sketch has no embeddings)."
        )
