"""Resolve the model and start a training session on the backend."""

from __future__ import annotations

from typing import Any

from kitchen.context import RunContext
from kitchen.models.resolve import resolve_model
from kitchen.ports.training import SessionSpec
from kitchen.stage import Stage


def session_spec(ctx: RunContext[Any], model: str | None = None) -> SessionSpec:
    """The session a run's config asks for (of ``model`` instead of ``config.model`` when
    given: a teacher); the model is resolved (built, or found in the hub cache) first."""
    cfg = ctx.config
    name = model or cfg.model
    return SessionSpec(
        model=name,
        model_dir=resolve_model(
            name,
            home=ctx.meta.home,
            hub=ctx.ports.hub,
            registry=ctx.ports.registry,
            blobs=ctx.ports.blobs,
        ),
        seed=cfg.seed,
        device=cfg.device,
        # An evaluation config has no training knobs: its session only samples.
        lora_rank=getattr(cfg, "lora_rank", 0) if model is None else 0,
        weight_decay=getattr(cfg, "weight_decay", 0.0),
        max_grad_norm=getattr(cfg, "max_grad_norm", 1.0),
        gradient_checkpointing=getattr(cfg, "gradient_checkpointing", False),
        num_threads=cfg.threads,
        compile=getattr(cfg, "compile", False),
        value_head=model is None and getattr(cfg, "advantage_estimator", "") == "gae",
    )


class InitSession(Stage):
    """Start a model + optimiser session (downloads or builds the model first)."""

    name = "init_session"
    provides = ("session",)
    reads = (
        "model",
        "seed",
        "device",
        "lora_rank",
        "weight_decay",
        "max_grad_norm",
        "gradient_checkpointing",
        "threads",
        "compile",
    )

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        cfg = ctx.config
        session = ctx.ports.backend.start_session(session_spec(ctx))
        ctx.log(
            f"{cfg.model}: {session.num_parameters:,} parameters "
            f"({session.num_trainable_parameters:,} trainable) on {session.device}",
            stage=self.name,
        )
        return ctx.evolve(session=session)

    def rollback(self, ctx: RunContext[Any], error: BaseException) -> None:
        # Free the model (and GPU memory) even when a later stage failed.
        if ctx.state.session is not None:
            ctx.state.session.close()
