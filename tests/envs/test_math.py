"""The math env: boxed extraction, equivalence checking in a process pool, loaders, data."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from kitchen.data import shipped_path
from kitchen.envs import Problem, get_env
from kitchen.envs.math import MATH_TEMPLATE, MathGrader, extract_boxed, problem_from_row
from kitchen.envs.verify import AnswerChecker, fallback_equal, math_verify_available
from kitchen.errors import DataError

from ._verifiers import crashing_verifier, equal_verifier, raising_verifier, slow_verifier

needs_math_verify = pytest.mark.skipif(not math_verify_available(), reason="needs math-verify")


@pytest.fixture(scope="module")
def checker() -> Iterator[AnswerChecker]:
    """One math_verify pool for the module: process start-up is the slow part."""
    with AnswerChecker(timeout_s=10.0, workers=1) as shared:
        yield shared


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("so \\boxed{42}.", "42"),
        ("\\boxed{\\frac{1}{2}}", "\\frac{1}{2}"),
        ("\\boxed{\\frac{\\sqrt{3}}{2}}", "\\frac{\\sqrt{3}}{2}"),
        ("first \\boxed{1} then \\boxed{2}", "2"),  # the last box wins
        ("\\boxed{\\{1, 2\\}}", "\\{1, 2\\}"),  # escaped braces do not close the box
        ("\\boxed{2} and a truncated \\boxed{3", "2"),  # an unclosed box is skipped
        ("$\\boxed {7}$", "7"),
        ("\\boxed 5 apples", "5"),
        ("\\fbox{x+1}", "x+1"),
        ("\\boxed{ 12 }", "12"),
        ("no box here", None),
        ("\\boxed{", None),
        ("\\boxed{}", ""),
    ],
)
def test_extract_boxed(text: str, expected: str | None) -> None:
    assert extract_boxed(text) == expected


@needs_math_verify
@pytest.mark.parametrize(
    ("reference", "answer", "equal"),
    [
        ("\\frac{1}{2}", "0.5", True),
        ("1,000", "1000", True),
        ("1000", "1,000", True),
        ("72", "72.0", True),
        ("\\frac{\\sqrt{2}}{2}", "\\sqrt{2}/2", True),
        ("x+1", "1+x", True),
        ("3", "4", False),
        ("\\frac{1}{2}", "0.6", False),
    ],
)
def test_math_verify_equivalence(
    checker: AnswerChecker, reference: str, answer: str, equal: bool
) -> None:
    assert checker.check(reference, answer).correct is equal
    assert checker.check(reference, answer).status == "ok"


def test_timeout_counts_as_wrong_and_the_pool_recovers() -> None:
    with AnswerChecker(timeout_s=0.5, workers=1, verifier=slow_verifier) as slow:
        started = time.monotonic()
        assert slow.check("1", "1").status == "timeout"
        assert time.monotonic() - started < 10  # the hung worker was killed, not awaited
        slow.verifier = equal_verifier  # a fresh pool serves the next check
        assert slow.check("1", "1").correct


def test_crashes_and_errors_count_as_wrong() -> None:
    with AnswerChecker(timeout_s=10, workers=1, verifier=raising_verifier) as failing:
        assert failing.check("1", "1").status == "error"
        failing.verifier = crashing_verifier
        assert failing.check("1", "1").status == "error"
        failing.verifier = equal_verifier
        assert failing.check("1", "1").correct


def test_math_grader_metrics_for_timeouts() -> None:
    with AnswerChecker(timeout_s=0.5, workers=1, verifier=slow_verifier) as slow:
        grade = MathGrader(slow, format_weight=0.1)("\\boxed{3}", Problem("p", "q", "3"))
    assert grade.reward == pytest.approx(0.1)
    assert grade.metrics["verify_timeout"] == 1.0 and grade.metrics["correct"] == 0.0


def test_fallback_without_math_verify() -> None:
    plain = AnswerChecker(use_math_verify=False)
    check = plain.check("1,000", "1000")
    assert check.correct and check.status == "fallback"
    assert fallback_equal("\\frac{1}{2}", "0.5")
    assert fallback_equal("\\text{5}", "$5$")
    assert not fallback_equal("3", "4")
    grade = MathGrader(plain)("\\boxed{0.5}", Problem("p", "q", "\\frac{1}{2}"))
    assert grade.metrics["verify_fallback"] == 1.0 and grade.metrics["correct"] == 1.0


def test_math_grader_rewards(checker: AnswerChecker) -> None:
    grader, problem = MathGrader(checker, format_weight=0.1), Problem("p", "q", "18")
    assert grader("... so \\boxed{18}", problem).reward == pytest.approx(1.1)
    assert grader("\\boxed{17}", problem).reward == pytest.approx(0.1)
    no_box = grader("the answer is 18", problem)
    assert no_box.reward == 0.0 and no_box.metrics["format"] == 0.0


def test_gsm8k_and_math_rows_map_to_problems() -> None:
    gsm8k = {
        "question": "Natalia sold clips to 48 of her friends in April, and then she sold half as "
        "many clips in May. How many clips did Natalia sell altogether in April and May?",
        "answer": "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = "
        "<<48+24=72>>72 clips altogether in April and May.\n#### 72",
    }
    assert problem_from_row(gsm8k, 0).answer == "72"
    assert problem_from_row({**gsm8k, "answer": "x\n#### 1,000"}, 0).answer == "1000"
    competition = {
        "problem": "What is $\\frac{1}{2}+\\frac{1}{3}$?",
        "level": "Level 1",
        "type": "Prealgebra",
        "solution": "We get $\\frac{3}{6}+\\frac{2}{6}=\\boxed{\\frac{5}{6}}$.",
    }
    assert problem_from_row(competition, 4, prefix="m") == Problem(
        "m-00004", competition["problem"], "\\frac{5}{6}"
    )
    math500 = {"problem": "p", "solution": "s", "answer": "\\pi", "unique_id": "test/x/1.json"}
    assert problem_from_row(math500, 0) == Problem("test/x/1.json", "p", "\\pi")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"question": "q", "answer": "no final line"}, "row 7: field 'answer' has no '####"),
        ({"problem": "p", "solution": "no box"}, "row 7: field 'solution' has no \\\\boxed"),
        ({"text": "?"}, "row 7: expected GSM8K fields.*the row has: text"),
        ({"question": "q", "answer": None}, "row 7: field 'answer' must be text"),
    ],
)
def test_bad_math_rows_name_row_and_field(row: dict[str, object], message: str) -> None:
    with pytest.raises(DataError, match=message):
        problem_from_row(row, 7)


def test_shipped_math_files_are_gsm8k_shaped() -> None:
    for split, size in (("train", 200), ("test", 50)):
        path = shipped_path(f"math_{split}.jsonl")
        assert path.stat().st_size < 1_000_000
        rows = [json.loads(line) for line in path.read_text().splitlines()]
        assert len(rows) == size
        assert all(set(r) == {"id", "question", "answer"} for r in rows)
        assert all(r["answer"].splitlines()[-1].startswith("#### ") for r in rows)
    problems = get_env("math", seed=1)
    assert (len(problems.train), len(problems.test)) == (200, 50)
    assert not {p.question for p in problems.train} & {p.question for p in problems.test}
    env = problems.get_batch(0, 1)[0].make_envs()[0]
    question = env.initial_observation()[0].content
    assert question.endswith("\\boxed{}.") and question.startswith(
        problems.get_batch(0, 1)[0].problem.question
    )
    assert MATH_TEMPLATE.count("{question}") == 1


def test_math_env_limits_and_local_files(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "mine.jsonl"  # type: ignore[operator]
    path.write_text(json.dumps({"problem": "1+1?", "solution": "\\boxed{2}"}) + "\n")
    problems = get_env("math", source=str(path), test_split="", group_size=2)
    assert problems.train == (Problem("mine-00000", "1+1?", "2"),) and problems.test == ()
    assert len(get_env("math", n_train=10, n_test=5).train) == 10
