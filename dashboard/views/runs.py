"""Runs compare: pick runs (from a filtered, paged list or ``?run=ID&run=ID2``), overlay a
metric's curves, and diff their params and last metrics.

Curves come downsampled from the engine (min/max per bucket), so a million-point run draws
as fast as a short one.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.widgets import empty, engine_errors, link, pick_runs, run_filters
from kitchen.display import short_id

PAGE_SIZE = 200
MAX_RUNS = 8

st.title("Runs compare")

with engine_errors():
    status, experiment, recipe = run_filters("runs")
    with st.sidebar:
        page = st.number_input("Run list page", min_value=1, value=1, step=1, key="runs-page")
    candidates = data.runs_page(
        limit=PAGE_SIZE,
        offset=(int(page) - 1) * PAGE_SIZE,
        status=status,
        experiment=experiment,
        recipe=recipe,
    )
    linked = st.query_params.get_all("run")
    if not candidates and not linked:
        empty("No runs match these filters", "kitchen run sft")
        st.stop()
    chosen = pick_runs(
        f"Runs (newest {PAGE_SIZE} of page {page}, or linked)",
        candidates,
        linked=linked,
        max_selections=MAX_RUNS,
        key="runs-chosen",
    )
    if chosen != linked:
        st.query_params["run"] = chosen
    if not chosen:
        st.caption("Pick one or more runs to draw their curves.")
        st.stop()

    details = {run_id: data.run_details(run_id) for run_id in chosen}
    labels = {rid: f"{d.run.name or short_id(rid)} · {short_id(rid)}" for rid, d in details.items()}
    keys = sorted({k for rid in chosen for k in data.metric_keys(rid)})
    if keys:
        default = next((k for k in keys if k.endswith("loss")), keys[0])
        key = st.selectbox("Metric", keys, index=keys.index(default), key="runs-metric")
        curves = data.curves(tuple(chosen), key)
        st.plotly_chart(charts.overlaid_curves(curves, labels), key="runs-curves")
    else:
        st.info("These runs logged no metrics.")

    st.subheader("Last metrics")
    metric_table = pd.DataFrame({labels[rid]: d.metrics for rid, d in details.items()})
    st.dataframe(metric_table, key="runs-metrics")

    st.subheader("Params")
    only_diff = st.toggle("Only params that differ", value=len(chosen) > 1, key="runs-diff")
    if len(chosen) == 2:
        comparison = data.compare(*chosen)
        rows = [p for p in comparison.params if p.differs or not only_diff]
        table = pd.DataFrame(
            {
                "param": [p.key for p in rows],
                labels[chosen[0]]: [str(p.a) for p in rows],
                labels[chosen[1]]: [str(p.b) for p in rows],
            }
        )
    else:
        params = {
            labels[rid]: {k: str(v) for k, v in d.params.items()} for rid, d in details.items()
        }
        table = pd.DataFrame(params)
        if only_diff and len(chosen) > 1:
            table = table[table.nunique(axis=1, dropna=False) > 1]
        table = table.rename_axis("param").reset_index()
    if table.empty:
        st.caption("No params differ." if only_diff else "No params recorded.")
    else:
        st.dataframe(table, hide_index=True, key="runs-params")

    st.subheader("Runs")
    for rid, found in details.items():
        record = found.run
        with st.expander(f"{labels[rid]} — {record.status}", expanded=len(chosen) == 1):
            st.markdown(
                f"recipe `{record.recipe}` · seed `{record.seed}` · "
                f"created {record.created_at:%Y-%m-%d %H:%M} · "
                f"[evaluations]({link('evaluations', run=rid)})"
            )
            if record.error_message:
                st.error(f"{record.error_type}: {record.error_message}")
            if found.models:
                st.markdown(
                    "Models: "
                    + ", ".join(
                        f"[{m.name} v{m.version}]"
                        f"({link('lineage', model=m.name, version=m.version)})"
                        for m in found.models
                    )
                )
            stages = {
                e.path: e.duration_s
                for e in data.stage_events(rid)
                if e.event == "finished" and e.duration_s is not None
            }
            if stages:
                st.plotly_chart(charts.stage_durations(stages), key=f"runs-stages-{rid}")
            if found.artifacts:
                st.dataframe(
                    pd.DataFrame(
                        {
                            "artifact": [a.name for a in found.artifacts],
                            "kind": [a.kind for a in found.artifacts],
                            "bytes": [a.size_bytes for a in found.artifacts],
                        }
                    ),
                    hide_index=True,
                )
