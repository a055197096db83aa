"""Pairwise preference losses: DPO, conservative DPO and IPO."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F

from kitchen.losses._tokens import check_same_shape, upcast

__all__ = ["DPOOutput", "dpo_loss"]


@dataclass(frozen=True, slots=True)
class DPOOutput:
    """The loss and the per-pair metrics of :func:`dpo_loss`.

    Attributes:
        loss: Scalar fp32, the mean loss over the pairs; differentiable.
        chosen_rewards: ``(batch,)`` implicit rewards ``beta * (log pi - log pi_ref)`` of the
            chosen answers, detached.
        rejected_rewards: ``(batch,)`` the same for the rejected answers.
        accuracy: ``(batch,)`` 1.0 where the chosen reward is strictly larger, else 0.0.
        margin: ``(batch,)`` chosen minus rejected reward.
    """

    loss: torch.Tensor
    chosen_rewards: torch.Tensor
    rejected_rewards: torch.Tensor
    accuracy: torch.Tensor
    margin: torch.Tensor


def dpo_loss(
    policy_chosen: torch.Tensor,
    policy_rejected: torch.Tensor,
    ref_chosen: torch.Tensor,
    ref_rejected: torch.Tensor,
    *,
    beta: float,
    loss_type: Literal["sigmoid", "ipo"] = "sigmoid",
    label_smoothing: float = 0.0,
) -> DPOOutput:
    """Direct preference optimisation loss on sequence log-probabilities.

    With the log-ratio difference
    ``h = (log pi(y_w) - log pi_ref(y_w)) - (log pi(y_l) - log pi_ref(y_l))``:

    * ``"sigmoid"``, DPO (Rafailov et al. 2023, eq. 7): ``-log sigmoid(beta * h)``. With
      ``label_smoothing = eps`` it becomes conservative DPO (cDPO, Mitchell 2023), which assumes
      each label is flipped with probability ``eps``:
      ``-(1 - eps) * log sigmoid(beta * h) - eps * log sigmoid(-beta * h)``.
    * ``"ipo"``, IPO (Azar et al. 2023, eq. 17, their ``tau`` is ``beta``):
      ``(h - 1 / (2 * beta)) ** 2``. ``h`` is built from the sequence log-probabilities as given,
      here the token sums of :func:`~kitchen.losses.sequence_logprobs`; no length normalisation
      is applied. TRL divides each side by its number of tokens first; to reproduce that, pass
      per-token averages.

    Args:
        policy_chosen: ``(batch,)`` log pi(y_w | x), summed over the answer tokens.
        policy_rejected: ``(batch,)`` log pi(y_l | x).
        ref_chosen: ``(batch,)`` log pi_ref(y_w | x); treated as constant.
        ref_rejected: ``(batch,)`` log pi_ref(y_l | x); treated as constant.
        beta: Strength of the KL regularisation towards the reference; positive.
        loss_type: ``"sigmoid"`` (DPO, cDPO) or ``"ipo"``.
        label_smoothing: cDPO's ``eps`` in ``[0, 0.5)``; only with ``"sigmoid"``.

    Returns:
        The mean loss and per-pair metrics, all fp32.

    Raises:
        ValueError: Shapes differ, the batch is empty, or an argument is out of range.
    """
    check_same_shape(
        policy_chosen=policy_chosen,
        policy_rejected=policy_rejected,
        ref_chosen=ref_chosen,
        ref_rejected=ref_rejected,
    )
    if policy_chosen.numel() == 0:
        raise ValueError("dpo_loss needs at least one preference pair")
    if not beta > 0:
        raise ValueError(f"beta must be positive, got {beta}")
    if not 0.0 <= label_smoothing < 0.5:
        raise ValueError(f"label_smoothing must be in [0, 0.5), got {label_smoothing}")
    if loss_type == "ipo" and label_smoothing != 0.0:
        raise ValueError("label_smoothing (conservative DPO) applies to loss_type='sigmoid' only")

    chosen_ratio = upcast(policy_chosen) - upcast(ref_chosen).detach()
    rejected_ratio = upcast(policy_rejected) - upcast(ref_rejected).detach()
    h = chosen_ratio - rejected_ratio
    if loss_type == "sigmoid":
        # logsigmoid is stable for large |beta * h|, where log(sigmoid(.)) would give -inf.
        per_pair = -(1.0 - label_smoothing) * F.logsigmoid(beta * h)
        if label_smoothing:
            per_pair = per_pair - label_smoothing * F.logsigmoid(-beta * h)
    elif loss_type == "ipo":
        per_pair = (h - 1.0 / (2.0 * beta)) ** 2
    else:
        raise ValueError(f"loss_type must be 'sigmoid' or 'ipo', got {loss_type!r}")

    chosen_rewards = beta * chosen_ratio.detach()
    rejected_rewards = beta * rejected_ratio.detach()
    return DPOOutput(
        loss=per_pair.mean(),
        chosen_rewards=chosen_rewards,
        rejected_rewards=rejected_rewards,
        accuracy=(chosen_rewards > rejected_rewards).float(),
        margin=chosen_rewards - rejected_rewards,
    )
