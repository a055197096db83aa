"""Sampler port: generate continuations from token prompts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from kitchen.types import SamplingParams


class Sampler(Protocol):
    """Batched generation over a fixed set of weights."""

    def sample(self, prompts: Sequence[Sequence[int]], params: SamplingParams) -> list[list[int]]:
        """Return the generated ids (without the prompt) for each prompt.

        A stop or end-of-sequence token that ended generation is kept as the last id, so a
        caller can tell "stopped" from "ran out of ``max_new_tokens``" (RL rewards need this);
        tokenizers' ``decode`` skips it.
        """
        ...
