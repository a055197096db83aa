"""The addition env: rewards, problem generation and its held-out guarantees."""

from __future__ import annotations

import re

import pytest

from kitchen.envs import Problem, get_env
from kitchen.envs.arithmetic import ArithmeticGrader, digit_overlap, shipped_test_pairs
from kitchen.errors import ConfigError

PROBLEM = Problem("p", "What is 75 + 68?", "143")


@pytest.mark.parametrize(
    ("completion", "reward", "correct", "format_ok"),
    [
        ("143", 1.1, 1.0, 1.0),
        (" 143\n", 1.1, 1.0, 1.0),
        ("75+68=143", 1.0, 1.0, 0.0),  # right, but not the bare number
        ("142", 0.1, 0.0, 1.0),
        ("the answer", 0.0, 0.0, 0.0),
        ("", 0.0, 0.0, 0.0),
    ],
)
def test_exact_reward_and_format_bonus(
    completion: str, reward: float, correct: float, format_ok: float
) -> None:
    grade = ArithmeticGrader(format_weight=0.1)(completion, PROBLEM)
    assert grade.reward == pytest.approx(reward)
    assert grade.metrics["correct"] == correct
    assert grade.metrics["format"] == format_ok


def test_partial_credit_only_behind_its_flag() -> None:
    plain = ArithmeticGrader(format_weight=0.0)
    partial = ArithmeticGrader(partial_credit=True, format_weight=0.0)
    assert plain("133", PROBLEM).reward == 0.0
    assert partial("133", PROBLEM).reward == pytest.approx(0.5 * 2 / 3)
    assert partial("143", PROBLEM).reward == 1.0
    assert partial("nothing", PROBLEM).reward == 0.0


def test_digit_overlap() -> None:
    assert digit_overlap("143", "143") == 1.0
    assert digit_overlap("43", "143") == pytest.approx(2 / 3)
    assert digit_overlap("1143", "143") == pytest.approx(3 / 4)
    assert digit_overlap("", "143") == 0.0


def test_env_is_seeded_with_disjoint_splits_and_no_shipped_test_pairs() -> None:
    a = get_env("arithmetic", seed=3, n_train=500, n_test=50, group_size=4)
    b = get_env("arithmetic", seed=3, n_train=500, n_test=50, group_size=4)
    assert a.train == b.train and a.test == b.test
    assert a.train != get_env("arithmetic", seed=4, n_train=500, n_test=50).train
    assert (len(a.train), len(a.test), a.group_size) == (500, 50, 4)

    def pairs(problems: tuple[Problem, ...]) -> set[tuple[int, int]]:
        found = set()
        for p in problems:
            x, y = (int(n) for n in re.findall(r"\d+", p.question))
            assert x + y == int(p.answer)
            found.add((min(x, y), max(x, y)))
        return found

    train, test = pairs(a.train), pairs(a.test)
    assert len(train) == 500 and len(test) == 50  # no pair repeats
    assert not train & test
    assert not train & shipped_test_pairs()


def test_digit_counts_are_controllable_and_env_rewards_right_answers() -> None:
    problems = get_env("arithmetic", min_digits=3, max_digits=4, n_train=50, n_test=5)
    sizes = {len(p.answer) for p in problems.train}
    assert sizes <= {3, 4, 5} and max(sizes) >= 4
    builder = problems.get_batch(0, 1)[0]
    env = builder.make_envs()[0]
    assert env.step(builder.problem.answer).reward == pytest.approx(1.1)


def test_too_few_problems_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="distinct"):
        get_env("arithmetic", min_digits=1, max_digits=1, n_train=100, n_test=10)
    with pytest.raises(ConfigError, match="min_digits"):
        get_env("arithmetic", min_digits=3, max_digits=2)
