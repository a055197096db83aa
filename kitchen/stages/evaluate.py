"""Score the model on held-out examples through the evaluator port."""

from __future__ import annotations

from typing import Any

from kitchen.context import RunContext
from kitchen.stages.held_out import HeldOutEvaluation


class Evaluate(HeldOutEvaluation):
    """Generate answers for held-out prompts and score them (exact match by default)."""

    reads = ("eval_samples", "eval_max_new_tokens", "baseline_eval")
    requires = ("session", "tokenizer", "renderer", "dataset")

    def __init__(self, name: str = "evaluate", *, baseline: bool = False) -> None:
        super().__init__(name, baseline=baseline)
        if not baseline:
            self.provides = ("eval_metrics", "eval_result")

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        cfg = ctx.config
        if self.skipped(ctx):
            return ctx
        examples = ctx.state.need("dataset").eval[: cfg.eval_samples]
        if not examples:
            ctx.log("no held-out examples: skipping evaluation", level="warning", stage=self.name)
            return ctx
        state = ctx.state
        evaluator = ctx.ports.evaluator
        result = evaluator.evaluate(
            state.need("session").sampler(),
            state.need("tokenizer"),
            state.need("renderer"),
            examples,
        )
        summary = ", ".join(f"{k}={v:.3f}" for k, v in result.metrics.items())
        rows = [
            {"id": s.id, "input": s.input, "target": s.target, "output": s.output, "score": s.score}
            for s in result.samples
        ]
        changes = {} if self.baseline else {"eval_result": result}
        return self.report(
            ctx,
            result.metrics,
            summary=f"on {len(examples)} examples: {summary}",
            rows=rows,
            artifact=evaluator.name,
            **changes,
        )
