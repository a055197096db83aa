"""Tabular explainers: SHAP (tree, kernel, linear) and LIME, wrapped into :class:`Explanation`.

Each function explains one scalar per example, stated in ``params["output"]``:

- ``shap_tree``: the tree ensemble's raw output — P(target) for a random forest, the log-odds
  (``decision_function``) for gradient boosting, the prediction for a regressor.
- ``shap_linear``: the linear score — ``decision_function`` (log-odds) for a logistic
  regression, the prediction for a linear regression.
- ``shap_kernel`` and ``lime_tabular``: ``predict_proba[:, target]`` for a classifier,
  ``predict`` for a regressor (model-agnostic).

SHAP values satisfy base value + Σ attributions = output; tree and linear do so exactly (the
gap is floating-point noise), kernel SHAP up to its sampling, and every explanation reports
its gap in ``checks``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from kitchen.analysis.xai.explanation import (
    Attribution,
    Background,
    Explanation,
    ModelRef,
    gap_checks,
)
from kitchen.errors import ConfigError

OutputFn = Callable[[np.ndarray], np.ndarray]


def is_classifier(model: Any) -> bool:
    """Whether a fitted sklearn estimator is a classifier (it has ``classes_``)."""
    return hasattr(model, "classes_") and hasattr(model, "predict_proba")


def probability_output(model: Any, target: int) -> OutputFn:
    """``predict_proba[:, target]`` for a classifier, ``predict`` for a regressor."""
    if is_classifier(model):
        n = len(model.classes_)
        if not 0 <= target < n:
            raise ConfigError(f"target class {target} out of range: the model has {n} classes")
        return lambda x: np.asarray(model.predict_proba(x))[:, target]
    return lambda x: np.asarray(model.predict(x), dtype=np.float64).ravel()


def raw_output(model: Any, target: int) -> OutputFn:
    """The model's raw score: ``decision_function`` (log-odds) where it has one, else
    :func:`probability_output` (random forests average probabilities: that *is* raw)."""
    if is_classifier(model) and hasattr(model, "decision_function"):

        def score(x: np.ndarray) -> np.ndarray:
            out = np.asarray(model.decision_function(x), dtype=np.float64)
            return out if out.ndim == 1 else out[:, target]

        return score
    return probability_output(model, target)


def _select(values: Any, expected: Any, target: int) -> tuple[np.ndarray, float]:
    """SHAP's values and base value for class ``target`` (or the only output)."""
    array = np.asarray(values, dtype=np.float64)
    if isinstance(values, list):  # older shap: one array per class
        array = np.stack(values, axis=-1)
    if array.ndim == 3:
        array = array[:, :, target]
    base = np.atleast_1d(np.asarray(expected, dtype=np.float64))
    return array, float(base[target] if base.size > 1 else base[0])


def _examples(
    x: np.ndarray,
    values: np.ndarray,
    base: float,
    outputs: np.ndarray,
    names: Sequence[str],
    target: int | None,
) -> tuple[Attribution, ...]:
    return tuple(
        Attribution(
            features=tuple(names),
            values=tuple(float(v) for v in values[i]),
            base_value=base,
            output=float(outputs[i]),
            target=target,
            inputs=tuple(float(v) for v in x[i]),
        )
        for i in range(len(x))
    )


def _names(x: np.ndarray, feature_names: Sequence[str] | None) -> tuple[str, ...]:
    if x.ndim != 2:
        raise ConfigError(f"explain a 2-d array of rows, got shape {x.shape}")
    names = tuple(feature_names) if feature_names else tuple(f"x{i}" for i in range(x.shape[1]))
    if len(names) != x.shape[1]:
        raise ConfigError(f"{len(names)} feature names for {x.shape[1]} columns")
    return names


def _target(model: Any, target: int | None) -> int | None:
    if not is_classifier(model):
        return None
    return 1 if target is None and len(model.classes_) == 2 else (target or 0)


