"""The named objectives of :class:`~kitchen.ports.training.LossSpec` over a torch model.

The session collates a batch and runs the model; this module turns its logits (and each datum's
``extras``) into the objective, using the exact formulas of :mod:`kitchen.losses`. Log-probs
are aligned with input positions: ``out[:, i] = log p(token_i | tokens_<i)`` where token ``i``
is a target, else 0 — the layout of ``Datum.extras`` per-token tuples.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import torch

from kitchen.adapters.torch.batch import IGNORE_INDEX, Collated
from kitchen.errors import ConfigError, DataError
from kitchen.ports.training import LossSpec
from kitchen.types import Datum

__all__ = ["Objective", "compute_objective", "per_token_extra", "target_logprobs"]


@dataclass(frozen=True, slots=True)
class Objective:
    """A scalar to differentiate and the metrics the objective reports."""

    loss: torch.Tensor
    metrics: dict[str, float]


def target_logprobs(
    logits: torch.Tensor, labels: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Log-probabilities of the target tokens, aligned with input positions, in fp32.

    Args:
        logits: ``(batch, length, vocab)`` for every position.
        labels: ``(batch, length)``; ``IGNORE_INDEX`` where there is no target.

    Returns:
        ``(logprobs, mask)``, both ``(batch, length)``: the log-probability of token ``i`` given
        the tokens before it where it is a target (0 elsewhere), and where that is.
    """
    targets = labels[:, 1:]
    mask = targets != IGNORE_INDEX
    logp = torch.log_softmax(logits[:, :-1, :].float(), dim=-1)
    picked = logp.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1) * mask
    out = torch.zeros(labels.shape, dtype=torch.float32, device=logits.device)
    full = torch.zeros(labels.shape, dtype=torch.bool, device=logits.device)
    out[:, 1:] = picked
    full[:, 1:] = mask
    return out, full


def per_token_extra(batch: Sequence[Datum], name: str, like: torch.Tensor) -> torch.Tensor:
    """``extras[name]`` of every datum as a ``(batch, length)`` tensor shaped like ``like``.

    A per-sequence float is spread over the sequence; a per-token tuple is right-padded with 0.

    Raises:
        DataError: a datum lacks ``name``.
    """
    rows = []
    width = like.shape[1]
    for index, datum in enumerate(batch):
        value = datum.extras.get(name)
        if value is None:
            raise DataError(f"datum {index} of the batch lacks extras[{name!r}]")
        if isinstance(value, tuple):
            rows.append(list(value) + [0.0] * (width - len(value)))
        else:
            rows.append([float(value)] * width)
    return torch.tensor(rows, dtype=torch.float32, device=like.device)


def _per_sequence(batch: Sequence[Datum], name: str, device: torch.device) -> torch.Tensor:
    values = []
    for index, datum in enumerate(batch):
        value = datum.extras.get(name)
        if not isinstance(value, int | float):
            raise DataError(f"datum {index} of the batch needs a number in extras[{name!r}]")
        values.append(float(value))
    return torch.tensor(values, dtype=torch.float32, device=device)


def _advantages(batch: Sequence[Datum], like: torch.Tensor) -> torch.Tensor:
    # Per-token advantages (on-policy distillation) or one per sequence (GRPO), spread.
    key = "advantages" if "advantages" in batch[0].extras else "advantage"
    return per_token_extra(batch, key, like)


def _param(spec: LossSpec, name: str, default: float) -> float:
    value = spec.params.get(name, default)
    if isinstance(value, str):
        raise ConfigError(f"loss {spec.name}: parameter {name} must be a number, got {value!r}")
    return float(value)


