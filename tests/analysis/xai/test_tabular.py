"""Tabular explainers: SHAP additivity (exact for tree and linear, reported for kernel), the
linear closed form, seeded LIME, PDP/ICE against a brute-force computation."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from kitchen.analysis.xai.checks import additivity, stability
from kitchen.analysis.xai.explanation import Explanation
from kitchen.analysis.xai.pdp import partial_dependence
from kitchen.analysis.xai.sources import TabularData, fit_sklearn
from kitchen.analysis.xai.tabular import (
    kmeans_background,
    lime_tabular,
    shap_kernel,
    shap_linear,
    shap_tree,
)
from kitchen.errors import ConfigError


def test_tree_shap_is_additive_for_forest_and_boosting(cancer: TabularData, forest: Any) -> None:
    x = cancer.x_test[:15]
    boosted = fit_sklearn("gradient_boosting", cancer, seed=0)
    for model, expected in (
        (forest, forest.predict_proba(x)[:, 1]),  # a forest's raw output is P(class 1)
        (boosted, boosted.decision_function(x)),  # boosting's is the log-odds
    ):
        found = shap_tree(model, x, feature_names=cancer.feature_names)
        sums = np.array([e.base_value + sum(e.values) for e in found.examples])  # type: ignore[operator]
        np.testing.assert_allclose(sums, expected, atol=1e-6)
        assert additivity(found).holds and found.checks["max_gap"] < 1e-6
        assert found.matrix().shape == (15, 30)


def test_tree_shap_on_a_regressor(diabetes: TabularData) -> None:
    model = fit_sklearn("random_forest", diabetes, seed=0)
    found = shap_tree(model, diabetes.x_test[:10], feature_names=diabetes.feature_names)
    assert found.examples[0].target is None
    sums = found.matrix().sum(1) + found.examples[0].base_value
    np.testing.assert_allclose(sums, model.predict(diabetes.x_test[:10]), atol=1e-6)


def test_linear_shap_matches_the_closed_form(diabetes: TabularData) -> None:
    model = fit_sklearn("linear", diabetes, seed=0)
    background = diabetes.x_train[:50]
    found = shap_linear(model, diabetes.x_test[:10], background)
    expected = model.coef_ * (diabetes.x_test[:10] - background.mean(0))
    np.testing.assert_allclose(found.matrix(), expected, atol=1e-9)
    assert additivity(found, tolerance=1e-6).holds
    assert found.background is not None and len(found.background.rows) == 50


def test_linear_shap_of_logistic_regression_explains_log_odds(cancer: TabularData) -> None:
    model = fit_sklearn("logistic", cancer, seed=0)
    found = shap_linear(model, cancer.x_test[:10], cancer.x_train[:40])
    sums = found.matrix().sum(1) + found.examples[0].base_value
    np.testing.assert_allclose(sums, model.decision_function(cancer.x_test[:10]), atol=1e-6)


def test_kernel_shap_reports_a_small_gap_and_stores_its_background(
    cancer: TabularData, forest: Any
) -> None:
    background = kmeans_background(cancer.x_train, 8)
    assert len(background.rows) == 8 and background.weights is not None
    assert "kmeans(k=8)" in background.description
    found = shap_kernel(forest, cancer.x_test[:4], background, nsamples=300, seed=0)
    assert found.background == background and found.seed == 0
    assert found.checks["max_gap"] < 1e-3  # kernel SHAP's constraint makes it near-exact
    # base value is E[f] over the weighted background
    weights = np.asarray(background.weights)
    expected_base = float(
        forest.predict_proba(background.array())[:, 1] @ (weights / weights.sum())
    )
    assert found.examples[0].base_value == pytest.approx(expected_base, abs=1e-9)
    # Kernel agrees with exact tree SHAP on what matters most (global ranking).
    exact = shap_tree(forest, cancer.x_test[:4])
    top_exact = list(exact.global_importance())[:3]
    assert next(iter(found.global_importance())) in top_exact


def test_kernel_shap_is_seeded(cancer: TabularData, forest: Any) -> None:
    background = kmeans_background(cancer.x_train, 5)
    x = cancer.x_test[:2]
    a = shap_kernel(forest, x, background, nsamples=100, seed=3)
    b = shap_kernel(forest, x, background, nsamples=100, seed=3)
    c = shap_kernel(forest, x, background, nsamples=100, seed=4)
    assert a.matrix().tolist() == b.matrix().tolist()
    assert a.matrix().tolist() != c.matrix().tolist()
    agreement = stability(a, c)
    assert 0.0 < agreement.mean_spearman <= 1.0


def test_lime_tabular_same_seed_same_explanation(cancer: TabularData, forest: Any) -> None:
    x, names = cancer.x_test[:3], cancer.feature_names
    a = lime_tabular(forest, x, cancer.x_train, feature_names=names, num_samples=300, seed=7)
    b = lime_tabular(forest, x, cancer.x_train, feature_names=names, num_samples=300, seed=7)
    c = lime_tabular(forest, x, cancer.x_train, feature_names=names, num_samples=300, seed=8)
    assert a.to_dict() == b.to_dict()
    assert a.matrix().tolist() != c.matrix().tolist()
    assert a.background is not None and a.background.rows == ()  # hash only
    assert a.background.sha256 == c.background.sha256  # type: ignore[union-attr]
    assert 0.0 < a.checks["mean_r2"] <= 1.0
    # the features LIME finds matter agree with the forest's own importances
    top = list(a.global_importance())[:10]
    forest_top = [cancer.feature_names[i] for i in np.argsort(-forest.feature_importances_)[:10]]
    assert set(top) & set(forest_top)


def test_lime_recovers_a_linear_models_signs() -> None:
    from sklearn.linear_model import LinearRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 3))
    model = LinearRegression().fit(x, 3 * x[:, 0] - 2 * x[:, 1])
    found = lime_tabular(model, x[:5], x, num_samples=500, seed=0, discretize=False)
    signs = np.sign(found.matrix().mean(0))
    assert signs[0] == 1 and signs[1] == -1
    assert abs(found.matrix()[:, 2]).mean() < 0.1 * abs(found.matrix()[:, 0]).mean()


def test_pdp_and_ice_equal_a_brute_force_computation(cancer: TabularData, forest: Any) -> None:
    x = cancer.x_test[:30]
    found = partial_dependence(
        forest, x, ["mean radius", 3], feature_names=cancer.feature_names, grid_resolution=7
    )
    curve = found.curves[0]
    assert curve.feature == "mean radius" and found.curves[1].feature == cancer.feature_names[3]
    brute = []
    for value in curve.grid:
        changed = x.copy()
        changed[:, 0] = value
        brute.append(forest.predict_proba(changed)[:, 1])
    ice = np.array(brute).T
    np.testing.assert_allclose(curve.individual, ice, atol=1e-12)
    np.testing.assert_allclose(curve.average, ice.mean(0), atol=1e-12)
    assert curve.centred()[:, 0].tolist() == [0.0] * 30
    assert found.to_dict()["curves"][0]["grid"] == curve.grid.tolist()
    with pytest.raises(ConfigError, match="no feature named"):
        partial_dependence(forest, x, ["nope"], feature_names=cancer.feature_names)


def test_explanation_round_trips_through_json(cancer: TabularData, forest: Any) -> None:
    import json

    found = shap_kernel(
        forest, cancer.x_test[:2], kmeans_background(cancer.x_train, 4), nsamples=64, seed=1
    )
    data = json.loads(json.dumps(found.to_dict(), allow_nan=False))
    back = Explanation.from_dict(data)
    assert back.to_dict() == found.to_dict()
    assert back.background == found.background
    assert data["global_importance"] == found.global_importance()


def test_errors_are_precise(cancer: TabularData, forest: Any) -> None:
    with pytest.raises(ConfigError, match="2 feature names for 30 columns"):
        shap_tree(forest, cancer.x_test[:2], feature_names=["a", "b"])
    with pytest.raises(ConfigError, match="k=0 must be between 1"):
        kmeans_background(cancer.x_train, 0)
    with pytest.raises(ConfigError, match="target class 5 out of range"):
        shap_kernel(forest, cancer.x_test[:1], kmeans_background(cancer.x_train, 2), target=5)
    with pytest.raises(ConfigError, match="no base value"):
        additivity(lime_tabular(forest, cancer.x_test[:1], cancer.x_train, num_samples=50))
