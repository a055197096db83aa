"""Report a rollout's rewards, the update's diagnostics and both throughputs."""

from __future__ import annotations

import statistics
import time
from typing import Any

from kitchen.context import RunContext
from kitchen.events import Metrics, Progress
from kitchen.stage import Stage


class LogRLMetrics(Stage):
    """Emit ``rl/*`` metrics at the current optimiser step and the run's progress.

    Rewards (mean, std, min, max) and the environments' own metrics cover every rollout;
    entropy, KL and clip fraction come from the last update; sampling and training tokens/s
    are measured separately.
    """

    name = "log_rl_metrics"
    requires = ("rollouts",)
    provides = ("tokens_seen", "last_loss")

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        state = ctx.state
        rollouts = state.need("rollouts")
        rewards = [r.reward for r in rollouts]
        kept = [r for r in rollouts if r.kept]
        groups = {r.group for r in rollouts}
        values: dict[str, float] = {
            "rl/reward_mean": statistics.fmean(rewards),
            "rl/reward_std": statistics.pstdev(rewards),
            "rl/reward_min": min(rewards),
            "rl/reward_max": max(rewards),
            "rl/groups": float(len(groups)),
            "rl/groups_kept": float(len({r.group for r in kept})),
            "rl/completion_tokens_mean": statistics.fmean(r.sampled_tokens for r in rollouts),
            **{f"rl/{k}": v for k, v in state.rollout_stats.items()},
        }
        for key in sorted({k for r in rollouts for k in r.metrics}):
            values[f"env/{key}"] = statistics.fmean(r.metrics.get(key, 0.0) for r in rollouts)
        last_loss = state.last_loss
        tokens = state.tokens_seen
        if kept and state.step_result is not None:
            result = state.step_result
            last_loss = result.loss
            elapsed = max(time.perf_counter() - state.step_started, 1e-9)
            values["train/loss"] = result.loss
            values["rl/training_tokens_per_s"] = result.num_tokens * ctx.config.ppo_epochs / elapsed
            values.update({f"rl/{k}": v for k, v in result.extra.items()})
            if state.optim_result is not None:
                values["train/lr"] = state.optim_result.lr
                values["train/grad_norm"] = state.optim_result.grad_norm
            tokens += result.num_tokens * ctx.config.ppo_epochs
        iteration = ctx.loop_index("rollouts")
        ctx.emit(Metrics(ctx.meta.run_id, state.global_step, values))
        ctx.emit(
            Progress(
                ctx.meta.run_id,
                state.global_step,
                state.total_steps,
                info={"reward": values["rl/reward_mean"], "rollout": float(iteration + 1)},
            )
        )
        return ctx.evolve(tokens_seen=tokens, last_loss=last_loss)
