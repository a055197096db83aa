"""The hand-written sentiment challenge split: size, balance, kinds, no overlap with the
template-generated splits, and loaded (kinds included) by the classifier's own loader."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from kitchen.analysis.classifier import CHALLENGE_SPLIT, has_split, load_examples
from kitchen.data import DATA_DIR

KINDS = {
    "plain",
    "negation",
    "contrast",
    "implicit",
    "sarcasm",
    "idiom",
    "comparative",
    "domain_shift",
}


def test_the_challenge_split_is_balanced_unique_and_covers_every_kind() -> None:
    challenge = load_examples("kitchen/sentiment", CHALLENGE_SPLIT)
    assert len(challenge) == 240
    assert challenge.ids == [f"challenge-{i:04d}" for i in range(240)]
    assert len({t.strip().lower() for t in challenge.texts}) == 240
    assert Counter(challenge.labels) == {"positive": 120, "negative": 120}
    assert len(challenge.kinds) == 240 and set(challenge.kinds) == KINDS
    for kind, n in Counter(challenge.kinds).items():
        assert n >= 20, kind
        labels = Counter(
            lab for lab, k in zip(challenge.labels, challenge.kinds, strict=True) if k == kind
        )
        assert labels["positive"] == labels["negative"], kind
    assert load_examples("kitchen/sentiment", "challenge", limit=5).kinds == challenge.kinds[:5]
    assert challenge.head(3).kinds == challenge.kinds[:3]


def test_the_challenge_split_shares_no_text_with_train_or_test() -> None:
    challenge = load_examples("kitchen/sentiment", CHALLENGE_SPLIT)
    shipped = {
        text.strip().lower()
        for split in ("train", "test")
        for text in load_examples("kitchen/sentiment", split).texts
    }
    assert not {t.strip().lower() for t in challenge.texts} & shipped
    # The generated splits carry no kinds; only the challenge file names them.
    assert load_examples("kitchen/sentiment", "test").kinds == []


def test_every_row_is_a_complete_json_object() -> None:
    lines = (DATA_DIR / "sentiment_challenge.jsonl").read_text(encoding="utf-8").splitlines()
    for line in lines:
        row = json.loads(line)
        assert set(row) == {"id", "text", "label", "kind"}
        assert row["label"] in {"positive", "negative"} and row["text"] == row["text"].strip()


def test_has_split_names_only_shipped_splits() -> None:
    assert has_split("kitchen/sentiment", CHALLENGE_SPLIT)
    assert not has_split("kitchen/arithmetic", CHALLENGE_SPLIT)
    assert not has_split(str(DATA_DIR / "sentiment_challenge.jsonl"), CHALLENGE_SPLIT)


def test_evaluate_reports_accuracy_per_kind(trained: tuple[object, object]) -> None:
    from kitchen.analysis.classifier import evaluate

    clf, _ = trained
    challenge = load_examples("kitchen/sentiment", CHALLENGE_SPLIT)
    scores = evaluate(clf, challenge.texts, challenge.labels, groups=challenge.kinds)  # type: ignore[arg-type]
    assert scores["n"] == 240 and 0 <= scores["accuracy"] <= 1
    assert sum(scores[f"{kind}/n"] for kind in KINDS) == 240
    assert all(0 <= scores[f"{kind}/accuracy"] <= 1 for kind in KINDS)
    weighted = sum(scores[f"{k}/accuracy"] * scores[f"{k}/n"] for k in KINDS) / 240
    assert weighted == pytest.approx(scores["accuracy"])
