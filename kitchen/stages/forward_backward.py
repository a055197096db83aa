"""One forward and backward pass over the current batch."""

from __future__ import annotations

import math
from typing import Any

from kitchen.context import RunContext
from kitchen.errors import TrainingError
from kitchen.stage import Stage


class ForwardBackward(Stage):
    """Compute the masked cross-entropy of the batch and its gradients."""

    name = "forward_backward"
    requires = ("session", "current_batch")
    provides = ("step_result",)

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        result = ctx.state.need("session").forward_backward(ctx.state.need("current_batch"))
        if not math.isfinite(result.loss):
            raise TrainingError(
                f"loss became {result.loss} at step {ctx.state.global_step + 1} "
                f"(epoch {ctx.state.epoch + 1}); try a lower learning_rate "
                f"(now {ctx.config.learning_rate}) or more warmup_steps"
            )
        return ctx.evolve(step_result=result)
