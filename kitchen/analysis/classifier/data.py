"""Labelled text examples from JSON Lines: the shipped sentiment set or a user's file.

The shipped set ``kitchen/sentiment`` has three splits: ``train`` (1,600) and ``test`` (400),
generated from templates by :mod:`kitchen.data.make_sentiment`, and ``challenge`` (240
hand-written reviews, 120 per label, each with a ``kind`` naming the phenomenon it tests:
``plain``, ``negation``, ``contrast``, ``implicit``, ``sarcasm``, ``idiom``, ``comparative``,
``domain_shift``), which the templates do not cover.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from kitchen.errors import DataError

SHIPPED_PREFIX = "kitchen/"
CHALLENGE_SPLIT = "challenge"
"""The split of hand-written reviews by phenomenon (``kitchen/sentiment`` ships one)."""


@dataclass(frozen=True, slots=True)
class Examples:
    """Parallel lists of ids, texts and labels, and of kinds when the file names them.

    ``kinds`` holds each row's ``kind`` (``""`` where a row has none) when at least one row of
    the file has one, as the challenge split does; otherwise it is empty.
    """

    ids: list[str]
    texts: list[str]
    labels: list[str]
    kinds: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)

    def head(self, n: int) -> Examples:
        """The first ``n`` examples (all when ``n`` is 0)."""
        if not n:
            return self
        return Examples(self.ids[:n], self.texts[:n], self.labels[:n], self.kinds[:n])


def resolve_data(source: str, split: str) -> Path:
    """``kitchen/sentiment`` → the shipped ``sentiment_<split>.jsonl``; else a file path.

    ``split`` is ``train``, ``test`` or (``kitchen/sentiment`` only) ``challenge``.

    Raises:
        DataError: the file does not exist.
    """
    if source.startswith(SHIPPED_PREFIX):
        from kitchen.data import DATA_DIR

        path = DATA_DIR / f"{source.removeprefix(SHIPPED_PREFIX)}_{split}.jsonl"
    else:
        path = Path(source).expanduser()
    if not path.is_file():
        raise DataError(f"no labelled text file {path} (for {source!r}, split {split!r})")
    return path


def has_split(source: str, split: str) -> bool:
    """Whether ``source`` is a shipped set (``kitchen/NAME``) that ships ``split``."""
    if not source.startswith(SHIPPED_PREFIX):
        return False
    from kitchen.data import DATA_DIR

    return (DATA_DIR / f"{source.removeprefix(SHIPPED_PREFIX)}_{split}.jsonl").is_file()


def load_examples(source: str, split: str = "train", *, limit: int = 0) -> Examples:
    """Read ``{"id"?, "text", "label", "kind"?}`` rows.

    Args:
        source: ``kitchen/sentiment`` (shipped; ``split`` picks the file) or a ``.jsonl`` path.
        split: ``train`` or ``test`` for a shipped set; ``challenge`` for the hand-written
            reviews of ``kitchen/sentiment`` (their kinds fill ``Examples.kinds``).
        limit: The first N rows (0: all).

    Raises:
        DataError: a missing file, a malformed row or a row without text or label.
    """
    path = resolve_data(source, split)
    ids: list[str] = []
    texts: list[str] = []
    labels: list[str] = []
    kinds: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text, label = row["text"], row["label"]
            except (json.JSONDecodeError, KeyError, TypeError) as error:
                raise DataError(
                    f"{path}:{number}: need a JSON object with text and label ({error})"
                ) from None
            if not isinstance(text, str) or not text.strip():
                raise DataError(f"{path}:{number}: text must be a non-empty string")
            ids.append(str(row.get("id", number)))
            texts.append(text)
            labels.append(str(label))
            kinds.append(str(row.get("kind", "")))
            if limit and len(texts) >= limit:
                break
    if not texts:
        raise DataError(f"{path}: no examples")
    return Examples(ids, texts, labels, kinds if any(kinds) else [])
