"""Pick the current batch of the epoch."""

from __future__ import annotations

import time
from typing import Any

from kitchen.context import RunContext
from kitchen.stage import Stage


class GetBatch(Stage):
    """Select the sequences of batch ``batches`` of this epoch."""

    name = "get_batch"
    requires = ("train_data", "epoch_order")
    provides = ("current_batch", "step_started")

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        data = ctx.state.need("train_data")
        indices = ctx.state.need("epoch_order")[ctx.loop_index("batches")]
        batch = tuple(data[i] for i in indices)
        return ctx.evolve(current_batch=batch, step_started=time.perf_counter())
