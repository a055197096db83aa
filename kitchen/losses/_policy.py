"""Policy-gradient losses (PPO-clip, importance sampling) and per-token KL estimators."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch

from kitchen.losses._tokens import (
    TokenEstimate,
    as_bool_mask,
    check_same_shape,
    masked_mean,
    upcast,
)

__all__ = ["Aggregation", "PolicyLoss", "importance_sampling_loss", "kl_estimate", "ppo_clip_loss"]

Aggregation = Literal["token_mean", "sequence_mean", "sum"]
"""How per-token losses become one number.

``"token_mean"``: mean over every scored token of the batch (DAPO, Yu et al. 2025; long answers
weigh more). ``"sequence_mean"``: mean over tokens within each sequence, then over the sequences
that have at least one scored token (the original GRPO). ``"sum"``: plain sum (Tinker's losses).
"""


@dataclass(frozen=True, slots=True)
class PolicyLoss:
    """A policy-gradient loss and its diagnostics (all scalar fp32, only ``loss`` has a graph).

    Attributes:
        loss: The aggregated loss to minimise.
        clip_fraction: Share of scored tokens whose clipped term is active (gradient cut off):
            ratio below ``1 - clip_low`` with a negative advantage, or above ``1 + clip_high``
            with a positive one. 0 for unclipped losses.
        approx_kl: Token mean of Schulman's k3 estimate of KL(old || new) with samples from the
            old policy: ``(ratio - 1) - log ratio``.
        ratio_mean: Token mean of ``pi_new / pi_old``.
    """

    loss: torch.Tensor
    clip_fraction: torch.Tensor
    approx_kl: torch.Tensor
    ratio_mean: torch.Tensor


def _aggregate(
    per_token: torch.Tensor, keep: torch.Tensor, aggregation: Aggregation
) -> torch.Tensor:
    if aggregation == "token_mean":
        return masked_mean(per_token, keep)
    if aggregation == "sequence_mean":
        per_sequence = masked_mean(per_token, keep, dim=1)
        present = keep.any(dim=1)
        return masked_mean(per_sequence, present)
    if aggregation == "sum":
        return per_token.masked_fill(~keep, 0.0).sum()
    raise ValueError(
        f"aggregation must be 'token_mean', 'sequence_mean' or 'sum', got {aggregation!r}"
    )


def _token_advantages(advantages: torch.Tensor, shape: torch.Size) -> torch.Tensor:
    if advantages.dim() == 1 and advantages.shape[0] == shape[0]:
        return upcast(advantages).unsqueeze(1).expand(shape)
    if tuple(advantages.shape) == tuple(shape):
        return upcast(advantages)
    raise ValueError(
        f"advantages must be (batch,) or (batch, length) = {tuple(shape)}, "
        f"got shape {tuple(advantages.shape)}"
    )


def _log_ratio(
    logp_new: torch.Tensor, logp_old: torch.Tensor, mask: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    check_same_shape(logp_new=logp_new, logp_old=logp_old, mask=mask)
    if logp_new.dim() != 2:
        raise ValueError(f"log-probs must be (batch, length), got shape {tuple(logp_new.shape)}")
    keep = as_bool_mask(mask)
    # Zero the log-ratio off the mask before exponentiating: padding may hold anything.
    log_ratio = (upcast(logp_new) - upcast(logp_old).detach()).masked_fill(~keep, 0.0)
    return log_ratio, keep


def _diagnostics(log_ratio: torch.Tensor, keep: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    with torch.no_grad():
        ratio = log_ratio.exp()
        approx_kl = masked_mean(torch.expm1(log_ratio) - log_ratio, keep)
        return approx_kl, masked_mean(ratio, keep)


def ppo_clip_loss(
    logp_new: torch.Tensor,
    logp_old: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    *,
    clip_low: float = 0.2,
    clip_high: float = 0.2,
    aggregation: Aggregation = "token_mean",
) -> PolicyLoss:
    """PPO's clipped surrogate (Schulman et al. 2017, eq. 7), per token.

    ``loss_t = -min(rho_t * A_t, clip(rho_t, 1 - clip_low, 1 + clip_high) * A_t)`` with
    ``rho_t = exp(logp_new - logp_old)``. Separate low and high bounds allow DAPO's
    clip-higher (Yu et al. 2025); equal bounds give the paper's symmetric ``epsilon``.

    Args:
        logp_new: ``(batch, length)`` log-probs of the sampled tokens under the current policy.
        logp_old: ``(batch, length)`` the same under the policy that sampled them; detached here.
        advantages: ``(batch,)`` per sequence (broadcast to its tokens) or ``(batch, length)``.
        mask: ``(batch, length)``, non-zero on the sampled tokens.
        clip_low: Lower clip distance, in ``[0, 1)``.
        clip_high: Upper clip distance, non-negative.
        aggregation: See :data:`Aggregation`.

    Returns:
        The loss and its diagnostics; 0 loss (with a zero gradient) when nothing is scored.
    """
    if not (0.0 <= clip_low < 1.0 and clip_high >= 0.0):
        raise ValueError(
            f"need 0 <= clip_low < 1 and clip_high >= 0, got {clip_low} and {clip_high}"
        )
    log_ratio, keep = _log_ratio(logp_new, logp_old, mask)
    adv = _token_advantages(advantages, log_ratio.shape)
    ratio = log_ratio.exp()
    unclipped = ratio * adv
    clipped = ratio.clamp(1.0 - clip_low, 1.0 + clip_high) * adv
    loss = _aggregate(-torch.minimum(unclipped, clipped), keep, aggregation)
    with torch.no_grad():
        active = ((ratio < 1.0 - clip_low) & (adv < 0)) | ((ratio > 1.0 + clip_high) & (adv > 0))
        clip_fraction = masked_mean(active.float(), keep)
    approx_kl, ratio_mean = _diagnostics(log_ratio, keep)
    return PolicyLoss(loss, clip_fraction, approx_kl, ratio_mean)


def importance_sampling_loss(
    logp_new: torch.Tensor,
    logp_sampler: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    *,
    aggregation: Aggregation = "token_mean",
) -> PolicyLoss:
    """Importance-weighted policy gradient without clipping: ``loss_t = -rho_t * A_t``.

    ``rho_t = exp(logp_new - logp_sampler)`` corrects for the sampler (e.g. an inference engine)
    differing from the trained policy; its gradient is ``-rho_t * A_t * grad log pi``, the
    off-policy REINFORCE estimator. Tinker's ``importance_sampling`` loss is this with
    ``aggregation="sum"``.

    Args:
        logp_new: ``(batch, length)`` log-probs of the sampled tokens under the trained policy.
        logp_sampler: ``(batch, length)`` the same under the sampler; detached here.
        advantages: ``(batch,)`` or ``(batch, length)``.
        mask: ``(batch, length)``, non-zero on the sampled tokens.
        aggregation: See :data:`Aggregation`.

    Returns:
        The loss and diagnostics (``clip_fraction`` is 0: nothing is clipped).
    """
    log_ratio, keep = _log_ratio(logp_new, logp_sampler, mask)
    adv = _token_advantages(advantages, log_ratio.shape)
    loss = _aggregate(-log_ratio.exp() * adv, keep, aggregation)
    approx_kl, ratio_mean = _diagnostics(log_ratio, keep)
    return PolicyLoss(loss, torch.zeros_like(approx_kl), approx_kl, ratio_mean)


def kl_estimate(
    logp: torch.Tensor,
    logp_ref: torch.Tensor,
    mask: torch.Tensor,
    *,
    kind: Literal["k1", "k2", "k3"] = "k3",
) -> TokenEstimate:
    """Single-sample estimators of KL(pi || pi_ref) from tokens sampled from ``pi``.

    From Schulman (2020), "Approximating KL divergence", with ``d = logp_ref - logp``:

    * ``"k1" = -d = logp - logp_ref``: unbiased, high variance, can be negative.
    * ``"k2" = d ** 2 / 2``: biased, low variance, non-negative.
    * ``"k3" = exp(d) - d - 1``: unbiased, low variance, non-negative (GRPO's KL penalty).
      Computed with ``expm1`` for accuracy near 0; it is unbounded when ``logp_ref`` is far
      above ``logp``, as the estimator is, so it is not clamped.

    Args:
        logp: ``(batch, length)`` log-probs of the sampled tokens under the policy.
        logp_ref: ``(batch, length)`` the same under the reference.
        mask: ``(batch, length)``, non-zero on the sampled tokens.
        kind: Which estimator.

    Returns:
        Per-token values (0 off the mask) and their mean over the scored tokens; differentiable
        in both inputs.
    """
    check_same_shape(logp=logp, logp_ref=logp_ref, mask=mask)
    keep = as_bool_mask(mask)
    d = (upcast(logp_ref) - upcast(logp)).masked_fill(~keep, 0.0)
    if kind == "k1":
        per_token = -d
    elif kind == "k2":
        per_token = 0.5 * d.square()
    elif kind == "k3":
        per_token = torch.expm1(d) - d
    else:
        raise ValueError(f"kind must be 'k1', 'k2' or 'k3', got {kind!r}")
    return TokenEstimate(per_token=per_token, mean=masked_mean(per_token, keep))
