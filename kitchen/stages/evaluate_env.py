"""Score the policy on the environment's held-out problems (greedy, one sample each)."""

from __future__ import annotations

import json
import statistics
from typing import Any

from kitchen.context import RunContext
from kitchen.envs import as_messages
from kitchen.events import ArtifactSaved, Metrics
from kitchen.stage import OnResume, Stage
from kitchen.types import SamplingParams

BATCH = 64


class EvaluateEnv(Stage):
    """Greedy completions for up to ``eval_samples`` held-out problems; mean reward and the
    environment's metrics (``correct``: the share solved)."""

    requires = ("session", "tokenizer", "renderer", "env_set")
    reads = ("eval_samples", "max_new_tokens", "baseline_eval")

    def __init__(self, name: str = "evaluate_env", *, baseline: bool = False) -> None:
        self.name = name
        self.baseline = baseline
        self.provides = ("baseline_metrics",) if baseline else ("eval_metrics",)
        self.on_resume: OnResume = "skip" if baseline else "replay"

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        cfg = ctx.config
        if self.baseline and not cfg.baseline_eval:
            return ctx
        state = ctx.state
        problems = state.need("env_set")
        builders = []
        for index in range(problems.num_batches(BATCH, "test")):
            builders += problems.get_batch(index, BATCH, "test")
        envs = [builder.make_envs()[0] for builder in builders][: cfg.eval_samples]
        if not envs:
            ctx.log("no held-out problems: skipping evaluation", level="warning")
            return ctx
        renderer = state.need("renderer")
        tokenizer = state.need("tokenizer")
        sampler = state.need("session").sampler()
        params = SamplingParams(
            max_new_tokens=cfg.max_new_tokens,
            temperature=0.0,
            stop_token_ids=tuple(renderer.stop_token_ids),
        )
        prompts = [renderer.render_prompt(as_messages(env.initial_observation())) for env in envs]
        outputs: list[list[int]] = []
        for start in range(0, len(prompts), BATCH):
            outputs += sampler.sample(prompts[start : start + BATCH], params)
        rows: list[dict[str, Any]] = []
        scores: list[dict[str, float]] = []
        for env, ids in zip(envs, outputs, strict=True):
            text = tokenizer.decode(ids)
            result = env.step(text)
            scores.append({"reward": float(result.reward), **dict(result.metrics)})
            rows.append({"output": text, **scores[-1]})
        metrics = {"reward_mean": statistics.fmean(s["reward"] for s in scores)}
        for key in sorted({k for s in scores for k in s} - {"reward"}):
            metrics[key] = statistics.fmean(s.get(key, 0.0) for s in scores)
        metrics["n"] = float(len(rows))
        prefix = "baseline" if self.baseline else "eval"
        step = state.global_step
        ctx.emit(Metrics(ctx.meta.run_id, step, {f"{prefix}/{k}": v for k, v in metrics.items()}))
        ctx.log(
            f"{prefix} on {len(rows)} problems: reward {metrics['reward_mean']:.3f}"
            + (f", correct {metrics['correct']:.3f}" if "correct" in metrics else ""),
            stage=self.name,
        )
        blob = ctx.ports.blobs.put_bytes(json.dumps(rows).encode())
        ctx.emit(
            ArtifactSaved(
                ctx.meta.run_id,
                "eval",
                f"{prefix}-env-step-{step}",
                blob.sha256,
                blob.size,
                step,
                meta={"metrics": metrics, "samples": len(rows)},
            )
        )
        if self.baseline:
            return ctx.evolve(baseline_metrics=metrics)
        return ctx.evolve(eval_metrics=metrics)
