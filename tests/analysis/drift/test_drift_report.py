"""drift_report: detection power, false-positive rate, categories, sketches through the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.stats import binom

from kitchen.analysis.drift import (
    DriftOptions,
    DriftThresholds,
    FeatureSet,
    ReferenceSketch,
    Window,
    build_reference,
    drift_report,
    features_of_events,
    load_reference,
    run_drift_check,
    sketch_window,
)
from kitchen.analysis.drift.check import read_window
from kitchen.analysis.drift.stats import ks_2samp, wasserstein
from kitchen.errors import NotFoundError
from store import Store, open_store

NO_TEXT = DriftOptions(embed=False)
T0 = datetime(2025, 3, 1, tzinfo=UTC)


def numeric_set(**columns: np.ndarray) -> FeatureSet:
    n = len(next(iter(columns.values())))
    return FeatureSet(n, numeric=dict(columns))


def test_a_fifth_of_a_standard_deviation_is_detected_at_5k() -> None:
    rng = np.random.default_rng(0)
    reference = numeric_set(**{f"x{i}": rng.normal(size=5000) for i in range(5)})
    current = numeric_set(
        **{f"x{i}": rng.normal(0.2 if i == 0 else 0.0, 1, size=5000) for i in range(5)}
    )
    report = drift_report(reference, current, options=NO_TEXT)
    by_name = {f.name: f for f in report.features}
    assert by_name["x0"].drifted and by_name["x0"].p_adjusted is not None
    assert by_name["x0"].p_adjusted < 1e-6
    # The test fires; PSI (~0.04) and JS (~0.06) stay under their thresholds.
    assert len(by_name["x0"].reasons) == 1 and by_name["x0"].reasons[0].startswith("ks p")
    assert by_name["x0"].severity in ("low", "moderate")
    assert [f.name for f in report.features if f.drifted] == ["x0"]
    assert not report.drifted and report.share == pytest.approx(0.2)


def test_identical_distributions_stay_quiet_at_the_stated_rate() -> None:
    # 100 null trials, 6 features each: BH at alpha keeps P(any feature flagged) <= alpha.
    alpha, trials = 0.05, 100
    flagged = 0
    single = 0
    for trial in range(trials):
        rng = np.random.default_rng(10_000 + trial)
        columns = {f"x{i}": (rng.normal(size=2000), rng.normal(size=2000)) for i in range(5)}
        reference = FeatureSet(
            2000,
            numeric={k: v[0] for k, v in columns.items()},
            categorical={"c": list(rng.choice(["a", "b", "c"], 2000))},
        )
        current = FeatureSet(
            2000,
            numeric={k: v[1] for k, v in columns.items()},
            categorical={"c": list(rng.choice(["a", "b", "c"], 2000))},
        )
        report = drift_report(reference, current, options=NO_TEXT)
        flagged += any(f.drifted for f in report.features)
        single += report.features[0].p_value is not None and report.features[0].p_value < alpha
    bound = binom.ppf(0.999, trials, alpha)
    assert flagged <= bound
    # The raw KS p-values are calibrated: about alpha of them fall below alpha.
    assert binom.ppf(0.001, trials, alpha) <= single <= bound


def test_unseen_categories_go_to_the_other_bucket_and_count() -> None:
    rng = np.random.default_rng(1)
    reference = FeatureSet(3000, categorical={"country": list(rng.choice(["fr", "de"], 3000))})
    current_values = list(rng.choice(["fr", "de"], 2700)) + ["jp"] * 200 + ["br"] * 100
    current = FeatureSet(3000, categorical={"country": current_values})
    (row,) = drift_report(reference, current, options=NO_TEXT).features
    assert row.drifted and row.test == "chi2"
    assert row.statistics["unseen_share"] == pytest.approx(0.1)
    assert "jp, br" in row.note and "2 categories the reference never saw" in row.note
    # Same counts by hand: reference (fr, de, other=0) vs current (fr, de, other=300).
    from kitchen.analysis.drift.stats import chi_square

    ref_counts = [reference.categorical["country"].count(c) for c in ("fr", "de")] + [0]
    cur_counts = [current_values.count(c) for c in ("fr", "de")] + [300]
    order = sorted(range(2), key=lambda i: -ref_counts[i])
    expected = chi_square(
        [ref_counts[i] for i in order] + [0], [cur_counts[i] for i in order] + [300]
    )
    assert row.statistics["chi2"] == pytest.approx(expected.statistic)


def test_rare_categories_are_pooled_beyond_max_categories() -> None:
    values = [f"c{i}" for i in range(60) for _ in range(60 - i)]
    sketch = sketch_window(
        FeatureSet(len(values), categorical={"c": values}),
        DriftOptions(embed=False, max_categories=50),
        exact=True,
    )
    counts = sketch.categorical["c"].counts
    assert len(counts) == 51 and counts["__other__"] == sum(60 - i for i in range(50, 60))


def test_a_feature_that_changes_kind_is_drift() -> None:
    reference = FeatureSet(100, numeric={"f": np.arange(100.0)})
    current = FeatureSet(100, categorical={"f": ["x"] * 100})
    (row,) = drift_report(reference, current, options=NO_TEXT).features
    assert row.drifted and row.severity == "high" and "kind changed" in row.reasons[0]


def test_too_few_values_are_not_tested_and_features_on_one_side_are_listed() -> None:
    reference = FeatureSet(20, numeric={"a": np.arange(20.0), "b": np.arange(20.0)})
    current = FeatureSet(20, numeric={"a": np.arange(20.0), "c": np.arange(20.0)})
    report = drift_report(reference, current, options=NO_TEXT)
    (row,) = report.features
    assert row.test is None and "at least 30" in row.note
    assert report.only_in_reference == ("b",) and report.only_in_current == ("c",)
    assert not report.drifted and report.notes


def test_report_to_dict_is_json_without_nan() -> None:
    import json

    reference = numeric_set(x=np.zeros(100))  # std 0: the normalised Wasserstein is undefined
    current = numeric_set(x=np.ones(100))
    data = drift_report(reference, current, options=NO_TEXT).to_dict()
    text = json.dumps(data, allow_nan=False)
    assert '"wasserstein_norm": null' in text and data["features"][0]["drifted"]


# -- through the store ---------------------------------------------------------------------


def _events(
    rng: np.random.Generator, n: int, start: datetime, shift: float
) -> list[dict[str, Any]]:
    countries = ["fr", "de", "es"] if shift == 0 else ["fr", "de", "es", "it"]
    return [
        {
            "ts": start + timedelta(seconds=i),
            "model_name": "m",
            "model_version": 2,
            "input": "word " * int(rng.integers(1, 20)),
            "output": "answer " * int(rng.integers(1, 10)),
            "latency_ms": float(rng.gamma(2.0, 50.0)) + 40 * shift,
            "user_signal": float(rng.choice([-1.0, 1.0])),
            "label": str(rng.choice(["ok", "bad"])),
            "features": {
                "score": float(rng.normal(shift, 1)),
                "stable": float(rng.normal()),
                "country": str(rng.choice(countries)),
            },
        }
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("drift-store")
    rng = np.random.default_rng(42)
    with open_store(home, background_flush=False) as store:
        store.log_feedback(_events(rng, 25_000, T0, 0.0))
        store.log_feedback(_events(rng, 5_000, T0 + timedelta(days=1), 0.5))
    return home


REFERENCE = Window("m", 2, None, T0 + timedelta(days=1))
CURRENT = Window("m", 2, T0 + timedelta(days=1), None)


def test_sketch_round_trip_gives_the_raw_reference_report(filled: Path) -> None:
    options = DriftOptions(embed=False, sample_size=5000, seed=3)
    with open_store(filled) as store:
        sketch, ref_id = build_reference(store, store, REFERENCE, options=options)
        loaded, loaded_id = load_reference(store, "m", 2)
        raw = run_drift_check(store, CURRENT, reference=REFERENCE, options=options)
        stored = run_drift_check(store, CURRENT, options=options)
        saved = store.analysis_result(stored.analysis_id)
        full_reference = read_window(store, REFERENCE).features
        row = store.get_analysis(stored.analysis_id)
    assert loaded_id == ref_id and loaded.to_dict() == sketch.to_dict()
    assert stored.reference == {"analysis_id": ref_id, "model_version": 2}
    assert saved == stored.report.to_dict() and row.kind == "drift" and row.model_version == 2
    exact = {f.name: f for f in raw.report.features}
    approx = {f.name: f for f in stored.report.features}
    assert exact.keys() == approx.keys()
    for name, a in approx.items():
        e = exact[name]
        assert a.drifted == e.drifted, name
        for key in ("psi", "js", "chi2"):  # bins and counts are stored exactly
            if key in e.statistics:
                assert a.statistics[key] == pytest.approx(e.statistics[key], abs=1e-12), name
        if e.test == "ks":
            # Triangle inequalities bound the error of working on the stored sample S instead
            # of the full reference R: |D(S,C) − D(R,C)| ≤ D(S,R), likewise for Wasserstein.
            sample = loaded.numeric[name].sample
            full = full_reference.numeric[name]
            full = full[np.isfinite(full)]
            ks_bound = ks_2samp(sample, full).statistic
            assert abs(a.statistics["ks"] - e.statistics["ks"]) <= ks_bound + 1e-12, name
            assert ks_bound < 0.03, name  # DKW: a 5,000-value sample is this close (p > 0.999)
            w_bound = wasserstein(sample, full)
            assert abs(a.statistics["wasserstein"] - e.statistics["wasserstein"]) <= w_bound + 1e-9
    assert set(stored.report.drifted_features) >= {
        "latency_ms",
        "features.score",
        "features.country",
    }
    assert "features.stable" not in stored.report.drifted_features


def test_store_rows_and_engine_rows_give_the_same_features(filled: Path) -> None:
    from kitchen.engine.routes_analysis import event_out

    with open_store(filled, read_only=True) as store:
        table = store.feedback_events(model_name="m", model_version=2, limit=500)
    from_table = features_of_events(table)
    from_rows = features_of_events([event_out(row) for row in table.to_pylist()])
    assert from_table.names() == from_rows.names()
    for name in from_table.numeric:
        np.testing.assert_array_equal(from_table.numeric[name], from_rows.numeric[name])
    assert from_table.categorical == from_rows.categorical
    assert from_table.text == from_rows.text
    assert set(from_table.numeric) >= {"latency_ms", "input.words", "features.score"}


def test_missing_reference_and_empty_windows_say_what_to_do(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        store.log_feedback(_events(np.random.default_rng(0), 50, T0, 0.0))
        with pytest.raises(NotFoundError, match="kitchen drift reference --model m --version 2"):
            run_drift_check(store, CURRENT, options=NO_TEXT)
        with pytest.raises(NotFoundError, match="no feedback events of m v2 from"):
            read_window(store, Window("m", 2, T0 + timedelta(days=9), None))


def test_sketch_json_round_trip_is_exact() -> None:
    rng = np.random.default_rng(9)
    features = FeatureSet(
        400,
        numeric={"x": np.where(rng.random(400) < 0.1, np.nan, rng.normal(size=400))},
        categorical={"c": [None, *rng.choice(["a", "b"], 399)]},
        text={},
    )
    sketch = sketch_window(features, DriftOptions(embed=False, sample_size=100), exact=False)
    again = ReferenceSketch.from_dict(sketch.to_dict())
    assert again.to_dict() == sketch.to_dict()
    assert sketch.numeric["x"].missing == int(np.isnan(features.numeric["x"]).sum())
    assert sketch.numeric["x"].sample.size == 100 and not sketch.numeric["x"].exact
    assert sketch.categorical["c"].missing == 1


def test_thresholds_change_the_verdict() -> None:
    rng = np.random.default_rng(4)
    reference = numeric_set(**{k: rng.normal(size=3000) for k in "abc"})
    current = numeric_set(
        a=rng.normal(0.3, 1, 3000), b=rng.normal(size=3000), c=rng.normal(size=3000)
    )
    default = drift_report(reference, current, options=NO_TEXT)
    assert default.drifted_features == ("a",) and not default.drifted  # 1/3 < 0.5
    lenient = DriftThresholds(drift_share=0.3)
    assert drift_report(reference, current, thresholds=lenient, options=NO_TEXT).drifted
    floor = DriftThresholds(min_ks_statistic=0.5)  # D is ~0.12 here
    row = drift_report(reference, current, thresholds=floor, options=NO_TEXT).features[0]
    assert row.reasons and not any(r.startswith("ks") for r in row.reasons)


def test_store_protocols_are_satisfied() -> None:
    from kitchen.analysis.drift import AnalysisSink, FeedbackSource
    from kitchen.engine.client import EngineClient

    def takes(source: FeedbackSource, sink: AnalysisSink) -> None: ...

    # mypy checks these calls; at run time they only need to exist.
    for kind in (Store, EngineClient):
        assert callable(kind.feedback_events) and callable(kind.log_analysis)
