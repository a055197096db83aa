"""Score the policy on the environment's held-out problems (greedy, one sample each)."""

from __future__ import annotations

import statistics
from typing import Any

from kitchen.context import RunContext
from kitchen.envs import as_messages
from kitchen.stages.held_out import HeldOutEvaluation
from kitchen.types import SamplingParams

BATCH = 64
EVAL_SEED = 7_777


class EvaluateEnv(HeldOutEvaluation):
    """Completions for up to ``eval_samples`` held-out problems, greedy or at
    ``eval_temperature`` (with a fixed seed, so before and after are comparable); mean reward
    and the environment's metrics (``correct``: the share solved)."""

    requires = ("session", "tokenizer", "renderer", "env_set")
    reads = ("eval_samples", "max_new_tokens", "baseline_eval", "eval_temperature")

    default_name = "evaluate_env"

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        cfg = ctx.config
        if self.skipped(ctx):
            return ctx
        state = ctx.state
        envs = state.need("env_set").test_envs(cfg.eval_samples)
        if not envs:
            ctx.log("no held-out problems: skipping evaluation", level="warning")
            return ctx
        renderer = state.need("renderer")
        tokenizer = state.need("tokenizer")
        sampler = state.need("session").sampler(seed=EVAL_SEED)
        params = SamplingParams(
            max_new_tokens=cfg.max_new_tokens,
            temperature=float(getattr(cfg, "eval_temperature", 0.0)),
            stop_token_ids=tuple(renderer.stop_token_ids),
        )
        prompts = [renderer.render_prompt(as_messages(env.initial_observation())) for env in envs]
        outputs: list[list[int]] = []
        for start in range(0, len(prompts), BATCH):
            outputs += sampler.sample(prompts[start : start + BATCH], params)
        rows: list[dict[str, Any]] = []
        scores: list[dict[str, float]] = []
        for index, (env, ids) in enumerate(zip(envs, outputs, strict=True)):
            text = tokenizer.decode(ids)
            result = env.step(text)
            scores.append({"reward": float(result.reward), **dict(result.metrics)})
            problem = getattr(env, "problem", None)
            rows.append(
                {
                    "sample_id": getattr(problem, "id", "") or str(index),
                    "input": "\n".join(m.content for m in as_messages(env.initial_observation())),
                    "target": getattr(problem, "answer", ""),
                    "output": text,
                    "score": float(result.reward),
                    "output_tokens": len(ids),
                    "scores": scores[-1],
                }
            )
        metrics = {"reward_mean": statistics.fmean(s["reward"] for s in scores)}
        for key in sorted({k for s in scores for k in s} - {"reward"}):
            metrics[key] = statistics.fmean(s.get(key, 0.0) for s in scores)
        metrics["n"] = float(len(rows))
        summary = f"on {len(rows)} problems: reward {metrics['reward_mean']:.3f}" + (
            f", correct {metrics['correct']:.3f}" if "correct" in metrics else ""
        )
        return self.report(ctx, metrics, summary=summary, rows=rows, artifact="env")
