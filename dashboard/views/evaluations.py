"""Evaluations: a run's per-task scores, a paired comparison with a second run (the engine's
McNemar / paired test, bootstrap and verdict), its scored samples, and its HTML report.

The run comes from ``?run=ID`` or a picker over the newest runs; the samples table pages on
the server.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.widgets import empty, engine_errors, pick_runs
from kitchen.display import short_id
from kitchen.errors import KitchenError

RECENT = 200
SAMPLES_PAGE = 100

st.title("Evaluations")


def verdict_panel(result: dict[str, object]) -> None:
    """The paired comparison: means, test, bootstrap interval and the verdict sentence."""
    test = result["test"]
    boot = result["bootstrap"]
    assert isinstance(test, dict) and isinstance(boot, dict)
    names = result["names"]
    assert isinstance(names, list)
    st.success(str(result["verdict"]), icon=":material/gavel:")
    cols = st.columns(4)
    cols[0].metric(f"Mean {names[0]}", f"{result['mean_a']:.3f}")
    cols[1].metric(f"Mean {names[1]}", f"{result['mean_b']:.3f}")
    cols[2].metric("Shared samples", result["n"])
    p_value = test.get("p_value")
    cols[3].metric(f"p ({test.get('test')})", "—" if p_value is None else f"{p_value:.4f}")
    ci = boot.get("ci") or {}
    rows = {
        "test": [test.get("test"), boot.get("test")],
        "statistic": [test.get("statistic"), boot.get("statistic")],
        "p value": [test.get("p_value"), boot.get("p_value")],
        "estimate (A − B)": [test.get("estimate"), boot.get("estimate")],
        "CI low": [(test.get("ci") or {}).get("low"), ci.get("low")],
        "CI high": [(test.get("ci") or {}).get("high"), ci.get("high")],
        "significant": [test.get("significant"), boot.get("significant")],
    }
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="evals-stats")
    if result.get("discordant"):
        right_wrong, wrong_right = result["discordant"]  # type: ignore[misc]
        st.caption(
            f"Discordant pairs: {names[0]} right and {names[1]} wrong on {right_wrong}; "
            f"the reverse on {wrong_right}."
        )
    for note in test.get("notes") or []:
        st.caption(str(note))


with engine_errors():
    recent = data.runs_page(limit=RECENT)
    linked = st.query_params.get_all("run")[:1]
    if not recent and not linked:
        empty("No runs", "kitchen eval")
        st.stop()
    chosen = pick_runs("Run", recent, linked=linked, max_selections=1, key="evals-run")
    if not chosen:
        st.caption("Pick a run (or link one with `?run=ID`).")
        st.stop()
    run_id = chosen[0]
    if linked != [run_id]:
        st.query_params["run"] = run_id

    summaries = data.evals(run_id)
    if not summaries:
        empty("This run stored no evaluations", f"kitchen eval --run {short_id(run_id)}")
        st.stop()

    st.subheader("Scores per task")
    st.plotly_chart(charts.eval_scores(summaries), key="evals-scores")
    st.dataframe(
        pd.DataFrame([s.model_dump() for s in summaries]),
        hide_index=True,
        column_config={"mean_score": st.column_config.NumberColumn(format="%.3f")},
        key="evals-summary",
    )

    st.subheader("Compare with another run")
    tasks = sorted({s.task for s in summaries})
    left, right = st.columns([3, 1])
    with left:
        other = pick_runs(
            "Second run",
            [r for r in recent if r.id != run_id],
            max_selections=1,
            key="evals-other",
        )
    with right:
        task = st.selectbox("Task", tasks, key="evals-task")
    if other:
        try:
            verdict_panel(data.compare_scores(run_id, other[0], task))
        except KitchenError as error:
            st.warning(f"Cannot compare these runs: {error.message}")

    st.subheader("Samples")
    picked = st.selectbox(
        "Evaluation",
        summaries,
        index=len(summaries) - 1,
        format_func=lambda s: f"{s.task} · {s.phase} · step {s.step} (n={s.n})",
        key="evals-which",
    )
    pages = max(1, -(-picked.n * picked.epochs // SAMPLES_PAGE))
    cols = st.columns([1, 1, 2])
    page = cols[0].number_input(f"Page (of {pages})", 1, pages, 1, key="evals-page")
    outcome = cols[1].selectbox("Outcome", ["all", "wrong", "right"], key="evals-outcome")
    needle = cols[2].text_input("Contains", key="evals-needle")
    samples = data.eval_samples(
        run_id,
        phase=picked.phase,
        task=picked.task,
        step=picked.step,
        limit=SAMPLES_PAGE,
        offset=(int(page) - 1) * SAMPLES_PAGE,
    )
    table = pd.DataFrame(
        {
            "sample": [s.sample_id for s in samples],
            "epoch": [s.epoch for s in samples],
            "score": [s.score for s in samples],
            "input": [s.input for s in samples],
            "target": [s.target for s in samples],
            "output": [s.output for s in samples],
            "answer": [s.answer for s in samples],
            "latency (s)": [s.latency_s for s in samples],
        }
    )
    if outcome != "all" and not table.empty:
        table = table[(table["score"] > 0) == (outcome == "right")]
    if needle and not table.empty:
        text = table["input"] + " " + table["output"] + " " + table["target"]
        table = table[text.str.contains(needle, case=False, regex=False)]
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "score": st.column_config.ProgressColumn(min_value=0, max_value=1, format="%.2f")
        },
        key="evals-samples",
    )
    st.caption(f"{len(table)} of {len(samples)} samples on this page.")

    st.download_button(
        "Download the HTML report",
        data=lambda: data.report_html(run_id),
        file_name=f"kitchen-report-{short_id(run_id)}.html",
        mime="text/html",
        icon=":material/download:",
        key="evals-report",
    )
