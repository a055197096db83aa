"""Partial dependence (PDP) and individual conditional expectation (ICE) curves.

A thin wrapper over :func:`sklearn.inspection.partial_dependence` (``kind="both"``): for each
feature, the grid of values, the average response over the data (PDP) and one curve per row
(ICE). Centred ICE (each curve minus its value at the first grid point) is derived here because
it shows heterogeneity that the raw curves' offsets hide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from kitchen.analysis.xai.explanation import ModelRef, jsonable
from kitchen.errors import ConfigError


@dataclass(frozen=True, slots=True)
class DependenceCurve:
    """PDP and ICE of one feature.

    Attributes:
        feature: The feature's name.
        grid: The feature values the model was evaluated at.
        average: The PDP: mean response at each grid value.
        individual: ICE: one row per example, one column per grid value.
    """

    feature: str
    grid: np.ndarray
    average: np.ndarray
    individual: np.ndarray

    def centred(self) -> np.ndarray:
        """Centred ICE: each curve minus its value at the first grid point."""
        centred: np.ndarray = self.individual - self.individual[:, :1]
        return centred

    def heterogeneity(self) -> float:
        """Mean over the grid of the std of the centred ICE curves (0: every row responds the
        same way, so the PDP tells the whole story)."""
        return float(self.centred().std(axis=0).mean())


@dataclass(frozen=True, slots=True)
class PartialDependence:
    """PDP/ICE curves of several features for one model."""

    model: ModelRef
    curves: tuple[DependenceCurve, ...]
    response: str
    grid_resolution: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict: grid, average and individual curves per feature."""
        return jsonable(  # type: ignore[no-any-return]
            {
                "method": "pdp_ice",
                "model": {"name": self.model.name, "version": self.model.version},
                "response": self.response,
                "grid_resolution": self.grid_resolution,
                "curves": [
                    {
                        "feature": c.feature,
                        "grid": c.grid,
                        "average": c.average,
                        "individual": c.individual,
                        "heterogeneity": c.heterogeneity(),
                    }
                    for c in self.curves
                ],
            }
        )


def partial_dependence(
    model: Any,
    x: np.ndarray,
    features: Sequence[int | str],
    *,
    feature_names: Sequence[str] | None = None,
    grid_resolution: int = 20,
    percentiles: tuple[float, float] = (0.05, 0.95),
    response: Literal["auto", "predict_proba", "decision_function"] = "auto",
    model_ref: ModelRef | None = None,
) -> PartialDependence:
    """PDP and ICE of each of ``features`` (indexes or names) over the rows of ``x``.

    For a binary classifier the response is P(positive class) (sklearn's ``auto``).
    """
    from sklearn.inspection import partial_dependence as sk_partial_dependence

    x = np.asarray(x, dtype=np.float64)
    names = list(feature_names) if feature_names else [f"x{i}" for i in range(x.shape[1])]
    curves = []
    for feature in features:
        if isinstance(feature, str):
            if feature not in names:
                raise ConfigError(f"no feature named {feature!r}; known: {', '.join(names)}")
            index = names.index(feature)
        else:
            index = int(feature)
            if not 0 <= index < x.shape[1]:
                raise ConfigError(f"feature index {index} out of range (0–{x.shape[1] - 1})")
        found = sk_partial_dependence(
            model,
            x,
            [index],
            kind="both",
            grid_resolution=grid_resolution,
            percentiles=percentiles,
            response_method=response,
        )
        curves.append(
            DependenceCurve(
                feature=names[index],
                grid=np.asarray(found["grid_values"][0]),
                average=np.asarray(found["average"][0]),
                individual=np.asarray(found["individual"][0]),
            )
        )
    return PartialDependence(
        model=model_ref or ModelRef(type(model).__name__),
        curves=tuple(curves),
        response=response,
        grid_resolution=grid_resolution,
    )
