"""Score the model on held-out examples through the evaluator port."""

from __future__ import annotations

import json
from typing import Any

from kitchen.context import RunContext
from kitchen.events import ArtifactSaved, Metrics
from kitchen.stage import OnResume, Stage


class Evaluate(Stage):
    """Generate answers for held-out prompts and score them (exact match by default)."""

    reads = ("eval_samples", "eval_max_new_tokens", "baseline_eval")
    requires = ("session", "tokenizer", "renderer", "dataset")

    def __init__(self, name: str = "evaluate", *, baseline: bool = False) -> None:
        self.name = name
        self.baseline = baseline
        self.provides = ("baseline_metrics",) if baseline else ("eval_metrics", "eval_result")
        # The baseline is measured once; on resume its numbers come back from the checkpoint.
        self.on_resume: OnResume = "skip" if baseline else "replay"

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        cfg = ctx.config
        if self.baseline and not cfg.baseline_eval:
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
        prefix = "baseline" if self.baseline else "eval"
        values = {f"{prefix}/{k}": float(v) for k, v in result.metrics.items()}
        ctx.emit(Metrics(ctx.meta.run_id, state.global_step, values))
        summary = ", ".join(f"{k}={v:.3f}" for k, v in result.metrics.items())
        ctx.log(f"{prefix} on {len(examples)} examples: {summary}", stage=self.name)
        rows = [
            {"id": s.id, "input": s.input, "target": s.target, "output": s.output, "score": s.score}
            for s in result.samples
        ]
        blob = ctx.ports.blobs.put_bytes(json.dumps(rows).encode())
        ctx.emit(
            ArtifactSaved(
                ctx.meta.run_id,
                "eval",
                f"{prefix}-{evaluator.name}-step-{state.global_step}",
                blob.sha256,
                blob.size,
                state.global_step,
                meta={"metrics": dict(result.metrics), "samples": len(rows)},
            )
        )
        if self.baseline:
            return ctx.evolve(baseline_metrics=dict(result.metrics))
        return ctx.evolve(eval_metrics=dict(result.metrics), eval_result=result)
