"""Persistence through a Store, reproduce from the stored spec, stability, attribution drift."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from kitchen.analysis.xai.drift import attribution_drift, compare_importances
from kitchen.analysis.xai.explanation import Explanation
from kitchen.analysis.xai.persist import (
    load_explanation,
    log_attribution_drift,
    log_explanation,
    reproduce,
)
from kitchen.analysis.xai.sources import TabularData, fit_sklearn
from kitchen.analysis.xai.spec import ExplainSpec, run_spec
from kitchen.analysis.xai.tabular import shap_tree
from kitchen.errors import ConfigError


def test_kernel_explanation_round_trips_and_reproduces(store: Any) -> None:
    spec = ExplainSpec(
        method="shap_kernel", examples=3, background_size=6, samples=128, seed=11, model_seed=2
    )
    found = run_spec(spec)
    assert isinstance(found, Explanation)
    assert "stability_spearman" in found.checks  # seeded: re-run with seed+1 and compared
    run = store.create_run(recipe="explain", config={}).id
    row = log_explanation(store, found, spec=spec, name="kernel demo", run_id=run)
    assert (row.kind, row.seed, row.run_id, row.model_name) == (
        "xai",
        11,
        run,
        "sklearn:random_forest",
    )
    params = json.loads(row.params_json)
    assert params["background_sha256"] == found.background.sha256  # type: ignore[union-attr]
    assert params["spec"]["seed"] == 11
    summary = json.loads(row.summary_json)
    assert summary["examples"] == 3 and summary["top_features"][0]["importance"] > 0
    back = load_explanation(store, row.id)
    assert back.to_dict() == found.to_dict()
    again = reproduce(store, row.id)
    assert again.matches and again.max_abs_diff == 0.0 and again.values == 3 * 30


def test_reproduce_notices_a_changed_result(store: Any) -> None:
    spec = ExplainSpec(method="lime_tabular", examples=2, samples=100, stability=False)
    found = run_spec(spec)
    assert isinstance(found, Explanation)
    tampered = found.to_dict()
    tampered["examples"][0]["values"][0] += 0.5
    row = store.log_analysis(
        kind="xai",
        name="tampered",
        params={"spec": spec.model_dump(mode="json")},
        summary={},
        result=tampered,
    )
    outcome = reproduce(store, row.id)
    assert not outcome.matches and outcome.max_abs_diff == pytest.approx(0.5)
    bare = store.log_analysis(kind="xai", name="bare", params={}, summary={}, result=tampered)
    with pytest.raises(ConfigError, match="without a spec"):
        reproduce(store, bare.id)


def test_pdp_and_text_specs_persist(store: Any) -> None:
    pdp = run_spec(ExplainSpec(method="pdp", examples=10, features=("mean radius",)))
    row = log_explanation(store, pdp, spec=ExplainSpec(method="pdp", examples=10))
    assert store.analysis_result(row.id)["curves"][0]["feature"] == "mean radius"
    spec = ExplainSpec(model="tiny-bert", method="occlusion", data="builtin:reviews", examples=3)
    text_row = log_explanation(store, run_spec(spec), spec=spec)
    assert reproduce(store, text_row.id).matches
    with pytest.raises(ConfigError, match="explains a table"):
        run_spec(ExplainSpec(method="shap_tree", data="builtin:reviews"))
    with pytest.raises(ConfigError, match="shap_tree explains tree models"):
        run_spec(ExplainSpec(method="shap_tree", model="sklearn:logistic"))


def test_identical_models_have_no_attribution_drift(cancer: TabularData, forest: Any) -> None:
    x = cancer.x_test[:20]
    a = shap_tree(forest, x, feature_names=cancer.feature_names)
    b = shap_tree(
        fit_sklearn("random_forest", cancer, seed=0), x, feature_names=cancer.feature_names
    )
    drift = attribution_drift(a, b, k=5)
    assert drift.spearman == pytest.approx(1.0) and drift.kendall == pytest.approx(1.0)
    assert drift.top_k_overlap == 1.0 and drift.l1_distance == pytest.approx(0.0, abs=1e-12)
    assert drift.per_example_spearman == pytest.approx(1.0)


def test_shuffled_importances_drift() -> None:
    rng = np.random.default_rng(0)
    names = [f"f{i}" for i in range(40)]
    values = np.sort(rng.exponential(size=40))[::-1]
    before = dict(zip(names, values, strict=True))
    after = dict(zip(names, rng.permutation(values), strict=True))
    drift = compare_importances(before, after, k=5)
    assert abs(drift.spearman) < 0.4 and drift.top_k_overlap < 0.6
    assert drift.l1_distance > 0.5
    reversed_ = dict(zip(names, values[::-1], strict=True))
    assert compare_importances(before, reversed_).spearman == pytest.approx(-1.0)


def test_another_model_version_drifts_and_is_stored(cancer: TabularData, store: Any) -> None:
    x = cancer.x_test[:20]
    forest = shap_tree(fit_sklearn("random_forest", cancer, seed=0), x)
    boosted = shap_tree(fit_sklearn("gradient_boosting", cancer, seed=0), x)
    drift = attribution_drift(forest, boosted, k=5)
    assert drift.spearman < 0.95 and drift.l1_distance > 0.1
    row = log_attribution_drift(store, drift, before=forest, after=boosted)
    assert row.kind == "attribution_drift"
    stored = store.analysis_result(row.id)
    assert stored["top_k"] == 5 and len(stored["changed"]) == 5
    assert json.loads(row.summary_json)["spearman"] == pytest.approx(drift.spearman)
