"""Tokenizer port: text to ids and back, plus the special ids a renderer needs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable


@runtime_checkable
class Tokenizer(Protocol):
    """What stages need from a tokenizer (a ``transformers`` tokenizer fits through an adapter)."""

    @property
    def vocab_size(self) -> int: ...

    @property
    def eos_token_id(self) -> int: ...

    @property
    def pad_token_id(self) -> int: ...

    @property
    def bos_token_id(self) -> int | None: ...

    def encode(self, text: str) -> list[int]:
        """Encode without adding special tokens."""
        ...

    def decode(self, ids: Sequence[int]) -> str:
        """Decode, skipping special tokens."""
        ...

    def token_to_id(self, token: str) -> int | None:
        """The id of a special or ordinary token, or None when the vocabulary lacks it."""
        ...
