"""Adversary: how attacks fare against each version of a model — the attack × version success
matrix, then for one version its accuracy drop by severity and the examples attacks hurt most.

The matrix comes from the stored summaries (one request); a version's full report is read only
when it is picked. ``?model=NAME&version=N`` opens one.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import analysis_charts, data
from dashboard.widgets import empty, engine_errors, linked_model, set_model_link
from kitchen.analysis.adversary.persist import attacked_data, robustness_matrix
from kitchen.analysis.adversary.report import RobustnessReport

EMPTY_COMMAND = "kitchen attack run --model models:/NAME/1 --attack homoglyph"

st.title("Adversarial robustness")

with engine_errors():
    listed = data.analyses("adversary", limit=1000)
    models = sorted({a.model_name for a in listed if a.model_name})
    if not models:
        empty("No adversary analyses of a registered model", EMPTY_COMMAND)
        st.stop()
    name, version = linked_model()
    with st.sidebar:
        st.subheader("Adversary")
        model = st.selectbox(
            "Model", models, index=models.index(name) if name in models else 0, key="adv-model"
        )
    rows = data.analyses("adversary", model_name=model, limit=1000)
    datasets = robustness_matrix(model, rows).datasets
    with st.sidebar:
        attacked = st.selectbox(
            "Attacked data",
            datasets,
            help="Versions are compared on the same data only",
            key="adv-data",
        )
    matrix = robustness_matrix(model, rows, data=attacked)
    versions = list(matrix.versions)
    with st.sidebar:
        picked = st.selectbox(
            "Version",
            versions,
            index=versions.index(version) if version in versions else len(versions) - 1,
            format_func=lambda v: f"v{v}",
            key="adv-version",
        )
    set_model_link(model, picked)

    st.subheader(f"Attack success rate — {model} on {matrix.data or 'its data'}")
    st.caption(
        "Share of the examples a model answered correctly that some perturbed variant broke, "
        "at each attack's strongest severity; the newest analysis per version."
    )
    st.plotly_chart(analysis_charts.success_matrix(matrix), key="adv-matrix")
    clean = pd.DataFrame(
        {
            "version": [f"v{v}" for v in versions],
            "clean accuracy": [matrix.clean_accuracy.get(v) for v in versions],
        }
    )
    st.dataframe(clean, hide_index=True, key="adv-clean")

    newest = next(
        a for a in rows if a.model_version == picked and attacked_data(a.summary) == matrix.data
    )
    report = data.analysis(newest.id).result
    st.subheader(f"v{picked}: {newest.name}")
    if not isinstance(report, dict):
        st.info("This analysis stored a summary only; rerun it to keep the full report.")
        st.stop()
    st.caption(
        f"{report.get('n_examples')} examples · clean accuracy {report.get('clean_accuracy')} · "
        f"seed {report.get('seed')} · stored {newest.created_at:%Y-%m-%d %H:%M}"
    )
    st.plotly_chart(analysis_charts.drop_by_severity(report), key="adv-drop")
    levels = [
        {"attack": attack["name"], "family": attack.get("family"), **level}
        for attack in report.get("attacks", [])
        for level in attack.get("levels", [])
    ]
    st.dataframe(pd.DataFrame(levels), hide_index=True, key="adv-levels")

    st.subheader("Worst examples")
    parsed = RobustnessReport.from_dict(report)
    worst = [
        {
            "attack": attack.name,
            "original": w.original,
            "perturbed": w.perturbed,
            "label": w.label,
            "clean prediction": w.clean_prediction,
            "attacked prediction": w.attacked_prediction,
            "confidence drop": w.confidence_drop,
        }
        for attack in parsed.attacks
        for w in attack.worst
    ]
    if worst:
        table = pd.DataFrame(worst).sort_values("confidence drop", ascending=False)
        st.dataframe(table, hide_index=True, key="adv-worst")
    else:
        st.caption("No attack broke an example.")
