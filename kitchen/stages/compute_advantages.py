"""Group-relative advantages (GRPO): each reward against its group's mean."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kitchen.context import RunContext
from kitchen.rl import Rollout
from kitchen.stage import Stage


class ComputeAdvantages(Stage):
    """Give every rollout ``reward - mean(group)`` (divided by the group's std when
    ``normalize_advantages``), and drop groups whose rewards are all equal when
    ``drop_constant_groups`` (they carry no signal, only noise in the batch size).

    With ``advantage_estimator=gae`` each completion token gets its own advantage instead:
    GAE(γ, λ) over the value head's estimates, the reward paid at the last token, and the
    returns the value head is trained towards.
    """

    name = "compute_advantages"
    requires = ("rollouts", "session")
    provides = ("rollouts",)
    reads = (
        "advantage_estimator",
        "normalize_advantages",
        "drop_constant_groups",
        "gamma",
        "gae_lambda",
    )

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        import torch

        from kitchen.losses import constant_groups, group_advantages

        cfg = ctx.config
        rollouts = ctx.state.need("rollouts")
        if getattr(cfg, "advantage_estimator", "grpo") == "gae":
            return ctx.evolve(rollouts=_with_gae(ctx, rollouts))
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


def _with_gae(ctx: RunContext[Any], rollouts: tuple[Rollout, ...]) -> tuple[Rollout, ...]:
    import torch

    from kitchen.losses import gae

    cfg = ctx.config
    datums = [r.datum for r in rollouts]
    values = ctx.state.need("session").values(datums)
    width = max(len(d.input_ids) for d in datums)

    def padded(rows: list[list[float]]) -> torch.Tensor:
        return torch.tensor([row + [0.0] * (width - len(row)) for row in rows])

    mask = padded([[float(m) for m in d.loss_mask] for d in datums]).bool()
    mask[:, 0] = False
    rewards = torch.zeros(mask.shape)
    for index, rollout in enumerate(rollouts):
        last = max(i for i, m in enumerate(rollout.datum.loss_mask) if m)
        rewards[index, last] = rollout.reward  # paid when the completion ends
    result = gae(
        rewards, padded([list(v) for v in values]), mask, gamma=cfg.gamma, lam=cfg.gae_lambda
    )
    out = []
    for index, rollout in enumerate(rollouts):
        n = len(rollout.datum.input_ids)
        advantages = tuple(float(a) for a in result.advantages[index, :n])
        returns = tuple(float(r) for r in result.returns[index, :n])
        extras = {**rollout.datum.extras, "advantages": advantages, "returns": returns}
        scored = [a for a, m in zip(advantages, rollout.datum.loss_mask, strict=True) if m]
        out.append(
            replace(
                rollout,
                datum=replace(rollout.datum, extras=extras),
                advantage=sum(scored) / max(len(scored), 1),
            )
        )
    return tuple(out)
