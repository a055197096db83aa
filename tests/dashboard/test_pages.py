"""Every dashboard page rendered by ``AppTest`` against a seeded store served by an engine:
no exception, and the elements that carry its numbers are there with the seeded values."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import APP, Served


def open_page(page: str, **query: str | list[str]) -> AppTest:
    """Run the app on ``views/<page>.py`` with ``query`` as the address's parameters."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.query_params.update(query)
    at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # The seeded failed run's own error is content; any other error box is the page failing.
    errors = [e.value for e in at.error if "NaN loss" not in e.value]
    assert not errors, errors
    return at


def frame(at: AppTest, column: str, *, last: bool = False) -> pd.DataFrame:
    """The first (or last) table of the page that has ``column``."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert found, f"no table with a {column!r} column"
    return found[-1] if last else found[0]


def texts(at: AppTest) -> str:
    """Every markdown, caption, metric and alert text of the page, joined."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [f"{m.label}={m.value}" for m in at.metric]
    parts += [x.value for x in [*at.info, *at.warning, *at.success]]
    return "\n".join(str(p) for p in parts)


def test_overview_counts_every_run(home: Path, served: Served) -> None:
    at = open_page("overview")
    metrics = {m.label: m.value for m in at.metric}
    # 3 report runs + 12 sweep successes + 2 failed attempts.
    assert metrics["Runs"] == "17"
    assert metrics["Failed"] == "3"
    assert len(at.get("plotly_chart")) == 1
    recent = frame(at, "duration (s)")
    assert len(recent) == 17
    assert served.seed.report.full in " ".join(recent["run"])


def test_overview_status_filter_is_server_side(home: Path) -> None:
    at = open_page("overview")
    at.multiselect(key="overview-status").set_value(["failed"]).run()
    assert not at.exception
    recent = frame(at, "duration (s)")
    assert set(recent["status"]) == {"failed"} and len(recent) == 3


def test_runs_page_overlays_linked_runs(home: Path, served: Served) -> None:
    seed = served.seed.report
    at = open_page("runs", run=[seed.full, seed.bare])
    assert at.multiselect(key="runs-chosen").value == [seed.full, seed.bare]
    assert at.selectbox(key="runs-metric").value == "train/loss"
    assert len(at.get("plotly_chart")) >= 1
    params = frame(at, "param")
    assert "learning_rate" in set(params["param"])


def test_evaluations_page_compares_two_runs(home: Path, served: Served) -> None:
    seed = served.seed.report
    at = open_page("evaluations", run=seed.full)
    summary = frame(at, "mean_score")
    assert list(summary["phase"]) == ["baseline", "eval", "eval"]
    samples = frame(at, "sample")
    assert len(samples) == 60  # the last evaluation, one page
    assert "<script>" in samples["input"].iloc[0]  # shown as text in a cell, not run
    at.multiselect(key="evals-other").set_value([seed.other]).run()
    assert not at.exception
    assert "McNemar" in " ".join(str(v) for v in frame(at, "estimate (A − B)")["test"])
    assert at.success, "the verdict sentence is shown"
    at.selectbox(key="evals-outcome").set_value("wrong").run()
    wrong = frame(at, "sample")
    assert len(wrong) == sum(1 for s in seed.final_scores if s == 0)


def test_lineage_page_draws_the_models_dag(home: Path) -> None:
    at = open_page("lineage", model="tiny", version="1")
    assert at.selectbox(key="lineage-version").value == 1
    versions = frame(at, "aliases")
    assert list(versions["version"]) == ["v2", "v1"]
    assert "@champion" in set(versions["aliases"])
    assert len(at.get("plotly_chart")) == 1
    assert "nodes" in texts(at)


def test_feedback_page_lists_curation_candidates(home: Path, served: Served) -> None:
    at = open_page("feedback", model="tiny", version="1")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Events"] == f"{served.seed.feedback_events:,}"
    candidates = frame(at, "flags")
    assert len(candidates) == served.seed.candidates
    assert len(at.get("plotly_chart")) == 2
    events = frame(at, "flags", last=True)
    assert len(events) == served.seed.feedback_events


def test_adversary_page_matrix_and_worst_examples(home: Path) -> None:
    at = open_page("adversary", model="tiny", version="2")
    assert at.selectbox(key="adv-version").value == 2
    assert len(at.get("plotly_chart")) == 2
    levels = frame(at, "severity")
    assert len(levels) == 3 * 2  # three attacks, two severities
    worst = frame(at, "perturbed")
    assert len(worst) == 3 and (worst["confidence drop"] > 0.6).all()


def test_explainability_page_tabular_text_pdp_and_drift(home: Path) -> None:
    at = open_page("explainability", model="tiny")
    assert len(at.get("plotly_chart")) >= 2  # global importance, one example's bars
    assert {"spearman", "top k overlap"} <= {m.label for m in at.metric}

    at.selectbox(key="xai-analysis").select_index(option_index(at, "occlusion")).run()
    assert not at.exception
    html = " ".join(str(h.proto.body) for h in at.get("html"))
    assert "&lt;script&gt;" in html and "<script>" not in html

    at.selectbox(key="xai-analysis").select_index(option_index(at, "pdp")).run()
    assert not at.exception
    assert at.selectbox(key="xai-pdp-feature").value == "income"


def option_index(at: AppTest, needle: str) -> int:
    """The index of the explanation picker's option whose label contains ``needle``."""
    options = at.selectbox(key="xai-analysis").options
    return next(i for i, label in enumerate(options) if needle in label)


def test_drift_page_timeline_features_and_histogram(home: Path) -> None:
    at = open_page("drift", model="tiny", version="1")
    assert len(at.get("plotly_chart")) >= 2  # timeline and a histogram
    table = frame(at, "severity")
    assert "latency_ms" in set(table["feature"])
    assert len(table) == len(set(table["feature"]))  # one row per feature
    assert "day 3" in at.selectbox(key="drift-check").value.name  # newest first
    latency = table[table["feature"] == "latency_ms"].iloc[0]
    assert bool(latency["drifted"]), "day 3's latency shift is found"
    features_length = table[table["feature"] == "features.length"].iloc[0]
    assert not bool(features_length["drifted"])
    assert at.selectbox(key="drift-feature").options
