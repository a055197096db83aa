"""Sample a batch of GRPO groups from the policy and let the environments score them."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kitchen.context import RunContext
from kitchen.envs import as_messages
from kitchen.rl import Rollout
from kitchen.stage import Stage
from kitchen.types import Datum, SamplingParams

LOGPROB_CHUNK = 64


class DoRollout(Stage):
    """Sample ``group_size`` completions for each of ``groups_per_batch`` problems in one
    batched generation (KV cache), score each with its environment, and record the sampling
    policy's log-probabilities of the sampled tokens (the "old" policy of the update) when the
    update needs them: with one update per batch the policy has not moved when it trains, so
    that extra forward pass is skipped and the loss takes the current log-probs, detached.
    """

    name = "do_rollout"
    requires = ("session", "tokenizer", "renderer", "env_set")
    provides = ("rollouts", "rollout_stats")
    reads = ("groups_per_batch", "max_new_tokens", "temperature", "top_p", "seed", "ppo_epochs")

    def __init__(self, score_policy: Callable[[Any], bool] | None = None) -> None:
        """Args:
        score_policy: Whether to record the sampling policy's log-probs, from the config
            (default: when ``ppo_epochs > 1``; distillation always needs them).
        """
        self.score_policy = score_policy or (lambda cfg: int(getattr(cfg, "ppo_epochs", 1)) > 1)

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        cfg = ctx.config
        state = ctx.state
        iteration = ctx.loop_index("rollouts")
        renderer = state.need("renderer")
        tokenizer = state.need("tokenizer")
        session = state.need("session")
        groups = state.need("env_set").get_batch(iteration, cfg.groups_per_batch)
        envs = [(g, env) for g, builder in enumerate(groups) for env in builder.make_envs()]
        prompts = [
            renderer.render_prompt(as_messages(env.initial_observation())) for _, env in envs
        ]
        params = SamplingParams(
            max_new_tokens=cfg.max_new_tokens,
            temperature=cfg.temperature,
            top_p=cfg.top_p,
            stop_token_ids=tuple(renderer.stop_token_ids),
        )
        # A stream of its own per rollout: reproducible, and different every iteration.
        sampler = session.sampler(seed=cfg.seed * 1_000_003 + iteration)
        started = time.perf_counter()
        outputs = sampler.sample(prompts, params)
        sampling_s = time.perf_counter() - started
        datums = [
            Datum(tuple(p + o), tuple([0] * len(p) + [1] * len(o)))
            for p, o in zip(prompts, outputs, strict=True)
        ]
        started = time.perf_counter()
        if self.score_policy(cfg):
            for at in range(0, len(datums), LOGPROB_CHUNK):
                part = datums[at : at + LOGPROB_CHUNK]
                datums[at : at + LOGPROB_CHUNK] = [
                    Datum(d.input_ids, d.loss_mask, {"logprobs": row})
                    for d, row in zip(part, session.logprobs(part), strict=True)
                ]
        scoring_s = time.perf_counter() - started
        rollouts = []
        for (group, env), datum, ids in zip(envs, datums, outputs, strict=True):
            text = tokenizer.decode(ids)
            step = env.step(text)
            rollouts.append(
                Rollout(
                    group=group,
                    datum=datum,
                    completion=text,
                    reward=float(step.reward),
                    metrics=dict(step.metrics),
                )
            )
        sampled = sum(len(o) for o in outputs)
        stats = {
            "sampling_tokens_per_s": sampled / max(sampling_s, 1e-9),
            "sampling_s": sampling_s,
            "scoring_s": scoring_s,
            "sampled_tokens": float(sampled),
        }
        return ctx.evolve(rollouts=tuple(rollouts), rollout_stats=stats)
