"""The shipped sentiment set: sizes, balance, unique texts, disjoint splits, reproducible."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kitchen.analysis.classifier import load_examples
from kitchen.data import DATA_DIR
from kitchen.data.make_sentiment import make_sentiment, write
from kitchen.errors import DataError


def test_splits_are_balanced_unique_and_disjoint() -> None:
    train = load_examples("kitchen/sentiment", "train")
    test = load_examples("kitchen/sentiment", "test")
    assert (len(train), len(test)) == (1600, 400)
    for split in (train, test):
        assert split.labels.count("positive") == split.labels.count("negative")
        assert len(set(split.texts)) == len(split.texts)
        assert len(set(split.ids)) == len(split.ids)
    assert not {t.lower() for t in train.texts} & {t.lower() for t in test.texts}
    assert load_examples("kitchen/sentiment", "test", limit=7).texts == test.texts[:7]


def test_the_generator_reproduces_the_shipped_files(tmp_path: Path) -> None:
    write(tmp_path)
    for split in ("train", "test"):
        name = f"sentiment_{split}.jsonl"
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes()
    assert make_sentiment(40, 10, seed=1) != make_sentiment(40, 10, seed=2)


def test_bad_files_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "fine", "label": "positive"}) + "\n" + '{"text": 3}\n')
    with pytest.raises(DataError, match=r"bad\.jsonl:2"):
        load_examples(str(bad))
    with pytest.raises(DataError, match="no labelled text file"):
        load_examples("kitchen/nonexistent")