@contextmanager
def seeded_numpy(seed: int) -> Iterator[None]:
    """Seed numpy's global generator for a block and restore it after (kernel SHAP and
    ``shap.kmeans`` draw from the global generator)."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def shap_tree(
    model: Any,
    x: np.ndarray,
    *,
    feature_names: Sequence[str] | None = None,
    target: int | None = None,
    background: np.ndarray | None = None,
    model_ref: ModelRef | None = None,
) -> Explanation:
    """Exact SHAP values of a tree ensemble (random forest, gradient boosting, a tree).

    Without ``background`` the tree-path-dependent algorithm is used (no background needed);
    with one, the interventional algorithm integrates over those rows.
    """
    import shap

    x = np.asarray(x, dtype=np.float64)
    names = _names(x, feature_names)
    t = _target(model, target)
    if background is None:
        explainer = shap.TreeExplainer(model, feature_perturbation="tree_path_dependent")
        bg = None
    else:
        rows = np.asarray(background, dtype=np.float64)
        explainer = shap.TreeExplainer(model, data=rows, feature_perturbation="interventional")
        bg = Background.of(rows, description=f"{len(rows)} rows (interventional)")
    values, base = _select(explainer.shap_values(x), explainer.expected_value, t or 0)
    examples = _examples(x, values, base, raw_output(model, t or 0)(x), names, t)
    return Explanation(
        method="shap_tree",
        model=model_ref or ModelRef(type(model).__name__),
        examples=examples,
        feature_names=names,
        background=bg,
        params={
            "output": "raw",
            "feature_perturbation": "tree_path_dependent" if bg is None else "interventional",
        },
        checks=gap_checks(examples),
    )


def shap_linear(
    model: Any,
    x: np.ndarray,
    background: np.ndarray,
    *,
    feature_names: Sequence[str] | None = None,
    target: int | None = None,
    model_ref: ModelRef | None = None,
) -> Explanation:
    """Exact SHAP values of a linear model (features treated as independent):
    coefficient × (x − mean of the background)."""
    import shap

    x = np.asarray(x, dtype=np.float64)
    rows = np.asarray(background, dtype=np.float64)
    names = _names(x, feature_names)
    t = _target(model, target)
    explainer = shap.LinearExplainer(model, masker=rows)
    values, base = _select(explainer.shap_values(x), explainer.expected_value, t or 0)
    examples = _examples(x, values, base, raw_output(model, t or 0)(x), names, t)
    return Explanation(
        method="shap_linear",
        model=model_ref or ModelRef(type(model).__name__),
        examples=examples,
        feature_names=names,
        background=Background.of(rows, description=f"{len(rows)} rows (independent masker)"),
        params={"output": "raw"},
        checks=gap_checks(examples),
    )


def kmeans_background(data: np.ndarray, k: int, *, seed: int = 0) -> Background:
    """``shap.kmeans`` summary of ``data``: k centres weighted by their cluster sizes."""
    import shap

    rows = np.asarray(data, dtype=np.float64)
    if not 1 <= k <= len(rows):
        raise ConfigError(f"k-means background: k={k} must be between 1 and {len(rows)} rows")
    with seeded_numpy(seed):
        dense = shap.kmeans(rows, k)
    return Background.of(
        dense.data, dense.weights, description=f"kmeans(k={k}) of {len(rows)} rows"
    )


def shap_kernel(
    model: Any,
    x: np.ndarray,
    background: Background,
    *,
    feature_names: Sequence[str] | None = None,
    target: int | None = None,
    nsamples: int = 2048,
    seed: int = 0,
    model_ref: ModelRef | None = None,
) -> Explanation:
    """Kernel SHAP over ``background`` (see :func:`kmeans_background`), explaining
    P(target) (or the prediction); ``nsamples`` coalitions per example, drawn with ``seed``."""
    import shap

    x = np.asarray(x, dtype=np.float64)
    names = _names(x, feature_names)
    t = _target(model, target)
    f = probability_output(model, t or 0)
    weights = None if background.weights is None else np.asarray(background.weights)
    rows = background.array()
    if len(rows) == 0:
        raise ConfigError("kernel SHAP needs the background rows; this background kept only a hash")
    weights = np.ones(len(rows)) if weights is None else weights.copy()
    data = shap.utils._legacy.DenseData(rows, list(names), None, weights)
    explainer = shap.KernelExplainer(f, data)
    with seeded_numpy(seed):
        raw = explainer.shap_values(x, nsamples=nsamples, silent=True)
    values, base = _select(raw, explainer.expected_value, 0)
    examples = _examples(x, values, base, f(x), names, t)
    return Explanation(
        method="shap_kernel",
        model=model_ref or ModelRef(type(model).__name__),
        examples=examples,
        feature_names=names,
        seed=seed,
        background=background,
        params={"output": "probability" if t is not None else "prediction", "nsamples": nsamples},
        checks=gap_checks(examples),
    )


def lime_tabular(
    model: Any,
    x: np.ndarray,
    training_data: np.ndarray,
    *,
    feature_names: Sequence[str] | None = None,
    target: int | None = None,
    num_samples: int = 2000,
    seed: int = 0,
    discretize: bool = True,
    model_ref: ModelRef | None = None,
) -> Explanation:
    """LIME: a weighted linear fit to the model around each example, sampled with ``seed``.

    The same seed gives the same explanation (a fresh explainer per call, examples in order).
    ``score`` is the local fit's R²; ``training_data`` supplies the sampling statistics and is
    stored as the background.
    """
    from lime.lime_tabular import LimeTabularExplainer

    x = np.asarray(x, dtype=np.float64)
    train = np.asarray(training_data, dtype=np.float64)
    names = _names(x, feature_names)
    t = _target(model, target)
    classify = t is not None
    explainer = LimeTabularExplainer(
        train,
        feature_names=list(names),
        mode="classification" if classify else "regression",
        discretize_continuous=discretize,
        random_state=seed,
    )
    predict = model.predict_proba if classify else model.predict
    label = t if classify else 0
    examples = []
    for row in x:
        found = explainer.explain_instance(
            row, predict, labels=(label,), num_features=len(names), num_samples=num_samples
        )
        weights = np.zeros(len(names))
        # In regression mode lime keeps the weights under label 1 (label 0 holds their negation).
        local = found.local_exp[label if classify else 1]
        for index, weight in local:
            weights[index] = weight
        examples.append(
            Attribution(
                features=names,
                values=tuple(float(w) for w in weights),
                target=t,
                inputs=tuple(float(v) for v in row),
                score=float(found.score),
            )
        )
    scores = [e.score for e in examples if e.score is not None]
    return Explanation(
        method="lime_tabular",
        model=model_ref or ModelRef(type(model).__name__),
        examples=tuple(examples),
        feature_names=names,
        seed=seed,
        background=Background.of(
            train, description=f"{len(train)} training rows (statistics)", keep_rows=False
        ),
        params={"num_samples": num_samples, "discretize": discretize},
        checks={"mean_r2": float(np.mean(scores))} if scores else {},
    )
