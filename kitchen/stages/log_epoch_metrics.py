"""Report the mean training loss of the epoch."""

from __future__ import annotations

from typing import Any

from kitchen.context import RunContext
from kitchen.events import Metrics
from kitchen.stage import Stage


class LogEpochMetrics(Stage):
    """Emit ``train/epoch_loss`` at the epoch's last step."""

    name = "log_epoch_metrics"
    requires = ("epoch_loss_sum", "epoch_loss_count")

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        state = ctx.state
        if state.epoch_loss_count:
            mean = state.epoch_loss_sum / state.epoch_loss_count
            ctx.emit(Metrics(ctx.meta.run_id, state.global_step, {"train/epoch_loss": mean}))
            ctx.log(f"epoch {state.epoch + 1}: mean loss {mean:.4f}", stage=self.name)
        return ctx
