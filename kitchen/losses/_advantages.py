"""Advantage estimators: group-relative (GRPO) and generalised advantage estimation (GAE)."""

from __future__ import annotations

from typing import NamedTuple

import torch

from kitchen.losses._tokens import as_bool_mask, check_same_shape, upcast

__all__ = ["GAEResult", "constant_groups", "gae", "group_advantages"]


def _check_groups(rewards: torch.Tensor) -> None:
    if rewards.dim() != 2 or rewards.shape[1] == 0:
        raise ValueError(
            f"rewards must be (groups, samples per group) with at least one sample, "
            f"got shape {tuple(rewards.shape)}"
        )


def constant_groups(rewards: torch.Tensor) -> torch.Tensor:
    """Groups whose rewards are all exactly equal.

    Such a group has zero group-relative advantage everywhere, so it gives no learning signal and
    only dilutes the batch; GRPO recipes (e.g. DAPO's dynamic sampling) drop it.

    Args:
        rewards: ``(groups, samples)``.

    Returns:
        ``(groups,)`` bool, True for a constant group (a group of one sample is constant).
    """
    _check_groups(rewards)
    return (rewards == rewards[:, :1]).all(dim=1)


def group_advantages(
    rewards: torch.Tensor, *, normalize_std: bool, eps: float = 1e-6
) -> torch.Tensor:
    """Group-relative advantages of GRPO (Shao et al. 2024, DeepSeekMath, section 4.1.2).

    ``A_ij = r_ij - mean_j(r_i)``, and with ``normalize_std`` divided by ``std_j(r_i) + eps``.
    The std is the sample std (Bessel-corrected, divisor ``N - 1``), as in TRL's GRPOTrainer and
    verl, so advantages match what those report for the same rewards; a group of one sample has
    advantage 0. Dr. GRPO (Liu et al. 2025) argues against the division because it up-weights
    groups that are nearly all right or all wrong, hence no default.

    A constant group (see :func:`constant_groups`) gets advantage exactly 0: rounding in its mean
    would otherwise leave a residue that the division by ``eps`` blows up.

    Args:
        rewards: ``(groups, samples)``, any float dtype.
        normalize_std: Divide by the group's std.
        eps: Added to the std so that nearly constant groups stay finite.

    Returns:
        ``(groups, samples)`` fp32, zero-mean within each group.
    """
    _check_groups(rewards)
    r = upcast(rewards)
    centred = r - r.mean(dim=1, keepdim=True)
    centred = centred.masked_fill(constant_groups(r).unsqueeze(1), 0.0)
    if not normalize_std:
        return centred
    n = r.shape[1]
    std = (centred.square().sum(dim=1, keepdim=True) / max(n - 1, 1)).sqrt()
    return centred / (std + eps)


class GAEResult(NamedTuple):
    """Advantages and value targets, both ``(batch, length)`` fp32, 0 where the mask is 0."""

    advantages: torch.Tensor
    returns: torch.Tensor


@torch.no_grad()
def gae(
    rewards: torch.Tensor,
    values: torch.Tensor,
    mask: torch.Tensor,
    *,
    gamma: float,
    lam: float,
) -> GAEResult:
    """Generalised advantage estimation (Schulman et al. 2015, eq. 16) over the masked steps.

    ``delta_t = r_t + gamma * V(s_next) - V(s_t)`` and ``A_t = delta_t + gamma * lam * A_next``,
    where "next" is the next step of the same row whose mask is set: unmasked positions (padding,
    or tokens the policy did not choose such as tool output inside a multi-turn answer) are
    skipped, neither discounted nor rewarded; their rewards are ignored.

    Terminal handling: after the last masked step of a row, ``V(s_next)`` is the bootstrap value
    ``values[:, length]`` when ``values`` is ``(batch, length + 1)`` (a truncated episode), and 0
    when ``values`` is ``(batch, length)`` (the episode ended). Returns are ``A_t + V(s_t)``, the
    lambda-return targets of the value function. Computed without gradient.

    Args:
        rewards: ``(batch, length)``, reward received after step ``t``.
        values: ``(batch, length)`` or ``(batch, length + 1)``, ``V(s_t)`` of the state in which
            step ``t`` is chosen, plus the bootstrap column.
        mask: ``(batch, length)``, non-zero at the policy's steps.
        gamma: Discount in ``[0, 1]``.
        lam: GAE's lambda in ``[0, 1]``; 1 gives Monte Carlo returns minus the value, 0 one-step
            TD errors.

    Returns:
        Advantages and returns.

    Raises:
        ValueError: Shapes do not fit or gamma/lam are out of range.
    """
    check_same_shape(rewards=rewards, mask=mask)
    if rewards.dim() != 2:
        raise ValueError(f"rewards must be (batch, length), got shape {tuple(rewards.shape)}")
    batch, length = rewards.shape
    if values.dim() != 2 or values.shape[0] != batch or values.shape[1] not in (length, length + 1):
        raise ValueError(
            f"values must be (batch, length) or (batch, length + 1) = ({batch}, {length}[+1]), "
            f"got shape {tuple(values.shape)}"
        )
    if not (0.0 <= gamma <= 1.0 and 0.0 <= lam <= 1.0):
        raise ValueError(f"gamma and lam must be in [0, 1], got gamma={gamma}, lam={lam}")

    r = upcast(rewards)
    v = upcast(values)
    keep = as_bool_mask(mask)
    # The value after a row's last step: the bootstrap column, or 0 for a finished episode.
    next_value = v[:, length].clone() if v.shape[1] == length + 1 else r.new_zeros(batch)
    next_advantage = r.new_zeros(batch)
    advantages = torch.zeros_like(r)
    # A backward scan over time, vectorised over the batch; the carries only move on masked steps.
    for t in range(length - 1, -1, -1):
        step = keep[:, t]
        delta = r[:, t] + gamma * next_value - v[:, t]
        advantage = delta + gamma * lam * next_advantage
        advantages[:, t] = torch.where(step, advantage, 0.0)
        next_value = torch.where(step, v[:, t], next_value)
        next_advantage = torch.where(step, advantage, next_advantage)
    returns = (advantages + v[:, :length]).masked_fill(~keep, 0.0)
    return GAEResult(advantages=advantages, returns=returns)
