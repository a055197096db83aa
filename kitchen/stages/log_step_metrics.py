"""Report the step's loss, learning rate, gradient norm and throughput."""

from __future__ import annotations

import time
from typing import Any

from kitchen.context import RunContext
from kitchen.events import Metrics, Progress
from kitchen.stage import Stage


class LogStepMetrics(Stage):
    """Emit ``train/*`` metrics and progress for the step just taken."""

    name = "log_step_metrics"
    requires = ("step_result", "optim_result")
    provides = ("tokens_seen", "epoch_loss_sum", "epoch_loss_count", "last_loss")
    reads = ("log_every",)

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        state = ctx.state
        result = state.need("step_result")
        optim = state.need("optim_result")
        step = state.global_step
        elapsed = max(time.perf_counter() - state.step_started, 1e-9)
        tokens_per_s = result.num_tokens / elapsed
        if step % ctx.config.log_every == 0 or step == state.total_steps:
            values = {
                "train/loss": result.loss,
                "train/lr": optim.lr,
                "train/grad_norm": optim.grad_norm,
                "train/tokens_per_s": tokens_per_s,
                "train/epoch": state.epoch + ctx.loop_index("batches") / max(state.num_batches, 1),
                **{f"train/{k}": v for k, v in result.extra.items()},
            }
            ctx.emit(Metrics(ctx.meta.run_id, step, values))
        ctx.emit(
            Progress(
                ctx.meta.run_id,
                step,
                state.total_steps,
                info={"loss": result.loss, "tokens_per_s": tokens_per_s},
            )
        )
        return ctx.evolve(
            tokens_seen=state.tokens_seen + result.num_tokens,
            epoch_loss_sum=state.epoch_loss_sum + result.loss,
            epoch_loss_count=state.epoch_loss_count + 1,
            last_loss=result.loss,
        )
