"""A character-level tokenizer for tests: one id per character, no files, no dependencies.

Special tokens take the first ids, then every Latin-1 character (code points 0-255) has one id;
any other character encodes to ``<|unk|>``. Presets give the special tokens of the Llama 3 and
Qwen chat formats, so renderers can be tested without downloading those tokenizers.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["FakeTokenizer"]

_CHARS = 256  # Latin-1: every ASCII text round-trips


class FakeTokenizer:
    """Implements the Tokenizer port with one token per character."""

    def __init__(
        self,
        *,
        bos_token: str | None = "<|bos|>",
        eos_token: str = "<|eos|>",
        pad_token: str = "<|pad|>",
        extra_special_tokens: Sequence[str] = (),
    ) -> None:
        """Build the vocabulary.

        Args:
            bos_token: The beginning-of-text token, or None for a tokenizer without one.
            eos_token: The end-of-text token.
            pad_token: The padding token (may equal ``eos_token``).
            extra_special_tokens: More special tokens (chat-format markers), after the others.
        """
        names = [pad_token, *([bos_token] if bos_token else []), eos_token, "<|unk|>"]
        names += list(extra_special_tokens)
        self._specials: dict[str, int] = {}
        for name in names:
            self._specials.setdefault(name, len(self._specials))
        self._offset = len(self._specials)
        self._bos = None if bos_token is None else self._specials[bos_token]
        self._eos = self._specials[eos_token]
        self._pad = self._specials[pad_token]
        self._unk = self._specials["<|unk|>"]

    @classmethod
    def llama3(cls) -> FakeTokenizer:
        """A tokenizer with the Llama 3 chat special tokens."""
        return cls(
            bos_token="<|begin_of_text|>",
            eos_token="<|eot_id|>",
            pad_token="<|finetune_right_pad_id|>",
            extra_special_tokens=("<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>"),
        )

    @classmethod
    def qwen(cls) -> FakeTokenizer:
        """A tokenizer with the Qwen (ChatML) special tokens and no bos, like Qwen's own."""
        return cls(
            bos_token=None,
            eos_token="<|im_end|>",
            pad_token="<|endoftext|>",
            extra_special_tokens=("<|im_start|>",),
        )

    @property
    def vocab_size(self) -> int:
        return self._offset + _CHARS

    @property
    def eos_token_id(self) -> int:
        return self._eos

    @property
    def pad_token_id(self) -> int:
        return self._pad

    @property
    def bos_token_id(self) -> int | None:
        return self._bos

    def encode(self, text: str) -> list[int]:
        """One id per character; special-token text is encoded as plain characters."""
        return [self._offset + ord(c) if ord(c) < _CHARS else self._unk for c in text]

    def decode(self, ids: Sequence[int]) -> str:
        """Decode, skipping special tokens (``<|unk|>`` included) and out-of-range ids."""
        top = self._offset + _CHARS
        return "".join(chr(i - self._offset) for i in ids if self._offset <= i < top)

    def token_to_id(self, token: str) -> int | None:
        """A special token's id, a single character's id, or None."""
        if token in self._specials:
            return self._specials[token]
        if len(token) == 1 and ord(token) < _CHARS:
            return self._offset + ord(token)
        return None
