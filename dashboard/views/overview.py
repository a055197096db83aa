"""Overview: how many runs in which state, the newest runs, models, feedback and the engine.

Counts come from one grouped engine query and the runs table is one server-side page, so the
page costs the same on a store of ten runs or ten thousand.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.widgets import empty, engine_errors, link, run_filters
from kitchen.display import HEADLINE_EVAL_KEYS, SHORT_ID_LEN, headline_eval

PAGE_SIZE = 25
SHORT_RUN_LINK = rf"runs\?run=(.{{{SHORT_ID_LEN}}})"
"""The run column shows a link's short run id."""

st.title("Overview")

with engine_errors():
    status, experiment, recipe = run_filters("overview")
    counts = data.run_counts()
    by_status = Counter[str]()
    by_recipe_status = Counter[tuple[str, str]]()
    for row in counts:
        if status and row.status not in status:
            continue
        if experiment and row.experiment != experiment:
            continue
        if recipe and row.recipe != recipe:
            continue
        by_status[row.status] += row.n
        by_recipe_status[(row.recipe, row.status)] += row.n

    if not counts:
        empty("No runs", "kitchen run sft")
        st.stop()

    total = sum(by_status.values())
    columns = st.columns(5)
    columns[0].metric("Runs", f"{total:,}")
    for column, name in zip(columns[1:], ("running", "queued", "succeeded", "failed"), strict=True):
        column.metric(name.capitalize(), f"{by_status.get(name, 0):,}")

    left, right = st.columns([3, 2])
    with left:
        st.subheader("Runs by recipe and status")
        st.plotly_chart(charts.runs_by_status(by_recipe_status), key="overview-status-chart")
    with right:
        st.subheader("Engine")
        engine = data.engine_status()
        st.caption(f"pid {engine.pid} · up {engine.uptime_s / 60:.0f} min · {engine.store}")
        a, b, c = st.columns(3)
        a.metric("Slots", engine.slots)
        b.metric("Running", len(engine.running))
        c.metric("Queued", len(engine.queued))
        a, b = st.columns(2)
        a.metric("CPU", f"{engine.cpu_percent:.0f}%")
        b.metric(
            "Memory",
            f"{engine.memory_used_bytes / 2**30:.1f} / {engine.memory_total_bytes / 2**30:.0f} GiB",
        )
        for gpu in engine.gpus:
            used = gpu.memory_used_bytes / max(gpu.memory_total_bytes, 1)
            st.progress(used, text=f"GPU {gpu.index} {gpu.name}: {used:.0%} memory")
        if not engine.gpus:
            st.caption("No GPU: runs train on the CPU.")

    st.subheader("Recent runs")
    newest = data.runs_page(limit=1)
    default_keys = data.metric_keys(newest[0].id)[:6] if newest else []
    keys = st.multiselect(
        "Metrics shown (last value)",
        sorted(set(default_keys)),
        default=default_keys[:4],
        accept_new_options=True,
        key="overview-keys",
    )
    page = st.number_input("Page", min_value=1, value=1, step=1, key="overview-page")
    rows = data.runs_page(
        limit=PAGE_SIZE,
        offset=(int(page) - 1) * PAGE_SIZE,
        status=status,
        experiment=experiment,
        recipe=recipe,
        summary_keys=(*keys, *HEADLINE_EVAL_KEYS),
    )
    if rows:
        headlines = [headline_eval(r.metrics) for r in rows]
        table = pd.DataFrame(
            {
                "run": [link("runs", run=r.id) for r in rows],
                "name": [r.name for r in rows],
                "status": [r.status for r in rows],
                "experiment": [r.experiment for r in rows],
                "recipe": [r.recipe for r in rows],
                "created": [r.created_at for r in rows],
                "duration (s)": [r.duration_s for r in rows],
                "step": [r.last_step for r in rows],
                "eval": [h[1] if h else None for h in headlines],
                "eval metric": [h[0] if h else "" for h in headlines],
                **{k: [r.metrics.get(k) for r in rows] for k in keys},
            }
        )
        st.dataframe(
            table,
            hide_index=True,
            column_config={
                "run": st.column_config.LinkColumn(
                    "run", display_text=rf"runs\?run=(.{{{SHORT_ID_LEN}}})"
                ),
                "duration (s)": st.column_config.NumberColumn(format="%.0f"),
            },
            key="overview-runs",
        )
    else:
        st.caption("No runs on this page.")

    left, right = st.columns(2)
    with left:
        st.subheader("Models")
        found = data.models()
        if found:
            st.dataframe(
                pd.DataFrame(
                    {
                        "model": [link("lineage", model=m.name) for m in found],
                        "latest": [m.latest_version for m in found],
                        "versions": [m.versions for m in found],
                        "aliases": [
                            ", ".join(f"@{a}→v{v}" for a, v in m.aliases.items()) for m in found
                        ],
                    }
                ),
                hide_index=True,
                column_config={
                    "model": st.column_config.LinkColumn(display_text=r"model=(.*)$"),
                },
            )
        else:
            empty("No registered models", "kitchen run sft register=true")
    with right:
        st.subheader("Production feedback")
        summary = data.feedback_summary()
        if summary:
            st.dataframe(
                pd.DataFrame(
                    {
                        "model": [s.model_name or "—" for s in summary],
                        "version": [s.model_version for s in summary],
                        "events": [s.n for s in summary],
                        "flagged": [s.flagged for s in summary],
                        "redacted": [s.redacted for s in summary],
                        "mean signal": [s.mean_signal for s in summary],
                    }
                ),
                hide_index=True,
            )
        else:
            empty("No production feedback", "kitchen feedback ingest FILE")
