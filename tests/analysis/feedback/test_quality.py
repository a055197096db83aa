"""Quality flags: empty, refusal, repetition, too short, too long — and fluent text unflagged."""

from __future__ import annotations

import pytest

from kitchen.analysis.feedback import QualityConfig, quality_flags, repeated_ngram_share

FINE = "The capital of France is Paris, a city on the Seine with many museums and parks."


@pytest.mark.parametrize(
    ("output", "flags"),
    [
        ("", ["empty"]),
        (" \n\t", ["empty"]),
        ("ok", ["too_short"]),
        ("I'm sorry, but I can't help with that.", ["refusal"]),
        ("I cannot assist with this request.", ["refusal"]),
        ("As an AI language model, I cannot browse the web.", ["refusal"]),
        ("I must decline to answer.", ["refusal"]),
        ("The answer is 4. " * 10, ["repetition"]),
        ("same line\nsame line\nsame line\nsame line", ["repetition"]),
        ("x" * 4001, ["too_long"]),
        (FINE, []),
        ("I can't believe how good Paris is in spring!", []),
        ("I cannot help but notice the sky is blue today.", []),
        ("Yes.", []),
    ],
)
def test_flags(output: str, flags: list[str]) -> None:
    assert quality_flags(output) == flags


def test_a_refusal_quoted_late_in_a_long_answer_is_not_one() -> None:
    answer = FINE * 5 + " A bot might say: I'm sorry, but I can't help with that."
    assert "refusal" not in quality_flags(answer)


def test_thresholds_are_configurable() -> None:
    config = QualityConfig(min_chars=20, max_chars=50)
    assert quality_flags("Paris.", config) == ["too_short"]
    assert quality_flags(FINE, config) == ["too_long"]
    assert quality_flags(FINE, QualityConfig(max_repeated_share=0.0, min_words=2)) == []
    looping = "a b c a b c a b c"
    assert repeated_ngram_share(looping) == pytest.approx(1 - 3 / 7)
    assert "repetition" in quality_flags(looping, QualityConfig(min_words=5))
    assert "repetition" not in quality_flags(looping)  # 9 words: under the default minimum
