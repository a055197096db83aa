"""Feedback: production events of a model version — quality flags and PII redactions over
time, the events table, and curation candidates (flagged or negatively signalled events) to
export for labelling or retraining.

Events are read as one bounded window (the newest ``limit`` events, or a date range); the
summary row says how many exist in all.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.widgets import empty, engine_errors, linked_model, set_model_link

st.title("Feedback")

with engine_errors():
    summary = data.feedback_summary()
    if not summary:
        empty("No production feedback", "kitchen feedback ingest FILE")
        st.stop()
    name, version = linked_model()
    index = next(
        (
            i
            for i, s in enumerate(summary)
            if s.model_name == name and (version is None or s.model_version == version)
        ),
        0,
    )
    with st.sidebar:
        st.subheader("Feedback")
        chosen = st.selectbox(
            "Model version",
            summary,
            index=index,
            format_func=lambda s: (
                f"{s.model_name or '(no model)'} v{s.model_version} — {s.n:,} events"
            ),
            key="feedback-model",
        )
        limit = st.select_slider("Events read", [500, 1000, 2000, 5000, 10000], 2000)
        use_dates = st.toggle("Date range", key="feedback-use-dates")
        first, last = chosen.first_ts.date(), chosen.last_ts.date()
        dates = st.date_input(
            "From – to", (first, last), first, last, disabled=not use_dates, key="feedback-dates"
        )
    set_model_link(chosen.model_name, chosen.model_version)

    since = until = None
    offset = max(0, chosen.n - limit)
    if use_dates and isinstance(dates, tuple) and len(dates) == 2:
        since = datetime.combine(dates[0], time.min, UTC)
        until = datetime.combine(dates[1], time.min, UTC) + timedelta(days=1)
        offset = 0
    events = data.feedback_events(
        model_name=chosen.model_name,
        model_version=chosen.model_version,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )

    cols = st.columns(5)
    cols[0].metric("Events", f"{chosen.n:,}")
    cols[1].metric("Flagged", f"{chosen.flagged:,}")
    cols[2].metric("Redacted", f"{chosen.redacted:,}")
    cols[3].metric(
        "Mean signal", "—" if chosen.mean_signal is None else f"{chosen.mean_signal:.2f}"
    )
    cols[4].metric(
        "Mean latency",
        "—" if chosen.mean_latency_ms is None else f"{chosen.mean_latency_ms:.0f} ms",
    )
    window = "in the chosen dates" if since else f"newest {len(events):,}"
    st.caption(f"Charts and tables below show the {window} events.")
    if not events:
        st.info("No events in this window.")
        st.stop()

    left, right = st.columns([3, 2])
    with left:
        st.subheader("Quality flags over time")
        st.plotly_chart(charts.feedback_flags(events), key="feedback-flags")
    with right:
        st.subheader("PII redactions")
        st.plotly_chart(charts.feedback_redactions(events), key="feedback-redactions")

    table = pd.DataFrame(
        {
            "ts": [e.ts for e in events],
            "input": [e.input for e in events],
            "output": [e.output for e in events],
            "signal": [e.user_signal for e in events],
            "label": [e.label for e in events],
            "flags": [", ".join(e.quality_flags) for e in events],
            "redactions": [e.redactions for e in events],
            "latency (ms)": [e.latency_ms for e in events],
            "id": [e.id for e in events],
        }
    )

    st.subheader("Curation candidates")
    st.caption("Events with a quality flag or a negative user signal.")
    candidates = [e for e in events if e.quality_flags or (e.user_signal or 0) < 0]
    flags = sorted({f for e in candidates for f in e.quality_flags})
    picked_flags = st.multiselect("Only these flags", flags, key="feedback-flag-filter")
    if picked_flags:
        candidates = [e for e in candidates if set(e.quality_flags) & set(picked_flags)]
    st.dataframe(
        table[table["id"].isin({e.id for e in candidates})],
        hide_index=True,
        key="feedback-candidates",
    )
    jsonl = "\n".join(json.dumps(e.model_dump(mode="json")) for e in candidates)
    st.download_button(
        f"Export {len(candidates)} candidates (JSONL)",
        data=jsonl + "\n" if jsonl else "",
        file_name=f"curation-{chosen.model_name}-v{chosen.model_version}.jsonl",
        mime="application/jsonl",
        disabled=not candidates,
        icon=":material/download:",
        key="feedback-export",
    )

    st.subheader("Events")
    needle = st.text_input("Input or output contains", key="feedback-needle")
    shown = table
    if needle:
        text = table["input"] + " " + table["output"]
        shown = table[text.str.contains(needle, case=False, regex=False)]
    st.dataframe(shown, hide_index=True, key="feedback-events")
