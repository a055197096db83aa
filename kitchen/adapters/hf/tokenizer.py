"""Tokenizer port over a ``transformers`` tokenizer.

Two choices differ from calling the wrapped tokenizer directly, both so that every adapter of
the port behaves alike: :meth:`HFTokenizer.encode` treats special-token text such as
``<|eos|>`` as plain text (special ids come only from :meth:`HFTokenizer.token_to_id`, so user
content cannot inject them), and a tokenizer without a pad token pads with eos.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kitchen.errors import ConfigError

__all__ = ["HFTokenizer", "load_tokenizer"]


class HFTokenizer:
    """Wraps a ``transformers`` tokenizer (``PreTrainedTokenizerBase``) into the Tokenizer port.

    Attributes:
        hf: The wrapped tokenizer, for what the port does not cover (saving, chat templates).
    """

    def __init__(self, tokenizer: Any, *, source: str = "") -> None:
        """Wrap ``tokenizer``.

        Args:
            tokenizer: A loaded ``transformers`` tokenizer.
            source: Where it came from, for error messages.

        Raises:
            ConfigError: the tokenizer has no eos token, which generation and renderers need.
        """
        self.hf = tokenizer
        if tokenizer.eos_token_id is None:
            raise ConfigError(
                f"model: the tokenizer of {source or 'this model'} has no eos token; set "
                "eos_token in its tokenizer_config.json"
            )
        # The vocabulary never changes after loading; get_vocab() rebuilds a dict on every call.
        self._vocab: dict[str, int] = dict(tokenizer.get_vocab())

    @property
    def vocab_size(self) -> int:
        """Base vocabulary plus added tokens (the embedding rows a model needs)."""
        return len(self.hf)

    @property
    def eos_token_id(self) -> int:
        return int(self.hf.eos_token_id)

    @property
    def pad_token_id(self) -> int:
        pad = self.hf.pad_token_id
        return self.eos_token_id if pad is None else int(pad)

    @property
    def bos_token_id(self) -> int | None:
        bos = self.hf.bos_token_id
        return None if bos is None else int(bos)

    def encode(self, text: str) -> list[int]:
        """Encode ``text`` without adding special tokens or parsing special-token text."""
        ids = self.hf(text, add_special_tokens=False, split_special_tokens=True)["input_ids"]
        return [int(i) for i in ids]

    def decode(self, ids: Sequence[int]) -> str:
        """Decode, skipping special tokens."""
        return str(self.hf.decode(list(ids), skip_special_tokens=True))

    def token_to_id(self, token: str) -> int | None:
        """The id of ``token`` (special or ordinary), or None when the vocabulary lacks it."""
        return self._vocab.get(token)

    def save(self, directory: Path) -> None:
        """Write the tokenizer files (and chat template) into ``directory``."""
        self.hf.save_pretrained(str(directory))


def load_tokenizer(path: Path | str) -> HFTokenizer:
    """Load the tokenizer of a local model folder.

    Args:
        path: A folder in ``from_pretrained`` layout.

    Returns:
        The wrapped tokenizer.

    Raises:
        ConfigError: the folder is missing or holds no loadable tokenizer.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise ConfigError(f"model: tokenizer folder {folder} does not exist")
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(str(folder))
    except (OSError, ValueError, KeyError) as error:
        # transformers reports a folder without tokenizer files as OSError/ValueError.
        raise ConfigError(f"model: no loadable tokenizer in {folder}: {error}") from error
    return HFTokenizer(tokenizer, source=str(folder))
