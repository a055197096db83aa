"""Explain a model and store the explanation as an ``xai`` analysis of the run.

The stage builds the data and model the config names, runs the explainer
(:func:`kitchen.analysis.xai.spec.run_spec`), reports its checks as metrics (``xai/max_gap``,
``xai/stability_spearman``…) and stores the result with the spec that reproduces it.
"""

from __future__ import annotations

from typing import Any

from kitchen.context import RunContext
from kitchen.events import Metrics
from kitchen.models.resolve import REGISTRY_PREFIX, registered_identity, resolve_model
from kitchen.stage import Stage


class ExplainModel(Stage):
    """Explain ``config.model`` with ``config.method`` and store the analysis."""

    name = "explain_model"
    reads = (
        "model",
        "method",
        "data",
        "examples",
        "seed",
        "background_size",
        "samples",
        "steps",
        "window",
        "stability",
    )

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        from kitchen.analysis.xai.explanation import Explanation
        from kitchen.analysis.xai.persist import log_explanation
        from kitchen.analysis.xai.spec import ExplainSpec, run_spec

        cfg = ctx.config
        if cfg.threads:
            import torch

            torch.set_num_threads(cfg.threads)
        values = {k: getattr(cfg, k) for k in ExplainSpec.model_fields}
        if str(cfg.model).startswith(REGISTRY_PREFIX):
            # A registered text classifier: explain the version's files, labelled with the
            # version it is now (an alias resolved), so attribution drift can pair versions.
            folder = resolve_model(
                cfg.model,
                home=ctx.meta.home,
                hub=ctx.ports.hub,
                registry=ctx.ports.registry,
                blobs=ctx.ports.blobs,
            )
            name, version = registered_identity(str(cfg.model), ctx.ports.registry)
            values["model"] = f"classifier:{folder}"
            values["model_name"] = cfg.model_name or name
            values["model_version"] = (
                cfg.model_version if cfg.model_version is not None else version
            )
        spec = ExplainSpec.model_validate(values)
        result = run_spec(spec)
        row = log_explanation(
            ctx.ports.analyses, result, spec=spec, name=cfg.name, run_id=ctx.meta.run_id
        )
        if isinstance(result, Explanation):
            values = {f"xai/{k}": float(v) for k, v in result.checks.items()}
            values["xai/examples"] = float(len(result.examples))
            ctx.emit(Metrics(ctx.meta.run_id, 0, values))
            top = ", ".join(f"{n} {v:.3g}" for n, v in list(result.global_importance().items())[:5])
            ctx.log(
                f"{spec.method} on {len(result.examples)} examples of {spec.data}: top {top}",
                stage=self.name,
            )
        ctx.log(f"stored analysis {getattr(row, 'id', row)}", stage=self.name)
        return ctx
