"""Check a window of production feedback for drift and store the report with the run."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kitchen.context import RunContext
from kitchen.errors import ConfigError
from kitchen.events import Metrics
from kitchen.stage import Stage


class DriftCheck(Stage):
    """Compare ``current_*`` feedback of a model version with its stored reference sketch
    (or the raw ``reference_*`` window) and store the report as a ``drift`` analysis with the
    run's id; ``drift/share``, ``drift/n_drifted`` and ``drift/drifted`` become run metrics.

    Events are read and the analysis stored through the run's analysis port (the engine for a
    worker, the store for an embedded run). Tests may pass ``backend``: anything with
    ``feedback_events``, ``log_analysis``, ``list_analyses`` and ``analysis_result``.
    """

    name = "check_drift"
    provides = ("eval_metrics",)
    reads = (
        "model",
        "version",
        "current_since",
        "current_until",
        "reference_since",
        "reference_until",
        "thresholds",
        "embed",
        "embed_sample",
        "seed",
        "threads",
    )

    def __init__(self, backend: Any = None) -> None:
        self.backend = backend

    def validate(self, ctx: RunContext[Any]) -> None:
        cfg = ctx.config
        if not cfg.model:
            raise ConfigError("model: name the model whose feedback to check (model=NAME)")
        if cfg.current_since is None:
            raise ConfigError("current_since: give the start of the current window (ISO time)")

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        from kitchen.analysis.drift.check import Window, encoder_for, run_drift_check
        from kitchen.analysis.drift.report import DriftOptions

        cfg = ctx.config
        current = Window(cfg.model, cfg.version, _utc(cfg.current_since), _utc(cfg.current_until))
        reference = None
        if cfg.reference_since is not None or cfg.reference_until is not None:
            reference = Window(
                cfg.model, cfg.version, _utc(cfg.reference_since), _utc(cfg.reference_until)
            )
        options = DriftOptions(embed=cfg.embed, embed_sample=cfg.embed_sample, seed=cfg.seed)
        check = run_drift_check(
            self._backend(ctx),
            current,
            reference=reference,
            thresholds=cfg.thresholds,
            options=options,
            encoder=encoder_for(options, threads=cfg.threads),
            run_id=ctx.meta.run_id,
            name=cfg.name,
        )
        report = check.report
        metrics = {
            "drift/share": report.share,
            "drift/n_drifted": float(len(report.drifted_features)),
            "drift/n_features": float(len(report.tested)),
            "drift/drifted": float(report.drifted),
        }
        ctx.emit(Metrics(ctx.meta.run_id, 0, metrics))
        ctx.log(f"{report.verdict()} (analysis {check.analysis_id})", stage=self.name)
        return ctx.evolve(eval_metrics=metrics)

    def _backend(self, ctx: RunContext[Any]) -> Any:
        # The run's analysis port: the store of an embedded run, the engine for a worker.
        return self.backend if self.backend is not None else ctx.ports.analyses


def _utc(value: datetime | None) -> datetime | None:
    """An aware UTC time (a naive one is taken as UTC, as the store does)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
