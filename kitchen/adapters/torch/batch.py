"""Turn a list of :class:`Datum` into padded tensors and score them.

Conventions shared with the fake backend: ``loss_mask[i] == 1`` means token ``i`` is a target,
predicted from tokens ``< i``; token 0 is never a target (nothing precedes it). The loss is the
mean cross-entropy over every target token of the whole batch, so a long sequence weighs more
than a short one, as in per-token training everywhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from kitchen.errors import DataError
from kitchen.types import Datum

__all__ = ["IGNORE_INDEX", "Collated", "collate", "scored_positions", "summed_cross_entropy"]

# The label cross_entropy skips; the same value Hugging Face uses, so labels look familiar.
IGNORE_INDEX = -100


@dataclass(frozen=True, slots=True)
class Collated:
    """A right-padded batch on its device."""

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    labels: torch.Tensor
    num_tokens: int
    num_loss_tokens: int


def collate(
    batch: Sequence[Datum], pad_id: int, device: torch.device, *, vocab_size: int
) -> Collated:
    """Right-pad ``batch`` to its longest sequence.

    Right padding keeps every real token at the position it would have alone, so with a causal
    mask the real tokens never see a pad and the loss does not depend on how much padding there is.

    Args:
        batch: The sequences; at least one, none empty.
        pad_id: The id used for padding (its value never reaches the loss).
        device: Where the tensors go.
        vocab_size: Rows of the model's embedding; larger ids are refused here, because on CUDA
            they would trip a device-side assert that poisons the whole process.

    Returns:
        Ids, attention mask and labels (the input ids, or ``IGNORE_INDEX`` where the loss mask is
        0, at position 0, and on padding).

    Raises:
        DataError: The batch is empty, holds an empty sequence or an id outside the vocabulary,
            or has no target token at all.
    """
    if not batch:
        raise DataError("batch is empty")
    width = max(len(d.input_ids) for d in batch)
    if min(len(d.input_ids) for d in batch) == 0:
        raise DataError("batch holds an empty sequence")
    # Build flat Python lists once and make each tensor in one call: per-row tensors and
    # assignments cost ~4x more than the whole forward pass of a tiny model's batch.
    flat_ids: list[int] = []
    flat_mask: list[int] = []
    lengths: list[int] = []
    for datum in batch:
        fill = width - len(datum.input_ids)
        flat_ids.extend(datum.input_ids)
        flat_ids.extend([pad_id] * fill)
        flat_mask.extend(datum.loss_mask)
        flat_mask.extend([0] * fill)
        lengths.append(len(datum.input_ids))
    ids = torch.tensor(flat_ids, dtype=torch.long).view(len(batch), width)
    mask = torch.tensor(flat_mask, dtype=torch.bool).view(len(batch), width)
    mask[:, 0] = False
    labels = ids.masked_fill(~mask, IGNORE_INDEX)
    attention = (torch.arange(width) < torch.tensor(lengths)[:, None]).long()
    low, high = torch.aminmax(ids)
    if int(high) >= vocab_size or int(low) < 0:
        raise DataError(f"batch holds a token id outside the vocabulary [0, {vocab_size})")
    num_loss_tokens = int((labels != IGNORE_INDEX).sum())
    if num_loss_tokens == 0:
        raise DataError("batch has no target token (every loss_mask is 0 after position 0)")
    return Collated(
        input_ids=ids.to(device, non_blocking=True),
        attention_mask=attention.to(device, non_blocking=True),
        labels=labels.to(device, non_blocking=True),
        num_tokens=int(attention.sum()),
        num_loss_tokens=num_loss_tokens,
    )


def scored_positions(labels: torch.Tensor) -> torch.Tensor:
    """Positions whose logits some row needs: those followed by a target in any row.

    Only these logits are computed (``logits_to_keep``): with loss on answers only, most
    positions carry no target, and the output projection over the vocabulary is the largest
    matmul of a small model.
    """
    return (labels[:, 1:] != IGNORE_INDEX).any(0).nonzero().squeeze(1)


def summed_cross_entropy(
    logits: torch.Tensor, labels: torch.Tensor, positions: torch.Tensor | None = None
) -> torch.Tensor:
    """The summed next-token cross-entropy over labelled positions, computed in fp32.

    Args:
        logits: ``(batch, length, vocab)`` from the model, any float dtype; or, when
            ``positions`` is given, ``(batch, len(positions), vocab)`` at those positions.
        labels: ``(batch, length)``, ``IGNORE_INDEX`` where there is no target.
        positions: The positions ``logits`` were kept at (see :func:`scored_positions`).

    Returns:
        A scalar: the sum (divide by the number of targets for the mean).
    """
    # Logits at position i predict token i + 1.
    if positions is None:
        shifted = logits[:, :-1, :].float()
        targets = labels[:, 1:]
    else:
        shifted = logits.float()
        targets = labels[:, 1:][:, positions]
    return F.cross_entropy(
        shifted.reshape(-1, shifted.size(-1)),
        targets.reshape(-1),
        ignore_index=IGNORE_INDEX,
        reduction="sum",
    )
