"""What every held-out evaluation stage shares: baseline or final, and how results are reported."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from kitchen.context import RunContext
from kitchen.events import ArtifactSaved, Metrics
from kitchen.stage import OnResume, Stage


class HeldOutEvaluation(Stage):
    """Base of the evaluation stages: one instance scores before training (``baseline``: its
    numbers land in ``baseline_metrics`` and come back from a checkpoint on resume), others
    after or between epochs (``eval_metrics``).

    Subclasses implement :meth:`run`, starting with ``if self.skipped(ctx): return ctx`` and
    ending with :meth:`report`.
    """

    default_name = "evaluate"

    def __init__(self, name: str | None = None, *, baseline: bool = False) -> None:
        self.name = name or self.default_name
        self.baseline = baseline
        self.provides = ("baseline_metrics",) if baseline else ("eval_metrics",)
        self.on_resume: OnResume = "skip" if baseline else "replay"

    @property
    def prefix(self) -> str:
        """``baseline`` or ``eval``: the metrics' prefix."""
        return "baseline" if self.baseline else "eval"

    def skipped(self, ctx: RunContext[Any]) -> bool:
        """A baseline the config turned off (``baseline_eval=false``)."""
        return self.baseline and not ctx.config.baseline_eval

    def report(
        self,
        ctx: RunContext[Any],
        metrics: Mapping[str, float],
        *,
        summary: str,
        rows: Sequence[Mapping[str, Any]] = (),
        artifact: str = "",
        **changes: Any,
    ) -> RunContext[Any]:
        """Emit ``<prefix>/<metric>`` at the current step, log ``summary``, keep the per-sample
        ``rows`` as an ``eval`` artifact named ``<prefix>-<artifact>-step-<step>``, and put the
        metrics (and ``changes``) in the state."""
        step = ctx.state.global_step
        values = {f"{self.prefix}/{k}": float(v) for k, v in metrics.items()}
        ctx.emit(Metrics(ctx.meta.run_id, step, values))
        ctx.log(f"{self.prefix} {summary}", stage=self.name)
        if rows:
            blob = ctx.ports.blobs.put_bytes(json.dumps(list(rows)).encode())
            ctx.emit(
                ArtifactSaved(
                    ctx.meta.run_id,
                    "eval",
                    f"{self.prefix}-{artifact}-step-{step}",
                    blob.sha256,
                    blob.size,
                    step,
                    meta={
                        "metrics": dict(metrics),
                        "samples": len(rows),
                        "phase": self.prefix,
                        "task": artifact,
                    },
                )
            )
        key = "baseline_metrics" if self.baseline else "eval_metrics"
        return ctx.evolve(**{key: dict(metrics)}, **changes)
