"""Generate the shipped arithmetic set: two-digit additions as chat examples.

The files ``arithmetic_train.jsonl`` and ``arithmetic_test.jsonl`` are produced by
:func:`make_arithmetic` with its defaults and shipped beside this module, so nothing downloads at
run time. Regenerate them with ``python -m kitchen.data.make_arithmetic``; the output is
byte-for-byte deterministic.

The held-out test set is made of unordered pairs: when ``23+58`` is a test question, neither
``23+58`` nor ``58+23`` appears in training, so exact match on the test set measures whether the
model learned to add rather than to recall.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

# A few phrasings so the model learns the operation, not one string; kept few because every extra
# phrasing costs training steps on the tiny CPU model.
PHRASINGS: tuple[str, ...] = (
    "What is {a}+{b}?",
    "What is {a} + {b}?",
    "Compute {a}+{b}.",
    "Add {a} and {b}.",
)

Record = dict[str, Any]


def _record(split: str, index: int, a: int, b: int, phrasing: str) -> Record:
    return {
        "id": f"arithmetic-{split}-{index:05d}",
        "messages": [
            {"role": "user", "content": phrasing.format(a=a, b=b)},
            {"role": "assistant", "content": str(a + b)},
        ],
    }


def make_arithmetic(
    *, n_train: int = 4000, n_test: int = 200, seed: int = 1234
) -> tuple[list[Record], list[Record]]:
    """Build the train and test records of two-digit additions.

    Args:
        n_train: Number of training examples (ordered pairs, each with a random phrasing).
        n_test: Number of held-out test examples.
        seed: Seed of the private random generator; the same arguments give the same records.

    Returns:
        ``(train, test)`` lists of ``{"id", "messages"}`` records. No unordered pair of operands
        in ``test`` appears, in either order, in ``train``.

    Raises:
        ValueError: when more examples are asked for than there are distinct pairs.
    """
    rng = random.Random(seed)
    unordered = [(a, b) for a in range(10, 100) for b in range(a, 100)]
    rng.shuffle(unordered)
    held_out, pool = unordered[:n_test], unordered[n_test:]
    # Both orders of every remaining unordered pair may be trained on.
    ordered = sorted(set(pool) | {(b, a) for a, b in pool})
    if n_test >= len(unordered) or n_train > len(ordered):
        raise ValueError(f"asked for {n_train} train / {n_test} test; too few distinct pairs")
    rng.shuffle(ordered)
    train = [
        _record("train", i, a, b, rng.choice(PHRASINGS))
        for i, (a, b) in enumerate(ordered[:n_train])
    ]
    test = []
    for i, (a, b) in enumerate(held_out):
        if rng.random() < 0.5:
            a, b = b, a
        test.append(_record("test", i, a, b, rng.choice(PHRASINGS)))
    return train, test


def write_jsonl(records: list[Record], path: Path) -> None:
    """Write one compact JSON object per line (UTF-8, ``\\n`` line ends)."""
    lines = (json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def write_arithmetic(directory: Path | None = None) -> tuple[Path, Path]:
    """Write ``arithmetic_train.jsonl`` and ``arithmetic_test.jsonl`` into ``directory``.

    Args:
        directory: Where to write; defaults to the folder of this module (the shipped copy).

    Returns:
        The paths of the train and test files.
    """
    directory = directory or Path(__file__).parent
    train, test = make_arithmetic()
    train_path = directory / "arithmetic_train.jsonl"
    test_path = directory / "arithmetic_test.jsonl"
    write_jsonl(train, train_path)
    write_jsonl(test, test_path)
    return train_path, test_path


if __name__ == "__main__":
    for written in write_arithmetic():
        print(written)
