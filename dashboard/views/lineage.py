"""Lineage: the DAG a model's versions come from (datasets → runs → artifacts → versions, and
versions trained or distilled from other versions), with each version's run, aliases and
metrics. ``?model=NAME&version=N`` opens one model with that version highlighted.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.widgets import empty, engine_errors, link, linked_model, set_model_link
from kitchen.display import SHORT_ID_LEN

MAX_VERSIONS = 50

st.title("Lineage")

with engine_errors():
    found = data.models()
    if not found:
        empty("No registered models", "kitchen run sft")
        st.stop()
    name, version = linked_model()
    names = [m.name for m in found]
    with st.sidebar:
        st.subheader("Lineage")
        model_name = st.selectbox(
            "Model", names, index=names.index(name) if name in names else 0, key="lineage-model"
        )
    model = found[names.index(model_name)]
    latest = model.latest_version or 0
    numbers = list(range(latest, max(0, latest - MAX_VERSIONS), -1))
    with st.sidebar:
        highlighted = st.selectbox(
            "Version",
            numbers,
            index=numbers.index(version) if version in numbers else 0,
            format_func=lambda v: f"v{v}",
            key="lineage-version",
        )
    set_model_link(model_name, highlighted)

    versions = [data.model_version(model_name, str(v)) for v in numbers]
    graph = data.model_lineage(model_name)
    target = next(
        (
            f"{n.kind}:{n.id}"
            for n in graph.nodes
            if n.kind == "model_version" and n.label == f"{model_name} v{highlighted}"
        ),
        None,
    )
    st.caption(
        f"{len(graph.nodes)} nodes, {len(graph.edges)} edges; "
        "arrows point from a source to what was made from it."
    )
    st.plotly_chart(charts.lineage(graph, highlight=target), key="lineage-graph")

    st.subheader(f"Versions of {model_name}")
    st.dataframe(
        pd.DataFrame(
            {
                "version": [f"v{v.version}" for v in versions],
                "aliases": [
                    ", ".join(f"@{a}" for a, n in model.aliases.items() if n == v.version)
                    for v in versions
                ],
                "run": [link("runs", run=v.run_id) for v in versions],
                "evaluations": [link("evaluations", run=v.run_id) for v in versions],
                **{
                    key: [v.metrics.get(key) for v in versions]
                    for key in sorted({k for v in versions for k in v.metrics})[:8]
                },
            }
        ),
        hide_index=True,
        column_config={
            "run": st.column_config.LinkColumn(display_text=rf"run=(.{{{SHORT_ID_LEN}}})"),
            "evaluations": st.column_config.LinkColumn(display_text="scores"),
        },
        key="lineage-versions",
    )