def compute_objective(
    spec: LossSpec,
    logits: torch.Tensor,
    data: Collated,
    batch: Sequence[Datum],
    teacher_logits: torch.Tensor | None = None,
    values: torch.Tensor | None = None,
) -> Objective:
    """The objective ``spec`` names over a model's ``logits`` for ``batch``.

    Raises:
        ConfigError: an unknown objective or parameter.
        DataError: the batch lacks what the objective needs (pairs, extras, a teacher).
    """
    from kitchen import losses

    name = spec.name
    if name in ("dpo", "ipo"):
        if len(batch) % 2:
            raise DataError(f"{name} needs (chosen, rejected) pairs; the batch has {len(batch)}")
        logp, mask = target_logprobs(logits, data.labels)
        sums = (logp * mask).sum(-1)
        ref = _per_sequence(batch, "ref_logprob", logits.device)
        result = losses.dpo_loss(
            sums[0::2],
            sums[1::2],
            ref[0::2],
            ref[1::2],
            beta=_param(spec, "beta", 0.1),
            loss_type="ipo" if name == "ipo" else "sigmoid",
            label_smoothing=_param(spec, "label_smoothing", 0.0),
        )
        pair_metrics = {
            "accuracy": float(result.accuracy.float().mean()),
            "chosen_reward": float(result.chosen_rewards.mean()),
            "rejected_reward": float(result.rejected_rewards.mean()),
            "margin": float(result.margin.mean()),
        }
        return Objective(result.loss, pair_metrics)
    if name in ("importance_sampling", "ppo"):
        logp, mask = target_logprobs(logits, data.labels)
        # Without the sampler's log-probs the batch is trained once on fresh samples: the
        # policy has not moved since it sampled, so its own log-probs (detached) are the old.
        if any("logprobs" in d.extras for d in batch):
            old = per_token_extra(batch, "logprobs", logp)
        else:
            old = logp.detach()
        advantages = _advantages(batch, logp)
        metrics: dict[str, float] = {}
        if name == "importance_sampling":
            sampled = losses.importance_sampling_loss(logp, old, advantages, mask)
            loss = sampled.loss
            metrics["approx_kl"] = float(sampled.approx_kl)
        else:
            clipped = losses.ppo_clip_loss(
                logp,
                old,
                advantages,
                mask,
                clip_low=_param(spec, "clip_low", 0.2),
                clip_high=_param(spec, "clip_high", 0.2),
            )
            loss = clipped.loss
            metrics["clip_fraction"] = float(clipped.clip_fraction)
            metrics["approx_kl"] = float(clipped.approx_kl)
        kl_coef = _param(spec, "kl_coef", 0.0)
        if kl_coef > 0:
            given = spec.params.get("kl_estimator", "k3")
            kind: Literal["k1", "k3"] = "k1" if given == "k1" else "k3"
            if given not in ("k1", "k3"):
                raise ConfigError(f"loss {name}: kl_estimator must be k1 or k3, got {given!r}")
            ref = per_token_extra(batch, "ref_logprobs", logp)
            kl = losses.kl_estimate(logp, ref, mask, kind=kind).mean
            loss = loss + kl_coef * kl
            metrics["kl"] = float(kl.detach())
        value_coef = _param(spec, "value_coef", 0.0)
        if value_coef > 0 and values is not None:
            returns = per_token_extra(batch, "returns", logp)
            value_loss = 0.5 * losses.masked_mean((values - returns) ** 2, mask)
            loss = loss + value_coef * value_loss
            metrics["value_loss"] = float(value_loss.detach())
        with torch.no_grad():
            metrics["entropy"] = float(losses.entropy(logits, mask))
        return Objective(loss, metrics)
    if name == "logit_distillation":
        if teacher_logits is None:
            raise DataError("logit_distillation needs the teacher session as `reference`")
        distilled = losses.logit_distillation_loss(
            logits,
            teacher_logits,
            data.labels,
            temperature=_param(spec, "temperature", 1.0),
            alpha=_param(spec, "alpha", 0.0),
        )
        return Objective(
            distilled.loss,
            {
                "kl": float(distilled.kl.detach()),
                "cross_entropy": float(distilled.cross_entropy.detach()),
            },
        )
    raise ConfigError(f"unknown loss {name!r}")
