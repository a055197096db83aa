"""An explanation as data: :class:`ExplainSpec` names everything that produces one, and
:func:`run_spec` produces it. The spec is stored as the analysis' params, which is what makes
``reproduce`` possible: the same spec rebuilds the same data split, model and explanation.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from kitchen.analysis.xai.explanation import Explanation, ModelRef
from kitchen.analysis.xai.pdp import PartialDependence
from kitchen.errors import ConfigError

TABULAR_METHODS = ("shap_tree", "shap_kernel", "shap_linear", "lime_tabular", "pdp")
TEXT_METHODS = ("shap_text", "lime_text", "integrated_gradients", "occlusion")
SEEDED = ("shap_kernel", "lime_tabular", "lime_text", "shap_text")

Method = Literal[
    "shap_tree",
    "shap_kernel",
    "shap_linear",
    "lime_tabular",
    "pdp",
    "shap_text",
    "lime_text",
    "integrated_gradients",
    "occlusion",
]


class ExplainSpec(BaseModel):
    """What to explain, how, and with which randomness (see :mod:`.sources` for the names)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str = Field(
        "sklearn:random_forest",
        description="sklearn:random_forest|gradient_boosting|logistic|linear, joblib:PATH, "
        "tiny-bert, classifier:PATH or (in a run) models:/NAME[@ALIAS|/VERSION] of a classifier",
    )
    model_seed: int = Field(0, description="seed for fitting an sklearn:* model / tiny-bert init")
    method: Method = Field("shap_tree", description="the explainer")
    data: str = Field(
        "sklearn:breast_cancer",
        description="sklearn:breast_cancer|diabetes, synthetic:classification|regression, "
        "csv:PATH, texts:PATH or builtin:reviews",
    )
    target_column: str = Field("target", description="label column of a csv: table")
    examples: int = Field(20, ge=1, description="explain the first N test rows / texts")
    seed: int = Field(0, description="seed of the explainer's sampling and the data split")
    background_size: int = Field(
        20, ge=1, description="k of the k-means background (kernel) / background rows (linear)"
    )
    samples: int = Field(
        1000, ge=10, description="kernel SHAP nsamples, LIME num_samples, SHAP-text max_evals"
    )
    target: int | None = Field(None, description="class to explain (unset: 1 / the predicted)")
    steps: int = Field(64, ge=1, description="integrated gradients: path steps (trapezoid)")
    window: int = Field(1, ge=1, description="occlusion: tokens masked together")
    features: tuple[str, ...] = Field((), description="pdp: features (unset: the first three)")
    stability: bool = Field(True, description="re-run seeded methods with seed+1 and report it")
    model_name: str = Field("", description="label: the model's registry name ('' : model)")
    model_version: int | None = Field(None, description="label: the registered version")

    @property
    def is_text(self) -> bool:
        return self.method in TEXT_METHODS


def run_spec(spec: ExplainSpec) -> Explanation | PartialDependence:
    """Build the data and model ``spec`` names and explain them.

    Raises:
        ConfigError: a method that does not fit the data or model (e.g. ``shap_tree`` on a
            logistic regression, a text method on a table).
    """
    from kitchen.analysis.xai.checks import stability

    result = _text(spec) if spec.is_text else _tabular(spec)
    if spec.stability and spec.method in SEEDED and isinstance(result, Explanation):
        again = _text(spec, reseed=True) if spec.is_text else _tabular(spec, reseed=True)
        assert isinstance(again, Explanation)
        agreement = stability(result, again)
        result = replace(
            result,
            checks={
                **result.checks,
                "stability_spearman": agreement.mean_spearman,
                "stability_global_spearman": agreement.global_spearman,
            },
        )
    return result


def _ref(spec: ExplainSpec) -> ModelRef:
    return ModelRef(spec.model_name or spec.model, spec.model_version)


def _tabular(spec: ExplainSpec, *, reseed: bool = False) -> Explanation | PartialDependence:
    from kitchen.analysis.xai import tabular
    from kitchen.analysis.xai.pdp import partial_dependence
    from kitchen.analysis.xai.sources import load_model, load_tabular

    if spec.data.startswith(("texts:", "builtin:", "sentiment:")):
        raise ConfigError(f"{spec.method} explains a table; {spec.data} is text")
    data = load_tabular(spec.data, target_column=spec.target_column, seed=spec.model_seed)
    model = load_model(spec.model, data=data, seed=spec.model_seed)
    x = data.x_test[: spec.examples]
    names, ref = data.feature_names, _ref(spec)
    seed = spec.seed + 1 if reseed else spec.seed
    rng = np.random.default_rng(seed)
    size = min(spec.background_size, len(data.x_train))
    if spec.method == "shap_tree":
        if not hasattr(model, "estimators_") and not hasattr(model, "tree_"):
            raise ConfigError(f"shap_tree explains tree models; {spec.model} is not one")
        return tabular.shap_tree(model, x, feature_names=names, target=spec.target, model_ref=ref)
    if spec.method == "shap_linear":
        if not hasattr(model, "coef_"):
            raise ConfigError(f"shap_linear explains linear models; {spec.model} is not one")
        rows = data.x_train[rng.choice(len(data.x_train), size, replace=False)]
        return tabular.shap_linear(
            model, x, rows, feature_names=names, target=spec.target, model_ref=ref
        )
    if spec.method == "shap_kernel":
        pool = data.x_train
        if reseed:  # a perturbed background: k-means of a random 80% of the training rows
            pool = pool[rng.choice(len(pool), int(0.8 * len(pool)), replace=False)]
        background = tabular.kmeans_background(pool, min(size, len(pool)), seed=seed)
        return tabular.shap_kernel(
            model,
            x,
            background,
            feature_names=names,
            target=spec.target,
            nsamples=spec.samples,
            seed=seed,
            model_ref=ref,
        )
    if spec.method == "lime_tabular":
        return tabular.lime_tabular(
            model,
            x,
            data.x_train,
            feature_names=names,
            target=spec.target,
            num_samples=spec.samples,
            seed=seed,
            model_ref=ref,
        )
    if spec.method == "pdp":
        features = list(spec.features) or list(names[:3])
        return partial_dependence(model, x, features, feature_names=names, model_ref=ref)
    raise ConfigError(f"{spec.method} is not a tabular method; use one of {TABULAR_METHODS}")


def _text(spec: ExplainSpec, *, reseed: bool = False) -> Explanation:
    from kitchen.analysis.xai import gradients, text
    from kitchen.analysis.xai.sources import load_model, load_texts

    texts = load_texts(spec.data)[: spec.examples]
    model: Any = load_model(spec.model, seed=spec.model_seed)
    if not isinstance(model, text.TextModel):
        raise ConfigError(f"{spec.method} explains text classifiers; {spec.model} is not one")
    ref, seed = _ref(spec), spec.seed + 1 if reseed else spec.seed
    if spec.method == "shap_text":
        return text.shap_text(
            model, texts, target=spec.target, max_evals=spec.samples, seed=seed, model_ref=ref
        )
    if spec.method == "lime_text":
        return text.lime_text(
            model, texts, target=spec.target, num_samples=spec.samples, seed=seed, model_ref=ref
        )
    if spec.method == "integrated_gradients":
        return gradients.integrated_gradients(
            model, texts, target=spec.target, steps=spec.steps, model_ref=ref
        )
    return gradients.occlusion(model, texts, target=spec.target, window=spec.window, model_ref=ref)
