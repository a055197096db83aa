"""Turn the kept rollouts into the training batch of the policy update."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kitchen.context import RunContext
from kitchen.stage import Stage


class AssembleRLBatch(Stage):
    """Every kept rollout as a datum carrying its sampling log-probs and advantage (and the
    reference model's log-probs when a KL penalty is on). An empty batch skips the update."""

    name = "assemble_rl_batch"
    requires = ("rollouts",)
    provides = ("current_batch",)
    reads = ("kl_coef",)

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        kept = [r for r in ctx.state.need("rollouts") if r.kept]
        batch = [
            replace(r.datum, extras={**r.datum.extras, "advantage": r.advantage}) for r in kept
        ]
        if batch and ctx.config.kl_coef > 0:
            reference = ctx.state.need("reference")
            batch = [
                replace(d, extras={**d.extras, "ref_logprobs": row})
                for d, row in zip(batch, reference.logprobs(batch), strict=True)
            ]
        if not batch:
            ctx.log("every group had equal rewards: no update this rollout", stage=self.name)
        return ctx.evolve(current_batch=tuple(batch))
