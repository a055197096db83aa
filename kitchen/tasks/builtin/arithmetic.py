"""Arithmetic: the shipped additions the tiny default model is trained on, by exact match.

``kitchen/data/arithmetic_test.jsonl`` holds 200 held-out chat rows ("What is 76 + 96?" →
"172") in the phrasings of ``arithmetic_train.jsonl``; a tiny model trained on the train
file scores well here, which makes this the smoke test of the whole train → eval loop.
"""

from __future__ import annotations

from kitchen.adapters.hf._records import parse_messages, read_local
from kitchen.data import DATA_DIR
from kitchen.errors import ConfigError, DataError
from kitchen.scorers import get_scorer
from kitchen.tasks._types import GenerateConfig, Sample
from kitchen.tasks.registry import register_task
from kitchen.tasks.task import Task
from kitchen.types import Example

__all__ = ["arithmetic"]

_FILE = "arithmetic_test.jsonl"


@register_task("arithmetic", source=f"shipped kitchen/data/{_FILE}")
def arithmetic(*, max_new_tokens: int = 16, split: str = "test") -> Task:
    """Additions in several phrasings, scored by exact match of the sum.

    Args:
        max_new_tokens: Generation budget (answers are a few digits).
        split: ``test`` (200 held-out rows) or ``train`` (what the tiny model learns from).
    """
    if split not in ("test", "train"):
        raise ConfigError(f"split: arithmetic ships test and train, not {split!r}")
    name = f"arithmetic_{split}.jsonl"
    table = read_local(DATA_DIR / name)
    samples = []
    for i, row in enumerate(table.rows):
        at = f"{table.origin}: {table.where(i)}"
        example = Example(parse_messages(row.get("messages") or [], "messages", at))
        if not example.target:
            raise DataError(f"{at}: the conversation has no assistant answer")
        samples.append(Sample(str(row.get("id") or i), example.prompt_messages, example.target))
    return Task(
        name="arithmetic",
        dataset=samples,
        scorer=get_scorer("exact_match"),
        config=GenerateConfig(max_new_tokens=max_new_tokens),
        description="Addition questions, exact match",
        source=f"shipped kitchen/data/{name}",
    )
