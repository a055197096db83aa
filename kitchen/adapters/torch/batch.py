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

__all__ = ["IGNORE_INDEX", "Collated", "collate", "summed_cross_entropy"]

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
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE_INDEX, dtype=torch.long)
    attention = torch.zeros((len(batch), width), dtype=torch.long)
    for row, datum in enumerate(batch):
        n = len(datum.input_ids)
        seq = torch.tensor(datum.input_ids, dtype=torch.long)
        mask = torch.tensor(datum.loss_mask, dtype=torch.bool)
        mask[0] = False
        ids[row, :n] = seq
        attention[row, :n] = 1
        labels[row, :n] = torch.where(mask, seq, IGNORE_INDEX)
    if int(ids.max()) >= vocab_size or int(ids.min()) < 0:
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


def summed_cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """The summed next-token cross-entropy over labelled positions, computed in fp32.

    Args:
        logits: ``(batch, length, vocab)`` from the model, any float dtype.
        labels: ``(batch, length)``, ``IGNORE_INDEX`` where there is no target.

    Returns:
        A scalar: the sum (divide by the number of targets for the mean).
    """
    # Logits at position i predict token i + 1.
    shifted = logits[:, :-1, :].float()
    targets = labels[:, 1:]
    return F.cross_entropy(
        shifted.reshape(-1, shifted.size(-1)),
        targets.reshape(-1),
        ignore_index=IGNORE_INDEX,
        reduction="sum",
    )
