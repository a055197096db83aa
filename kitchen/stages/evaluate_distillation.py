"""How far the student is from its teacher: the per-token KL on held-out prompts."""

from __future__ import annotations

import statistics
from typing import Any

from kitchen.context import RunContext
from kitchen.envs import as_messages
from kitchen.stages.held_out import HeldOutEvaluation
from kitchen.types import Datum, SamplingParams

BATCH = 64
EVAL_SEED = 7_777


class EvaluateDistillation(HeldOutEvaluation):
    """Sample the student (temperature 1, a fixed seed) on up to ``eval_samples`` held-out
    prompts and average ``log p_S(x) - log p_T(x)`` over the sampled tokens: an unbiased
    estimate of the per-token reverse KL(student ‖ teacher). Also the student's and teacher's
    mean token log-probability there, and the environment's reward of the greedy answers."""

    requires = ("session", "reference", "tokenizer", "renderer", "env_set")
    reads = ("eval_samples", "max_new_tokens", "baseline_eval")

    default_name = "evaluate_distillation"

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        cfg = ctx.config
        if self.skipped(ctx):
            return ctx
        state = ctx.state
        envs = state.need("env_set").test_envs(cfg.eval_samples)
        if not envs:
            return ctx
        renderer = state.need("renderer")
        student, teacher = state.need("session"), state.need("reference")
        prompts = [renderer.render_prompt(as_messages(e.initial_observation())) for e in envs]
        params = SamplingParams(
            max_new_tokens=cfg.max_new_tokens,
            temperature=1.0,
            stop_token_ids=tuple(renderer.stop_token_ids),
        )
        sampler = student.sampler(seed=EVAL_SEED)
        gaps: list[float] = []
        s_lp: list[float] = []
        t_lp: list[float] = []
        for start in range(0, len(prompts), BATCH):
            part = prompts[start : start + BATCH]
            outputs = sampler.sample(part, params)
            datums = [
                Datum(tuple(p + o), tuple([0] * len(p) + [1] * len(o)))
                for p, o in zip(part, outputs, strict=True)
            ]
            for datum, s_row, t_row in zip(
                datums, student.logprobs(datums), teacher.logprobs(datums), strict=True
            ):
                for s, t, m in zip(s_row, t_row, datum.loss_mask, strict=True):
                    if m:
                        gaps.append(s - t)
                        s_lp.append(s)
                        t_lp.append(t)
        metrics = {
            "reverse_kl": statistics.fmean(gaps),
            "student_logprob": statistics.fmean(s_lp),
            "teacher_logprob": statistics.fmean(t_lp),
            "tokens": float(len(gaps)),
        }
        summary = f"reverse KL to the teacher {metrics['reverse_kl']:.4f} nats/token"
        return self.report(ctx, metrics, summary=summary)
