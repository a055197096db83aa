"""``seed_demo`` on a store: what it writes, that no raw PII gets in, and determinism."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from kitchen.analysis.feedback import redact
from kitchen.demo import seed_demo
from kitchen.errors import ConfigError
from store import Store
from store.errors import AlreadyExistsError
from tests.demo.conftest import END, EVENTS, RUNS, Seeded, seed_into


def test_runs_evals_and_models(seeded: Seeded) -> None:
    store, summary = seeded.store, seeded.summary
    assert len(summary.runs) == RUNS + 2 and len(summary.eval_runs) == 2
    statuses = [store.get_run(r).status for r in summary.runs]
    assert statuses.count("succeeded") == RUNS + 2  # the 5th sweep run would fail; 3 do not
    sweep = summary.runs[0]
    assert len(store.metric_curve(sweep, "train/loss").steps) == 200
    clf_run = summary.runs[-1]
    curve = store.metric_curve(clf_run, "train/loss")
    assert len(curve.steps) > 100 and curve.values[-1] < curve.values[0]  # a real fit learns
    for run_id in summary.eval_runs:
        samples = store.eval_samples(run_id, task="sentiment")
        assert samples.num_rows == 400
    accuracy = [store.get_model_version("sentiment-clf", v).metrics_json for v in (1, 2)]
    assert all(0.7 < json.loads(m)["accuracy"] <= 1 for m in accuracy)
    assert store.get_model_version("sentiment-clf", "champion").version == 1
    assert store.get_model_version("sentiment-clf", "challenger").version == 2
    v1 = store.get_model_version("sentiment-clf", 1)
    graph = store.lineage("model_version", v1.id)
    assert "retrained_as" in {e.relation for e in graph.downstream}


def test_feedback_spans_30_days_of_two_versions_with_drift_in_the_second_half(
    seeded: Seeded,
) -> None:
    table = seeded.store.feedback_events()
    assert table.num_rows == EVENTS == seeded.summary.events
    rows = table.to_pylist()
    assert {r["model_version"] for r in rows} == {1, 2}
    assert min(r["ts"] for r in rows) >= END - timedelta(days=30)
    assert max(r["ts"] for r in rows) < END
    middle = END - timedelta(days=15)
    early = [r for r in rows if r["ts"] < middle]
    late = [r for r in rows if r["ts"] >= middle]

    def mean(values: list[float]) -> float:
        return sum(values) / len(values)

    def feature(row: dict[str, Any], key: str) -> Any:
        return json.loads(row["features_json"])[key]

    assert (
        mean([feature(r, "customer_age") for r in late])
        > mean([feature(r, "customer_age") for r in early]) + 5
    )
    assert "br" not in {feature(r, "country") for r in early}
    assert "br" in {feature(r, "country") for r in late}
    assert mean([len(r["output"]) for r in late]) > 1.5 * mean([len(r["output"]) for r in early])

    def refusals(part: list[dict[str, Any]]) -> float:
        return mean([1.0 if "refusal" in r["quality_flags"] else 0.0 for r in part])

    assert refusals(late) > 2 * refusals(early)


def test_no_raw_pii_is_stored(seeded: Seeded) -> None:
    summary = seeded.summary
    assert summary.redacted_events > 0
    assert set(summary.redactions) == {"email", "phone", "card", "ssn"}
    rows = seeded.store.feedback_events().to_pylist()
    assert sum(r["redactions"] for r in rows) == sum(summary.redactions.values())
    for row in rows:
        for text in (row["input"], row["output"], row["label"] or "", row["features_json"]):
            assert redact(text).total == 0, text
    assert any("[EMAIL]" in r["input"] for r in rows) and any("[CARD]" in r["input"] for r in rows)


def test_analyses_come_from_the_real_analysis_code(seeded: Seeded) -> None:
    store = seeded.store
    assert seeded.summary.analyses == {
        "adversary": 2,
        "attribution_drift": 1,
        "drift": 3,
        "drift_reference": 2,
        "xai": 3,
    }
    drift = {a.name: json.loads(a.summary_json) for a in store.list_analyses(kind="drift")}
    late = [f for n, f in drift.items() if "second half" in n]
    assert len(late) == 2 and all(f["drifted"] for f in late)
    assert all("features.customer_age" in f["drifted_features"] for f in late)
    (week,) = [f for n, f in drift.items() if "week 2" in n]
    assert not week["drifted"]
    (adversary,) = store.list_analyses(kind="adversary", model_version=1)
    attacks = json.loads(adversary.summary_json)["attacks"]
    assert set(attacks) == {"character_swap", "homoglyph", "synonym_replacement", "word_deletion"}
    shap = [a for a in store.list_analyses(kind="xai") if "SHAP" in a.name]
    assert len(shap) == 2
    gap = json.loads(shap[0].summary_json)["checks"]["max_gap"]
    assert gap < 1e-9  # exact linear SHAP: attributions add up to the output
    (attr,) = store.list_analyses(kind="attribution_drift")
    assert 0 < json.loads(attr.summary_json)["l1_distance"] <= 2


def _content(store: Store) -> dict[str, Any]:
    """What must not change between two seeds with one seed value (ids and clocks may)."""
    events = store.feedback_events(
        columns=[
            "ts",
            "model_version",
            "input",
            "output",
            "latency_ms",
            "user_signal",
            "label",
            "features_json",
            "quality_flags",
            "redactions",
        ]
    ).to_pylist()
    analyses = sorted((a.kind, a.name, a.summary_json) for a in store.list_analyses(limit=1000))
    runs = sorted(r.name for r in store.runs_table(limit=100))
    curves = {
        name: store.metric_curve(run.id, "train/loss").values
        for run in store.runs_table(limit=100)
        for name in [run.name]
        if "train/loss" in store.metric_keys(run.id)
    }
    return {"events": events, "analyses": analyses, "runs": runs, "curves": curves}


def test_the_same_seed_writes_the_same_content(seeded: Seeded, tmp_path: Path) -> None:
    again, _ = seed_into(tmp_path / "again")
    try:
        assert _content(again) == _content(seeded.store)
    finally:
        again.close()
    other, _ = seed_into(tmp_path / "other", seed=8)
    try:
        assert _content(other)["events"] != _content(seeded.store)["events"]
    finally:
        other.close()


def test_bad_counts_are_refused(seeded: Seeded) -> None:
    with pytest.raises(ConfigError, match="events must be >= 200"):
        seed_demo(seeded.store, events=10)
    with pytest.raises(ConfigError, match="runs must be >= 0"):
        seed_demo(seeded.store, runs=-1)
    before = seeded.store.feedback_events().num_rows
    with pytest.raises(AlreadyExistsError, match="already holds demo data"):
        seed_demo(seeded.store, events=200)
    assert seeded.store.feedback_events().num_rows == before
