"""Text and answer-extracting scorers on hand-written cases."""

from __future__ import annotations

import pytest

from kitchen.envs.verify import math_verify_available
from kitchen.scorers import extract_choice, extract_number, get_scorer, normalize_text, token_f1


def test_normalize_text_is_squad_plus_unicode_punctuation() -> None:
    assert normalize_text("The  Cat!") == "cat"
    assert normalize_text("an apple, a pear") == "apple pear"
    assert normalize_text("«Zürich»") == "zürich"
    assert normalize_text("Theater") == "theater"  # "the" only as a word
    assert normalize_text("") == ""


def test_exact_match() -> None:
    em = get_scorer("exact_match")
    assert em("  The Eiffel Tower. ", "eiffel tower").value == 1.0
    assert em("Paris", ["London", "paris"]).value == 1.0
    assert em("Paris", "Pariss").value == 0.0
    assert em("東京", "東京。").value == 1.0
    assert get_scorer("exact_match", normalize=False)("Paris", "paris").value == 0.0


def test_includes() -> None:
    inc = get_scorer("includes")
    assert inc("I think it is Paris, France.", "paris").value == 1.0
    assert inc("Parisian food", "paris").value == 0.0  # whole words when normalised
    assert inc("anything", "").value == 0.0
    assert get_scorer("includes", normalize=False)("Parisian", "paris").value == 1.0


def test_regex() -> None:
    scorer = get_scorer("regex", pattern=r"ANSWER:\s*(\w+)", group=1)
    assert scorer("ANSWER: no\nANSWER: Yes", "yes").value == 1.0
    assert scorer("nothing", "yes").value == 0.0
    with pytest.raises(Exception):  # noqa: B017 - re.error
        get_scorer("regex", pattern="(")


def test_f1() -> None:
    assert token_f1("the cat sat", "cat sat down") == pytest.approx(0.8)
    assert token_f1("", "") == 1.0
    assert token_f1("x", "") == 0.0
    assert get_scorer("f1")("blue whale", ["red fox", "a blue whale"]).value == 1.0


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The answer is 42.", 42.0),
        ("from 3 to -3.5", -3.5),
        ("It costs $1,000.", 1000.0),
        ("1,234,567.89 total", 1234567.89),
        ("half: 1/2", 0.5),
        ("about 1e-3", 0.001),
        ("50%", 50.0),
        ("x = −7", -7.0),
        ("no number", None),
        ("abc123", None),
    ],
)
def test_extract_number(text: str, value: float | None) -> None:
    assert extract_number(text) == value


def test_numeric() -> None:
    assert get_scorer("numeric")("so 3.0", "3").value == 1.0
    assert get_scorer("numeric")("so 3.01", "3").value == 0.0
    assert get_scorer("numeric", tolerance=0.05)("so 3.01", "3").value == 1.0
    assert get_scorer("numeric", relative=0.01)("1005", "1,000").value == 1.0
    assert get_scorer("numeric")("none", "3").value == 0.0
    with pytest.raises(ValueError):
        get_scorer("numeric", tolerance=-1)


@pytest.mark.parametrize(
    ("text", "letter"),
    [
        ("The answer is (B)", "B"),
        ("answer: **C**", "C"),
        ("B.", "B"),
        ("**D**", "D"),
        ("(A)", "A"),
        ("C) twelve", "C"),
        ("I considered (A) but the correct one is (C)", "C"),
        ("a cat sat", None),
        ("", None),
    ],
)
def test_extract_choice(text: str, letter: str | None) -> None:
    assert extract_choice(text) == letter


def test_choice() -> None:
    scorer = get_scorer("choice")
    assert scorer("The answer is (B).", "B").value == 1.0
    assert scorer("Answer: A", "B").value == 0.0
    assert scorer("no idea", "B").value == 0.0


@pytest.mark.skipif(not math_verify_available(), reason="math-verify is not installed")
def test_math_verify() -> None:
    scorer = get_scorer("math_verify")
    good = scorer("so the result is \\boxed{\\frac{1}{2}}", "0.5")
    assert good.value == 1.0
    assert good.metadata["status"] == "ok"
    assert scorer("\\boxed{3}", "\\boxed{4}").value == 0.0
    assert scorer("the answer is 1,000", "1000").value == 1.0
    assert scorer("no answer", "1").value == 0.0
