"""Token-level building blocks: next-token log-probabilities, masked reductions, entropy.

Every ``(batch, length)`` tensor in :mod:`kitchen.losses` is aligned with the labels built by
``kitchen.adapters.torch.batch``: position ``i`` is about token ``i``, predicted by the logits at
position ``i - 1``. Position 0 is never scored, since nothing precedes it. Masks may be ``bool``
or 0/1 numbers; any non-zero entry counts as scored. Inputs of any float dtype are computed in
fp32 (fp64 stays fp64), so results are fp32 for fp32, bf16 and fp16 inputs.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

__all__ = [
    "IGNORE_INDEX",
    "TokenEstimate",
    "entropy",
    "masked_mean",
    "sequence_logprobs",
    "token_logprobs",
]

# The label that marks an unscored position; the value batch.py and Hugging Face use.
IGNORE_INDEX = -100


class TokenEstimate(NamedTuple):
    """A per-token quantity and its mean over the scored tokens; unpacks as ``per_token, mean``.

    Attributes:
        per_token: ``(batch, length)`` fp32, 0 where the mask is 0.
        mean: Scalar fp32, the mean over every scored token of the batch (0 when none is).
    """

    per_token: torch.Tensor
    mean: torch.Tensor


def upcast(tensor: torch.Tensor) -> torch.Tensor:
    """``tensor`` in fp32, or fp64 if it already is: low-precision floats lose too much in sums
    and log-softmaxes, while fp64 callers (tests, analysis) keep their precision."""
    return tensor if tensor.dtype == torch.float64 else tensor.float()


def as_bool_mask(mask: torch.Tensor) -> torch.Tensor:
    """``mask`` as ``bool``: non-zero entries are scored."""
    return mask if mask.dtype == torch.bool else mask != 0


def check_logits(logits: torch.Tensor, mask: torch.Tensor, name: str = "logits") -> None:
    """Refuse logits that are not ``(batch, length, vocab)`` or a mask of another shape."""
    if logits.dim() != 3:
        raise ValueError(f"{name} must be (batch, length, vocab), got shape {tuple(logits.shape)}")
    if tuple(mask.shape) != tuple(logits.shape[:2]):
        raise ValueError(
            f"mask shape {tuple(mask.shape)} does not match {name} (batch, length) "
            f"{tuple(logits.shape[:2])}"
        )


def check_same_shape(**tensors: torch.Tensor) -> None:
    """Refuse tensors whose shapes differ, naming them."""
    shapes = {name: tuple(t.shape) for name, t in tensors.items()}
    if len(set(shapes.values())) > 1:
        listed = ", ".join(f"{name}={shape}" for name, shape in shapes.items())
        raise ValueError(f"shapes must match: {listed}")


def scored_mask(mask: torch.Tensor) -> torch.Tensor:
    """The bool mask with position 0 cleared: no logits predict the first token."""
    scored = as_bool_mask(mask).clone()
    scored[:, 0] = False
    return scored


def next_token_rows(logits: torch.Tensor, scored: torch.Tensor) -> torch.Tensor:
    """The fp32 logits that predict each scored token, ``(num_scored, vocab)``, in row-major order.

    Selecting before casting keeps the fp32 copy to the scored rows only.
    """
    return upcast(logits[:, :-1][scored[:, 1:]])


def scatter_tokens(values: torch.Tensor, scored: torch.Tensor) -> torch.Tensor:
    """Put ``(num_scored,)`` values back at their ``(batch, length)`` positions, 0 elsewhere."""
    return values.new_zeros(scored.shape).masked_scatter(scored, values)


def token_logprobs(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Log-probability of each labelled token under the next-token distribution.

    ``out[b, i] = log_softmax(logits[b, i - 1])[labels[b, i]]``, computed in fp32 as
    ``logit - logsumexp(logits)``.

    Args:
        logits: ``(batch, length, vocab)``, any float dtype.
        labels: ``(batch, length)`` token ids, ``IGNORE_INDEX`` (-100) where not scored; the label
            at position 0 is ignored.

    Returns:
        ``(batch, length)`` fp32 (fp64 for fp64 logits), 0 at unscored positions.
    """
    check_logits(logits, labels, "logits")
    scored = scored_mask(labels != IGNORE_INDEX)
    rows = next_token_rows(logits, scored)
    targets = labels[scored].unsqueeze(-1)
    picked = rows.gather(-1, targets).squeeze(-1) - torch.logsumexp(rows, dim=-1)
    return scatter_tokens(picked, scored)


def sequence_logprobs(token_logps: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Sum of token log-probabilities over the scored tokens of each sequence.

    Args:
        token_logps: ``(batch, length)``, e.g. from :func:`token_logprobs`.
        mask: ``(batch, length)``, non-zero where scored.

    Returns:
        ``(batch,)`` fp32; 0 for a sequence with no scored token.
    """
    check_same_shape(token_logps=token_logps, mask=mask)
    return upcast(token_logps).masked_fill(~as_bool_mask(mask), 0.0).sum(dim=-1)


def masked_mean(values: torch.Tensor, mask: torch.Tensor, dim: int | None = None) -> torch.Tensor:
    """Mean of ``values`` over the entries where ``mask`` is non-zero, in fp32.

    Entries outside the mask never reach the result, even when they are NaN or infinite.

    Args:
        values: Any shape.
        mask: Broadcastable to ``values``.
        dim: Reduce along this dimension only; ``None`` reduces everything to a scalar.

    Returns:
        The mean; 0 where nothing is selected.
    """
    keep = as_bool_mask(mask).expand_as(values)
    total = upcast(values).masked_fill(~keep, 0.0)
    if dim is None:
        return total.sum() / keep.sum().clamp(min=1)
    return total.sum(dim=dim) / keep.sum(dim=dim).clamp(min=1)


def entropy(logits: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean Shannon entropy (nats) of the next-token distributions at the scored positions.

    ``H_i = -sum_v p_v log p_v`` with ``p = softmax(logits[b, i - 1])``, averaged over the scored
    tokens of the whole batch.

    Args:
        logits: ``(batch, length, vocab)``, any float dtype.
        mask: ``(batch, length)``, non-zero where token ``i`` is scored.

    Returns:
        Scalar fp32; 0 when no token is scored.
    """
    check_logits(logits, mask)
    scored = scored_mask(mask)
    logp = torch.log_softmax(next_token_rows(logits, scored), dim=-1)
    p = logp.exp()
    # Where p is 0 (a -inf logit) log p is -inf; zero it before the product so that neither the
    # value nor its gradient becomes NaN.
    per_token = -(p * torch.where(p > 0, logp, torch.zeros_like(logp))).sum(dim=-1)
    return per_token.sum() / scored.sum().clamp(min=1)
