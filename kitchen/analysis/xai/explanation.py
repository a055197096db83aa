"""The result every explainer returns: per-example attributions plus what reproduces them.

An :class:`Explanation` is plain data (no model, no explainer object) so it can be stored as a
JSON blob and read back by a page that never imports shap or torch. It carries the method, the
seed, the model reference, the background set by value *and* by content hash (so two analyses
that used the same background can be recognised without comparing rows), per-example
attributions and the checks computed alongside (SHAP additivity gap, IG completeness gap…).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kitchen.errors import ConfigError


@dataclass(frozen=True, slots=True)
class ModelRef:
    """Which model was explained: a name (``sklearn:random_forest``, a registry name) and
    version (None when the model is not a registered version)."""

    name: str
    version: int | None = None


@dataclass(frozen=True, slots=True)
class Background:
    """The reference rows an explainer integrates over (SHAP kernel/linear/tree, LIME stats).

    Attributes:
        rows: The rows themselves, by value (k-means centres or a sample; kept small), or
            empty when only the hash is kept (LIME's training statistics: the spec that
            produced the explanation rebuilds them).
        weights: One weight per row (k-means cluster sizes), or None for equal weights.
        description: How the rows were chosen, e.g. ``kmeans(k=10) of 455 training rows``.
        sha256: Content hash of rows and weights; equal backgrounds have equal hashes.
    """

    rows: tuple[tuple[float, ...], ...]
    weights: tuple[float, ...] | None
    description: str
    sha256: str

    @classmethod
    def of(
        cls,
        rows: np.ndarray,
        weights: np.ndarray | None = None,
        *,
        description: str,
        keep_rows: bool = True,
    ) -> Background:
        """A background from an array of rows (and optional weights), hashed by content;
        ``keep_rows=False`` keeps the hash and description only."""
        matrix = np.asarray(rows, dtype=np.float64)
        if matrix.ndim != 2:
            raise ConfigError(f"a background is a 2-d array of rows, got shape {matrix.shape}")
        w = None if weights is None else tuple(float(v) for v in np.asarray(weights).ravel())
        digest = hashlib.sha256(matrix.tobytes())
        if w is not None:
            digest.update(np.asarray(w, dtype=np.float64).tobytes())
        return cls(
            rows=tuple(tuple(float(v) for v in row) for row in matrix) if keep_rows else (),
            weights=w,
            description=description,
            sha256=digest.hexdigest(),
        )

    def array(self) -> np.ndarray:
        """The rows as a float64 array."""
        return np.asarray(self.rows, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Attribution:
    """One explained example.

    Attributes:
        features: Feature names (tabular) or tokens / words (text), in input order.
        values: One attribution per feature.
        base_value: What the attributions start from: E[f(background)] for SHAP, f(baseline)
            for integrated gradients, the local intercept for LIME; None for occlusion.
        output: The model output explained, f(x) (same scale as ``base_value``).
        target: The class index explained (None for a regressor).
        inputs: The example's feature values (tabular) for display; empty for text.
        text: The explained text (text methods).
        score: Method-specific fit figure (LIME's local R²), or None.
    """

    features: tuple[str, ...]
    values: tuple[float, ...]
    base_value: float | None = None
    output: float | None = None
    target: int | None = None
    inputs: tuple[float, ...] = ()
    text: str | None = None
    score: float | None = None

    def __post_init__(self) -> None:
        if len(self.features) != len(self.values):
            raise ConfigError(
                f"{len(self.features)} features but {len(self.values)} attribution values"
            )

    @property
    def gap(self) -> float | None:
        """|base value + Σ attributions − output| (additivity / completeness), when defined."""
        if self.base_value is None or self.output is None:
            return None
        return abs(self.base_value + math.fsum(self.values) - self.output)

    def top(self, k: int = 10) -> list[tuple[str, float]]:
        """The ``k`` features with the largest |attribution|, largest first."""
        order = np.argsort(-np.abs(np.asarray(self.values)), kind="stable")[:k]
        return [(self.features[i], self.values[i]) for i in order]


@dataclass(frozen=True, slots=True)
class Explanation:
    """Attributions of one method for a set of examples, with everything that reproduces them.

    Attributes:
        method: ``shap_tree``, ``shap_kernel``, ``shap_linear``, ``shap_text``,
            ``lime_tabular``, ``lime_text``, ``integrated_gradients`` or ``occlusion``.
        model: The model explained.
        examples: One :class:`Attribution` per explained example.
        feature_names: The tabular feature names (empty for text, whose features are tokens).
        seed: The seed the method used (None for deterministic methods).
        background: The background set, or None when the method has none.
        params: The method's settings (k, nsamples, steps, baseline, window…).
        checks: Figures computed with the explanation (``max_gap``, ``mean_gap``…).
    """

    method: str
    model: ModelRef
    examples: tuple[Attribution, ...]
    feature_names: tuple[str, ...] = ()
    seed: int | None = None
    background: Background | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    checks: Mapping[str, float] = field(default_factory=dict)

    @property
    def is_text(self) -> bool:
        return not self.feature_names

    def matrix(self) -> np.ndarray:
        """Tabular attributions as an ``[examples, features]`` array.

        Raises:
            ConfigError: for text explanations, whose rows have different tokens.
        """
        if self.is_text:
            raise ConfigError(f"{self.method}: text attributions are ragged; use .examples")
        return np.asarray([e.values for e in self.examples], dtype=np.float64)

    def global_importance(self) -> dict[str, float]:
        """Mean |attribution| per feature (per token string for text), largest first.

        For text a token's importance is averaged over the examples it occurs in, so a frequent
        token does not win by frequency alone.
        """
        totals: dict[str, float] = {}
        counts: dict[str, int] = {}
        for example in self.examples:
            for name, value in zip(example.features, example.values, strict=True):
                totals[name] = totals.get(name, 0.0) + abs(value)
                counts[name] = counts.get(name, 0) + 1
        if not self.is_text:
            n = max(len(self.examples), 1)
            means = {name: totals.get(name, 0.0) / n for name in self.feature_names}
        else:
            means = {name: totals[name] / counts[name] for name in totals}
        return dict(sorted(means.items(), key=lambda item: (-item[1], item[0])))

    def gaps(self) -> list[float]:
        """Per-example additivity / completeness gaps (examples without one are skipped)."""
        return [g for g in (e.gap for e in self.examples) if g is not None]

    def summary(self, k: int = 10) -> dict[str, Any]:
        """The figures a page lists: method, counts, top features and the checks."""
        top = list(self.global_importance().items())[:k]
        return {
            "method": self.method,
            "model": self.model.name,
            "model_version": self.model.version,
            "examples": len(self.examples),
            "seed": self.seed,
            "background_sha256": self.background.sha256 if self.background else None,
            "top_features": [{"feature": name, "importance": value} for name, value in top],
            "checks": dict(self.checks),
        }

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (NaN/inf become None) that :meth:`from_dict` reads back."""
        data = {
            "method": self.method,
            "model": {"name": self.model.name, "version": self.model.version},
            "feature_names": list(self.feature_names),
            "seed": self.seed,
            "background": None
            if self.background is None
            else {
                "rows": [list(r) for r in self.background.rows],
                "weights": None
                if self.background.weights is None
                else list(self.background.weights),
                "description": self.background.description,
                "sha256": self.background.sha256,
            },
            "params": dict(self.params),
            "checks": dict(self.checks),
            "global_importance": self.global_importance(),
            "examples": [
                {
                    "features": list(e.features),
                    "values": list(e.values),
                    "base_value": e.base_value,
                    "output": e.output,
                    "target": e.target,
                    "inputs": list(e.inputs),
                    "text": e.text,
                    "score": e.score,
                }
                for e in self.examples
            ],
        }
        return jsonable(data)  # type: ignore[no-any-return]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Explanation:
        """Read back what :meth:`to_dict` wrote.

        Raises:
            ConfigError: a field is missing or has the wrong shape.
        """
        try:
            bg = data["background"]
            background = (
                None
                if bg is None
                else Background(
                    rows=tuple(tuple(float(v) for v in r) for r in bg["rows"]),
                    weights=None if bg["weights"] is None else tuple(bg["weights"]),
                    description=str(bg["description"]),
                    sha256=str(bg["sha256"]),
                )
            )
            examples = tuple(
                Attribution(
                    features=tuple(e["features"]),
                    values=tuple(_num(v) for v in e["values"]),
                    base_value=e["base_value"],
                    output=e["output"],
                    target=e["target"],
                    inputs=tuple(_num(v) for v in e["inputs"]),
                    text=e["text"],
                    score=e["score"],
                )
                for e in data["examples"]
            )
            return cls(
                method=str(data["method"]),
                model=ModelRef(data["model"]["name"], data["model"]["version"]),
                examples=examples,
                feature_names=tuple(data["feature_names"]),
                seed=data["seed"],
                background=background,
                params=dict(data["params"]),
                checks={k: _num(v) for k, v in data["checks"].items()},
            )
        except (KeyError, TypeError) as error:
            raise ConfigError(f"not a stored explanation: missing or bad field {error}") from None


def _num(value: Any) -> float:
    return float("nan") if value is None else float(value)


def gap_checks(examples: Sequence[Attribution]) -> dict[str, float]:
    """``max_gap`` and ``mean_gap`` over the examples' additivity / completeness gaps."""
    gaps = [g for g in (e.gap for e in examples) if g is not None]
    if not gaps:
        return {}
    return {"max_gap": float(max(gaps)), "mean_gap": float(sum(gaps) / len(gaps))}


def jsonable(value: Any) -> Any:
    """``value`` with numpy scalars/arrays made plain and NaN/inf made None (strict JSON)."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def content_hash(value: Any) -> str:
    """SHA-256 of the canonical JSON of ``value`` (keys sorted)."""
    text = json.dumps(jsonable(value), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
