"""Build the RL task: the problem set whose batches of GRPO groups the rollouts draw."""

from __future__ import annotations

from typing import Any

from kitchen.context import RunContext
from kitchen.envs import get_env
from kitchen.stage import Stage


class BuildEnvGroup(Stage):
    """Make the environment's problem set (seeded) and work out the run's optimiser steps."""

    name = "build_env_group"
    provides = ("env_set", "num_batches", "total_steps")
    reads = ("env", "env_options", "group_size", "seed", "steps", "ppo_epochs")

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        cfg = ctx.config
        options = {"group_size": cfg.group_size, "seed": cfg.seed, **dict(cfg.env_options)}
        problems = get_env(cfg.env, **options)
        ctx.log(
            f"env {cfg.env}: {len(problems.train)} training and {len(problems.test)} held-out "
            f"problems, groups of {cfg.group_size}",
            stage=self.name,
        )
        # One optimiser step per inner epoch of every rollout: the schedule spans them all.
        return ctx.evolve(
            env_set=problems, num_batches=cfg.steps, total_steps=cfg.steps * cfg.ppo_epochs
        )
