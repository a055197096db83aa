"""Apply the optimiser at the scheduled learning rate."""

from __future__ import annotations

from typing import Any

from kitchen.context import RunContext
from kitchen.schedules import lr_at
from kitchen.stage import Stage


class OptimStep(Stage):
    """Clip gradients and step the optimiser; advances ``global_step``."""

    name = "optim_step"
    requires = ("session", "step_result")
    provides = ("optim_result", "global_step")
    reads = ("learning_rate", "lr_schedule", "warmup_steps")

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        cfg = ctx.config
        step = ctx.state.global_step
        lr = lr_at(
            step,
            schedule=cfg.lr_schedule,
            base_lr=cfg.learning_rate,
            total_steps=ctx.state.total_steps,
            warmup_steps=cfg.warmup_steps,
        )
        result = ctx.state.need("session").optim_step(lr)
        return ctx.evolve(optim_result=result, global_step=step + 1)
