"""Register the final model as a new version in the model registry."""

from __future__ import annotations

from typing import Any

from kitchen.context import RunContext
from kitchen.events import ModelRegistered
from kitchen.stage import Stage


def model_name(ctx: RunContext[Any]) -> str:
    """The registry name: ``register_as`` or ``<recipe>-<model>`` with '/' made safe."""
    if ctx.config.register_as:
        return str(ctx.config.register_as)
    return f"{ctx.meta.recipe}-{ctx.config.model}".replace("/", "-")


class RegisterModel(Stage):
    """Add a model version pointing at the final weights, with the eval metrics.

    The newest version always answers to ``@latest``; promotion aliases (``@champion``) are
    set by people, not by training runs.
    """

    name = "register_model"
    requires = ("final_model",)
    provides = ("model_version",)
    reads = ("register_as",)

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        name = model_name(ctx)
        metrics = {f"eval/{k}": float(v) for k, v in ctx.state.eval_metrics.items()}
        metrics["train/loss"] = ctx.state.last_loss
        version = ctx.ports.registry.register(
            name,
            run_id=ctx.meta.run_id,
            artifact_ref=ctx.state.final_model,
            metrics=metrics,
        )
        ctx.emit(ModelRegistered(ctx.meta.run_id, name, version.version, version.artifact_ref))
        ctx.log(f"registered {name} version {version.version}", stage=self.name)
        return ctx.evolve(model_version=version)
