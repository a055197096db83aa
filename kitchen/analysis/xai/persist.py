"""Store explanations and attribution drift as analyses, read them back, reproduce them.

Writes go through :class:`AnalysisSink` — anything with ``log_analysis(**fields)``: the
:class:`store.Store` in-process, or the engine client from a worker or the CLI — so this module
never opens the DuckDB file itself. The spec that produced an explanation is stored in its
params; :func:`reproduce` rebuilds the explanation from it and compares number for number.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from kitchen.analysis.xai.drift import AttributionDrift
from kitchen.analysis.xai.explanation import Explanation, jsonable
from kitchen.analysis.xai.pdp import PartialDependence
from kitchen.analysis.xai.spec import ExplainSpec
from kitchen.errors import ConfigError
from kitchen.ports.analyses import AnalysisWriter

XAI_KIND = "xai"
DRIFT_KIND = "attribution_drift"


AnalysisSink = AnalysisWriter
"""Where analyses are written (see :class:`kitchen.ports.analyses.AnalysisWriter`)."""


class AnalysisSource(Protocol):
    """Where analyses are read from (``store.Store``, the engine client)."""

    def get_analysis(self, analysis_id: str) -> Any: ...

    def analysis_result(self, analysis_id: str) -> Any: ...


def log_explanation(
    sink: AnalysisSink,
    result: Explanation | PartialDependence,
    *,
    spec: ExplainSpec | None = None,
    name: str = "",
    run_id: str | None = None,
) -> Any:
    """Store ``result`` as an ``xai`` analysis; ``spec`` (when given) makes it reproducible.

    Returns what the sink returns (the stored row).
    """
    params: dict[str, Any] = {"method": _method(result)}
    if spec is not None:
        params["spec"] = spec.model_dump(mode="json")
    if isinstance(result, Explanation):
        params.update(
            params_of_method=dict(result.params),
            background_sha256=result.background.sha256 if result.background else None,
            background=result.background.description if result.background else None,
        )
        summary = result.summary()
        seed = result.seed
    else:
        summary = _pdp_summary(result)
        seed = None
    return sink.log_analysis(
        kind=XAI_KIND,
        name=name or f"{_method(result)} {result.model.name}",
        params=jsonable(params),
        summary=jsonable(summary),
        result=result.to_dict(),
        model_name=result.model.name,
        model_version=result.model.version,
        run_id=run_id,
        seed=seed if seed is not None else (spec.seed if spec is not None else None),
    )


def log_attribution_drift(
    sink: AnalysisSink,
    drift: AttributionDrift,
    *,
    before: Explanation,
    after: Explanation,
    name: str = "",
    sources: tuple[str, str] | None = None,
    run_id: str | None = None,
) -> Any:
    """Store ``drift`` (version ``before`` → ``after``) as an ``attribution_drift`` analysis.

    ``sources`` are the ids of the two stored explanations it was computed from.
    """
    params = {
        "method": before.method,
        "before": {"model": before.model.name, "version": before.model.version},
        "after": {"model": after.model.name, "version": after.model.version},
        "top_k": drift.top_k,
        "sources": list(sources) if sources else None,
    }
    summary = {k: v for k, v in drift.to_dict().items() if k != "changed"}
    return sink.log_analysis(
        kind=DRIFT_KIND,
        name=name or f"attribution drift {before.model.name} → {after.model.name}",
        params=jsonable(params),
        summary=jsonable(summary),
        result=drift.to_dict(),
        model_name=after.model.name,
        model_version=after.model.version,
        run_id=run_id,
        seed=before.seed,
    )


def params_of(row: Any) -> dict[str, Any]:
    """The params of a stored analysis row (a store row with ``params_json``, or a mapping /
    wire object with ``params``)."""
    if isinstance(row, Mapping):
        raw = row.get("params", row.get("params_json", {}))
    else:
        raw = getattr(row, "params", None) or getattr(row, "params_json", None) or {}
    loaded = json.loads(raw) if isinstance(raw, str) else raw
    return dict(loaded)


def load_explanation(source: AnalysisSource, analysis_id: str) -> Explanation:
    """The stored explanation ``analysis_id``.

    Raises:
        ConfigError: the analysis is not an explanation with attributions.
    """
    row = source.get_analysis(analysis_id)
    kind = row.get("kind") if isinstance(row, Mapping) else getattr(row, "kind", None)
    if kind != XAI_KIND:
        raise ConfigError(f"analysis {analysis_id} is a {kind!r} analysis, not an explanation")
    result = source.analysis_result(analysis_id)
    if not isinstance(result, Mapping) or "examples" not in result:
        raise ConfigError(f"analysis {analysis_id} holds no per-example attributions")
    return Explanation.from_dict(result)


@dataclass(frozen=True, slots=True)
class Reproduction:
    """The outcome of recomputing a stored explanation from its spec."""

    analysis_id: str
    method: str
    matches: bool
    max_abs_diff: float
    values: int
    tolerance: float


def reproduce(source: AnalysisSource, analysis_id: str, *, tolerance: float = 1e-9) -> Reproduction:
    """Recompute analysis ``analysis_id`` from its stored spec and compare every number.

    Raises:
        ConfigError: the analysis was stored without a spec, or the recomputation has another
            shape (e.g. the data file changed length).
    """
    from kitchen.analysis.xai.spec import run_spec

    params = params_of(source.get_analysis(analysis_id))
    if "spec" not in params:
        raise ConfigError(f"analysis {analysis_id} was stored without a spec; cannot reproduce")
    spec = ExplainSpec.model_validate(params["spec"])
    stored = _numbers(source.analysis_result(analysis_id))
    fresh = _numbers(run_spec(spec).to_dict())
    if stored.shape != fresh.shape:
        raise ConfigError(
            f"analysis {analysis_id}: {stored.size} stored values but {fresh.size} recomputed"
        )
    diff = float(np.nanmax(np.abs(stored - fresh))) if stored.size else 0.0
    same_nan = bool(np.array_equal(np.isnan(stored), np.isnan(fresh)))
    return Reproduction(
        analysis_id=analysis_id,
        method=spec.method,
        matches=same_nan and diff <= tolerance,
        max_abs_diff=diff,
        values=int(stored.size),
        tolerance=tolerance,
    )


def _numbers(result: Any) -> np.ndarray:
    """The attribution values (or PDP/ICE curves) of a stored result, flattened."""
    if not isinstance(result, Mapping):
        raise ConfigError("the stored analysis has no result to compare")
    if "examples" in result:
        chunks = [e["values"] for e in result["examples"]]
    else:
        chunks = [c["average"] for c in result["curves"]]
        chunks += [v for c in result["curves"] for v in c["individual"]]
    flat = [np.nan if v is None else float(v) for chunk in chunks for v in chunk]
    return np.asarray(flat, dtype=np.float64)


def _method(result: Explanation | PartialDependence) -> str:
    return result.method if isinstance(result, Explanation) else "pdp"


def _pdp_summary(result: PartialDependence) -> dict[str, Any]:
    return {
        "method": "pdp",
        "model": result.model.name,
        "features": [
            {
                "feature": c.feature,
                "range": float(np.ptp(c.average)),
                "heterogeneity": c.heterogeneity(),
            }
            for c in result.curves
        ],
    }
