"""The classifier attack runner on a hand-built classifier whose answers are known exactly."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pytest

from kitchen.analysis.adversary import (
    Perturbation,
    RobustnessReport,
    attack_classifier,
    make_attack,
)
from kitchen.errors import ConfigError


class KeywordClassifier:
    """Positive (0.9) when the text has the word ``good``, else negative (0.9)."""

    labels = ("negative", "positive")

    def __init__(self) -> None:
        self.calls: list[int] = []

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        good = np.array(["good" in t.split() for t in texts])
        return np.where(good[:, None], [[0.1, 0.9]], [[0.9, 0.1]])


@dataclass(frozen=True, slots=True)
class BreakOnTry(Perturbation):
    """Replaces ``good`` by ``gone`` in texts marked ``#tN`` from try N on (the runner's
    seed for try t is ``"{seed}:{t}"``); leaves every other text as it is."""

    name = "break_on_try"
    family = "word"

    def __call__(self, text: str, *, seed: int | str = 0) -> str:
        attempt = int(str(seed).rsplit(":", 1)[1])
        mark = re.search(r"#t(\d)", text)
        if mark and int(mark.group(1)) <= attempt:
            return text.replace("good", "gone")
        return text

    def apply(self, text: str, rng: random.Random) -> str:  # pragma: no cover - __call__ above
        raise AssertionError


TEXTS = [
    "good one #t0",  # positive, correct; broken at try 0
    "good two #t0",  # positive, correct; broken at try 0
    "good three",  # positive, correct; never broken
    "good four",  # positive, correct
    "bad five",  # negative, correct
    "bad six #t0",  # negative, correct; nothing to break
    "plain seven",  # positive, wrong when clean
    "good eight #t0",  # negative, wrong when clean; the attack makes it right
]
LABELS = ["positive"] * 4 + ["negative"] * 2 + ["positive", "negative"]


def test_metrics_are_exact_on_a_known_classifier() -> None:
    clf = KeywordClassifier()
    report = attack_classifier(
        clf, TEXTS, LABELS, [BreakOnTry()], severities=(0.1, 0.2), seed=7, batch_size=3
    )
    assert report.clean_accuracy == 0.75
    assert report.clean_queries == 8
    result = report.attack("break_on_try")
    assert [level.severity for level in result.levels] == [0.1, 0.2]
    for level in result.levels:
        assert level.originally_correct == 6
        assert level.flipped == 2
        assert level.success_rate == pytest.approx(2 / 6)
        assert level.queries_per_example == 1.0
        assert level.variants == 8
        # Three predictions change (0, 1 and 7): 5 of 8 variants agree with the clean ones.
        assert level.consistency == pytest.approx(5 / 8)
        # Still right: 2, 3, 4, 5 and 7 (made right) → 5 of 8.
        assert level.accuracy == pytest.approx(0.625)
        assert level.accuracy_drop == pytest.approx(0.125)
        assert level.drop_severity == "high"  # 0.125 / 0.75 = 16.7 % relative
        assert level.mean_confidence_drop == pytest.approx(2 * 0.8 / 8)
    # 8 clean + 2 levels × 8 variants, scored three at a time.
    assert sum(clf.calls) == 24 and max(clf.calls) == 3
    worst = result.worst
    assert [w.id for w in worst] == ["0", "1"]
    assert worst[0].perturbed == "gone one #t0"
    assert (worst[0].clean_prediction, worst[0].attacked_prediction) == ("positive", "negative")
    assert worst[0].clean_proba == (0.1, 0.9) and worst[0].attacked_proba == (0.9, 0.1)
    assert worst[0].confidence_drop == pytest.approx(0.8)


def test_tries_stop_once_an_example_is_broken() -> None:
    texts = ["good a #t0", "good b #t2", "good c", "bad d"]
    labels = ["positive", "positive", "positive", "negative"]
    report = attack_classifier(
        KeywordClassifier(), texts, labels, [BreakOnTry()], severities=(0.1,), tries=3
    )
    level = report.attack("break_on_try").strongest
    # Try 0 scores 4 variants and breaks a; tries 1 and 2 score the other 3 and break b last.
    assert level.variants == 10
    assert level.queries_per_example == 2.5
    assert level.success_rate == 0.5
    assert level.consistency == pytest.approx(8 / 10)
    assert level.accuracy == 0.5


def test_template_attacks_run_once_and_edits_sweep() -> None:
    texts = [f"good stuff number {i} here and there" for i in range(40)]
    labels = ["positive"] * 40
    report = attack_classifier(
        KeywordClassifier(),
        texts,
        labels,
        [make_attack("prompt_injection"), make_attack("word_deletion")],
        severities=(0.3, 0.6),
    )
    assert [lv.severity for lv in report.attack("prompt_injection").levels] == [1.0]
    assert [lv.severity for lv in report.attack("word_deletion").levels] == [0.3, 0.6]
    # Each deleted word is "good" with probability 1/7: more deletions, more broken texts.
    drops = [lv.accuracy_drop for lv in report.attack("word_deletion").levels]
    assert 0 < drops[0] < drops[1]


def test_report_is_json_and_round_trips() -> None:
    report = attack_classifier(
        KeywordClassifier(), TEXTS, LABELS, [BreakOnTry(), make_attack("homoglyph")], seed=3
    )
    data = report.to_dict()
    text = json.dumps(data, allow_nan=False)
    assert RobustnessReport.from_dict(json.loads(text)) == report
    summary = report.summary()
    assert summary["attacks"]["break_on_try"]["success_rate"] == pytest.approx(2 / 6)
    assert set(summary["attacks"]["homoglyph"]["drop_by_severity"]) == {"0.05", "0.1", "0.2"}
    params = report.params()
    assert params["seed"] == 3 and params["attacks"][1] == {
        "type": "homoglyph",
        "rate": 0.1,
        "charset": "cyrillic",
    }


def test_same_seed_same_report_and_seeds_differ() -> None:
    texts = [f"good {'word ' * 8}{i}" for i in range(20)]
    labels = ["positive"] * 20
    attacks = [make_attack("word_deletion")]
    one = attack_classifier(KeywordClassifier(), texts, labels, attacks, seed=1)
    assert attack_classifier(KeywordClassifier(), texts, labels, attacks, seed=1) == one
    two = attack_classifier(KeywordClassifier(), texts, labels, attacks, seed=2)
    assert one.attack("word_deletion").worst != two.attack("word_deletion").worst


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ConfigError, match="one label each"):
        attack_classifier(KeywordClassifier(), ["a"], [], [BreakOnTry()])
    with pytest.raises(ConfigError, match="not one of the classifier"):
        attack_classifier(KeywordClassifier(), ["a"], ["neutral"], [BreakOnTry()])
    with pytest.raises(ConfigError, match="tries >= 1"):
        attack_classifier(KeywordClassifier(), ["a"], [0], [BreakOnTry()], tries=0)
