"""Register the final model as a new version in the model registry."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from kitchen.context import RunContext
from kitchen.events import ModelRegistered
from kitchen.stage import Stage


def model_name(ctx: RunContext[Any]) -> str:
    """The registry name: ``register_as``, or ``<recipe>-<model>`` made safe (a registered base
    ``models:/sft-kitchen-tiny@latest`` gives ``dpo-sft-kitchen-tiny``)."""
    if ctx.config.register_as:
        return str(ctx.config.register_as)
    base = str(ctx.config.model).removeprefix("models:/").split("@")[0]
    return re.sub(r"[^A-Za-z0-9._-]+", "-", f"{ctx.meta.recipe}-{base}").strip("-")


class RegisterModel(Stage):
    """Add a model version pointing at the final weights, with the eval metrics.

    The newest version always answers to ``@latest``; promotion aliases (``@champion``) are
    set by people, not by training runs.
    """

    name = "register_model"
    requires = ("final_model",)
    provides = ("model_version",)
    reads = ("register_as",)

    def __init__(self, relation: str = "", parent: Callable[[Any], str] | None = None) -> None:
        """Args:
        relation: The lineage edge from the parent model to the new version, e.g.
            ``dpo_trained_from``; none when empty.
        parent: The parent model from the config (default ``config.model``, the base model;
            a distilled student's parent is its teacher).
        """
        self.relation = relation
        self.parent = parent

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
        parent = ""
        if self.relation:
            parent = self.parent(ctx.config) if self.parent else str(ctx.config.model)
        ctx.emit(
            ModelRegistered(
                ctx.meta.run_id,
                name,
                version.version,
                version.artifact_ref,
                parent=parent,
                relation=self.relation,
            )
        )
        ctx.log(f"registered {name} version {version.version}", stage=self.name)
        return ctx.evolve(model_version=version)
