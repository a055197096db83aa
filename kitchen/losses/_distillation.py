"""Distillation losses: full-vocabulary KL in both directions, sampled reverse KL, Hinton's loss."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from kitchen.losses._tokens import (
    IGNORE_INDEX,
    TokenEstimate,
    as_bool_mask,
    check_logits,
    check_same_shape,
    masked_mean,
    next_token_rows,
    scatter_tokens,
    scored_mask,
    upcast,
)

__all__ = [
    "DistillationLoss",
    "forward_kl",
    "logit_distillation_loss",
    "reverse_kl",
    "sampled_reverse_kl",
]


@dataclass(frozen=True, slots=True)
class DistillationLoss:
    """The result of :func:`logit_distillation_loss` (scalars, fp32).

    Attributes:
        loss: ``temperature ** 2 * kl + alpha * cross_entropy``; differentiable in the student.
        kl: Mean per-token KL(p_teacher^T || p_student^T) at temperature ``T``.
        cross_entropy: Mean per-token cross-entropy of the student on the labels, temperature 1.
    """

    loss: torch.Tensor
    kl: torch.Tensor
    cross_entropy: torch.Tensor


def _check_pair(teacher_logits: torch.Tensor, student_logits: torch.Tensor) -> None:
    if teacher_logits.dim() == 3 and student_logits.dim() == 3:
        v_teacher, v_student = teacher_logits.shape[-1], student_logits.shape[-1]
        if v_teacher != v_student:
            raise ValueError(
                f"teacher and student vocabularies differ ({v_teacher} vs {v_student} logits): "
                "logit distillation needs one shared tokenizer; use sampled_reverse_kl on "
                "re-tokenised text instead"
            )
    if teacher_logits.shape != student_logits.shape:
        raise ValueError(
            f"teacher logits {tuple(teacher_logits.shape)} and student logits "
            f"{tuple(student_logits.shape)} must have the same (batch, length, vocab) shape"
        )


def _check_temperature(temperature: float) -> None:
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}")


def _kl_rows(p_rows: torch.Tensor, q_rows: torch.Tensor, temperature: float) -> torch.Tensor:
    """``KL(softmax(p / T) || softmax(q / T))`` per row of two ``(n, vocab)`` fp32 tensors."""
    log_p = torch.log_softmax(p_rows / temperature, dim=-1)
    log_q = torch.log_softmax(q_rows / temperature, dim=-1)
    p = log_p.exp()
    # Terms with p = 0 are 0 by convention; zero their log-difference (maybe -inf - -inf) before
    # the product so that neither the value nor its gradient turns NaN.
    diff = torch.where(p > 0, log_p - log_q, torch.zeros_like(log_p))
    return (p * diff).sum(dim=-1)


def _full_kl(
    p_logits: torch.Tensor, q_logits: torch.Tensor, mask: torch.Tensor, temperature: float
) -> TokenEstimate:
    check_logits(p_logits, mask)
    _check_temperature(temperature)
    scored = scored_mask(mask)
    p_rows, q_rows = next_token_rows(p_logits, scored), next_token_rows(q_logits, scored)
    per = _kl_rows(p_rows, q_rows, temperature)
    return TokenEstimate(
        per_token=scatter_tokens(per, scored), mean=per.sum() / scored.sum().clamp(min=1)
    )


def forward_kl(
    teacher_logits: torch.Tensor,
    student_logits: torch.Tensor,
    mask: torch.Tensor,
    temperature: float = 1.0,
) -> TokenEstimate:
    """Forward KL(p_T || p_S) over the whole vocabulary, per scored token.

    ``sum_v p_T(v) (log p_T(v) - log p_S(v))`` with ``p = softmax(logits[b, i - 1] / T)``; the
    mode-covering direction of classic distillation (Hinton et al. 2015). Computed in fp32 on the
    scored rows only.

    Args:
        teacher_logits: ``(batch, length, vocab)``.
        student_logits: ``(batch, length, vocab)``, same vocabulary.
        mask: ``(batch, length)``, non-zero where token ``i`` is scored.
        temperature: Softens both distributions; positive.

    Returns:
        Per-token KL (0 off the mask) and its mean over the scored tokens.

    Raises:
        ValueError: The vocabularies or shapes differ, or the temperature is not positive.
    """
    _check_pair(teacher_logits, student_logits)
    return _full_kl(teacher_logits, student_logits, mask, temperature)


def reverse_kl(
    teacher_logits: torch.Tensor,
    student_logits: torch.Tensor,
    mask: torch.Tensor,
    temperature: float = 1.0,
) -> TokenEstimate:
    """Reverse KL(p_S || p_T) over the whole vocabulary, per scored token.

    ``sum_v p_S(v) (log p_S(v) - log p_T(v))``: the mode-seeking direction (as in MiniLLM, Gu et
    al. 2024, and GKD, Agarwal et al. 2024). Same arguments and conventions as
    :func:`forward_kl`.
    """
    _check_pair(teacher_logits, student_logits)
    return _full_kl(student_logits, teacher_logits, mask, temperature)


def sampled_reverse_kl(
    student_logps: torch.Tensor, teacher_logps: torch.Tensor, mask: torch.Tensor
) -> TokenEstimate:
    """Single-sample reverse KL on tokens the student sampled: ``log p_S(x) - log p_T(x)``.

    Its expectation under the student is KL(p_S || p_T). On-policy distillation (Agarwal et al.
    2024, GKD; Thinking Machines, "On-Policy Distillation", 2025) uses the negated per-token value
    as a dense reward; detach it before using it as one. Needs only the two log-probs of the
    sampled tokens, so teacher and student may tokenise differently once re-aligned.

    Args:
        student_logps: ``(batch, length)`` student log-probs of the sampled tokens.
        teacher_logps: ``(batch, length)`` teacher log-probs of the same tokens.
        mask: ``(batch, length)``, non-zero on the sampled tokens.

    Returns:
        Per-token estimates (0 off the mask) and their mean over the scored tokens.
    """
    check_same_shape(student_logps=student_logps, teacher_logps=teacher_logps, mask=mask)
    keep = as_bool_mask(mask)
    per_token = (upcast(student_logps) - upcast(teacher_logps)).masked_fill(~keep, 0.0)
    return TokenEstimate(per_token=per_token, mean=masked_mean(per_token, keep))


def logit_distillation_loss(
    student_logits: torch.Tensor,
    teacher_logits: torch.Tensor,
    labels: torch.Tensor,
    *,
    temperature: float,
    alpha: float,
) -> DistillationLoss:
    """Knowledge distillation (Hinton et al. 2015): ``T^2 * KL(p_T^T || p_S^T) + alpha * CE``.

    The KL is the mean over the labelled tokens of :func:`forward_kl` at temperature ``T``; the
    ``T^2`` keeps its gradient on the scale of the hard-label term as ``T`` grows (section 2 of
    the paper). The cross-entropy is the student's mean next-token loss on ``labels`` at
    temperature 1. The teacher is a fixed target: its logits are detached.

    Args:
        student_logits: ``(batch, length, vocab)``.
        teacher_logits: ``(batch, length, vocab)``, same vocabulary.
        labels: ``(batch, length)`` token ids, -100 where not scored (position 0 never is).
        temperature: ``T``, positive.
        alpha: Weight of the hard-label cross-entropy, non-negative (0 for pure distillation).

    Returns:
        The loss and its two terms.

    Raises:
        ValueError: The vocabularies or shapes differ, or an argument is out of range.
    """
    _check_pair(teacher_logits, student_logits)
    check_logits(student_logits, labels, "student_logits")
    _check_temperature(temperature)
    if not alpha >= 0:
        raise ValueError(f"alpha must be non-negative, got {alpha}")
    scored = scored_mask(labels != IGNORE_INDEX)
    count = scored.sum().clamp(min=1)
    student_rows = next_token_rows(student_logits, scored)
    teacher_rows = next_token_rows(teacher_logits.detach(), scored)
    kl = _kl_rows(teacher_rows, student_rows, temperature).sum() / count
    targets = labels[scored].unsqueeze(-1)
    nll = torch.logsumexp(student_rows, dim=-1) - student_rows.gather(-1, targets).squeeze(-1)
    cross_entropy = nll.sum() / count
    return DistillationLoss(
        loss=temperature**2 * kl + alpha * cross_entropy, kl=kl, cross_entropy=cross_entropy
    )
