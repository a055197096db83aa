"""Group-relative advantages (GRPO): each reward against its group's mean."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kitchen.context import RunContext
from kitchen.stage import Stage


class ComputeAdvantages(Stage):
    """Give every rollout ``reward - mean(group)`` (divided by the group's std when
    ``normalize_advantages``), and drop groups whose rewards are all equal when
    ``drop_constant_groups`` (they carry no signal, only noise in the batch size)."""

    name = "compute_advantages"
    requires = ("rollouts",)
    provides = ("rollouts",)
    reads = ("normalize_advantages", "drop_constant_groups")

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        import torch

        from kitchen.losses import constant_groups, group_advantages

        cfg = ctx.config
        rollouts = ctx.state.need("rollouts")
        groups: dict[int, list[int]] = {}
        for index, rollout in enumerate(rollouts):
            groups.setdefault(rollout.group, []).append(index)
        members = list(groups.values())
        size = len(members[0])
        rewards = torch.tensor(
            [[rollouts[i].reward for i in group] for group in members], dtype=torch.float64
        )
        if any(len(group) != size for group in members):
            raise ValueError("every GRPO group must have the same size")
        advantages = group_advantages(rewards, normalize_std=cfg.normalize_advantages)
        constant = constant_groups(rewards).tolist()
        out = list(rollouts)
        for g, group in enumerate(members):
            keep = not (cfg.drop_constant_groups and constant[g])
            for k, index in enumerate(group):
                out[index] = replace(out[index], advantage=float(advantages[g, k]), kept=keep)
        return ctx.evolve(rollouts=tuple(out))
