"""Data shipped inside the package, so every default workflow runs offline.

A shipped data set ``<name>`` is a pair of chat-shaped JSON Lines files beside this module,
``<name>_train.jsonl`` and (optionally) ``<name>_test.jsonl``, addressed in recipes as
``kitchen/<name>``. Other files (such as ``tokenizer_corpus.txt``) are reached by
:func:`shipped_path`.
"""

from __future__ import annotations

from pathlib import Path

from kitchen.errors import DataError

DATA_DIR = Path(__file__).parent
"""The folder holding the shipped files."""

TOKENIZER_CORPUS = "tokenizer_corpus.txt"
"""The file name of the text the tiny tokenizer is trained on (with the arithmetic prompts)."""


def shipped_datasets() -> tuple[str, ...]:
    """Names of the shipped data sets, sorted: every ``<name>_train.jsonl`` beside this module."""
    return tuple(sorted(p.name[: -len("_train.jsonl")] for p in DATA_DIR.glob("*_train.jsonl")))


SHIPPED_DATASETS: tuple[str, ...] = shipped_datasets()
"""The shipped data set names at import time (``kitchen/<name>`` in a recipe)."""


def shipped_path(name: str) -> Path:
    """Return the path of a shipped file.

    Args:
        name: A file name beside this module, such as ``"arithmetic_train.jsonl"``.

    Returns:
        The absolute path of the file.

    Raises:
        DataError: when no such file ships (the message lists what does).
    """
    path = DATA_DIR / name
    # A bare file name only: a shipped name must never reach outside the package folder.
    if Path(name).name != name or not path.is_file():
        available = ", ".join(
            sorted(p.name for p in DATA_DIR.iterdir() if p.is_file() and p.suffix != ".py")
        )
        raise DataError(
            f"no shipped data file {name!r} in {DATA_DIR}; available: {available}",
            title="Unknown shipped file",
        )
    return path


__all__ = ["DATA_DIR", "SHIPPED_DATASETS", "TOKENIZER_CORPUS", "shipped_datasets", "shipped_path"]
