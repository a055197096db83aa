"""One forward and backward pass over the current batch."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from kitchen.context import RunContext
from kitchen.errors import TrainingError
from kitchen.ports.training import CROSS_ENTROPY, LossSpec
from kitchen.stage import Stage


class ForwardBackward(Stage):
    """Compute the batch's objective (masked cross-entropy unless the recipe names another)
    and its gradients."""

    name = "forward_backward"
    requires: tuple[str, ...] = ("session", "current_batch")
    provides = ("step_result",)

    def __init__(
        self,
        loss: Callable[[Any], LossSpec] | None = None,
        *,
        with_reference: bool = False,
        name: str = "forward_backward",
    ) -> None:
        """Args:
        loss: Builds the objective from the run's config (e.g. DPO with its ``beta``).
        with_reference: Hand the state's ``reference`` session (a teacher) to the backend.
        name: The stage's name, when a workflow has two (one per branch).
        """
        self.name = name
        self.loss = loss
        self.with_reference = with_reference
        if with_reference:
            self.requires = ("session", "current_batch", "reference")

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        spec = self.loss(ctx.config) if self.loss is not None else CROSS_ENTROPY
        reference = ctx.state.need("reference") if self.with_reference else None
        result = ctx.state.need("session").forward_backward(
            ctx.state.need("current_batch"), spec, reference=reference
        )
        if not math.isfinite(result.loss):
            raise TrainingError(
                f"loss became {result.loss} at step {ctx.state.global_step + 1} "
                f"(epoch {ctx.state.epoch + 1}); try a lower learning_rate "
                f"(now {ctx.config.learning_rate}) or more warmup_steps"
            )
        return ctx.evolve(step_result=result)
