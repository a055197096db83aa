"""Addition env: the task the tiny model learns from ``kitchen/arithmetic``, as RL problems.

Questions use the phrasings of the shipped arithmetic set and the answer is the bare sum, as in
its assistant turns. Problems come from a seeded generator with controllable operand digit
counts. No unordered operand pair appears twice, none is shared between train and test, and no
pair of the shipped ``arithmetic_test.jsonl`` is trained on, so evaluating on that file after RL
stays a held-out measurement.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from functools import partial

from kitchen.data import shipped_path
from kitchen.data.make_arithmetic import PHRASINGS
from kitchen.envs.base import Env, Grade, Problem, ProblemEnv, ProblemSet
from kitchen.errors import ConfigError

__all__ = ["ArithmeticGrader", "digit_overlap", "make_addition_problems", "make_arithmetic_env"]

_INT = re.compile(r"-?\d+")
_OPERANDS = re.compile(r"(\d+)\s*\+\s*(\d+)|Add (\d+) and (\d+)")
PARTIAL_SCALE = 0.5
"""The most partial credit a wrong answer can earn, so it never rivals an exact one."""


def digit_overlap(predicted: str, answer: str) -> float:
    """Share of digit positions, aligned from the right, where ``predicted`` equals ``answer``.

    Divided by the longer length, so extra or missing digits cost: ``("143", "143")`` is 1.0,
    ``("133", "143")`` is 2/3 and ``("43", "143")`` is 2/3.
    """
    a, b = predicted.lstrip("-"), answer.lstrip("-")
    if not a or not b:
        return 0.0
    same = sum(x == y for x, y in zip(reversed(a), reversed(b), strict=False))
    return same / max(len(a), len(b))


@dataclass(frozen=True, slots=True)
class ArithmeticGrader:
    """Reward for a sum: exact answer, optional partial credit, a small format bonus.

    ``reward = correctness + format_weight * format`` where correctness is 1.0 for the exact
    number (the last integer in the completion), else ``0.5 * digit_overlap`` with
    ``partial_credit`` and 0 without; ``format`` is 1 when the completion is a bare integer.

    Attributes:
        partial_credit: Give wrong answers credit for the digits they got right.
        format_weight: The bonus for answering with the bare number.
    """

    partial_credit: bool = False
    format_weight: float = 0.1

    def __call__(self, completion: str, problem: Problem) -> Grade:
        """Grade ``completion`` against ``problem.answer``."""
        text = completion.strip()
        numbers = _INT.findall(text)
        predicted = numbers[-1] if numbers else ""
        correct = bool(predicted) and int(predicted) == int(problem.answer)
        overlap = 1.0 if correct else digit_overlap(predicted, problem.answer)
        formatted = _INT.fullmatch(text) is not None
        partial = PARTIAL_SCALE * overlap if self.partial_credit else 0.0
        score = 1.0 if correct else partial
        return Grade(
            reward=score + self.format_weight * formatted,
            metrics={
                "correct": float(correct),
                "format": float(formatted),
                "parsed": float(bool(predicted)),
                "digit_overlap": overlap,
            },
        )


def make_addition_problems(
    n: int,
    *,
    min_digits: int,
    max_digits: int,
    rng: random.Random,
    split: str,
    exclude: set[tuple[int, int]] | None = None,
) -> list[Problem]:
    """Draw ``n`` additions with distinct unordered operand pairs.

    Args:
        n: How many problems.
        min_digits: Fewest digits of an operand (1 allows 0-9).
        max_digits: Most digits of an operand; each operand's count is drawn uniformly.
        rng: The random generator (its state advances).
        split: Names the problems' ids, ``arithmetic-<split>-<i>``.
        exclude: Unordered pairs ``(small, large)`` not to draw; the drawn ones are added to it.

    Raises:
        ConfigError: there are too few distinct pairs for ``n``.
    """
    taken = exclude if exclude is not None else set()
    problems: list[Problem] = []
    attempts = 0
    while len(problems) < n:
        attempts += 1
        if attempts > 50 * n + 1000:
            raise ConfigError(
                f"env 'arithmetic': found only {len(problems)} of {n} distinct {split} problems "
                f"with {min_digits}-{max_digits} digit operands; lower n_{split} or allow more "
                "digits"
            )
        a = _operand(rng, rng.randint(min_digits, max_digits))
        b = _operand(rng, rng.randint(min_digits, max_digits))
        key = (min(a, b), max(a, b))
        if key in taken:
            continue
        taken.add(key)
        question = rng.choice(PHRASINGS).format(a=a, b=b)
        problems.append(Problem(f"arithmetic-{split}-{len(problems):05d}", question, str(a + b)))
    return problems


def _operand(rng: random.Random, digits: int) -> int:
    low = 0 if digits == 1 else 10 ** (digits - 1)
    return rng.randint(low, 10**digits - 1)


def shipped_test_pairs() -> set[tuple[int, int]]:
    """The unordered operand pairs of the shipped ``arithmetic_test.jsonl``."""
    pairs = set()
    for line in shipped_path("arithmetic_test.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            question = json.loads(line)["messages"][0]["content"]
            match = _OPERANDS.search(question)
            if match:
                a, b = (int(g) for g in match.groups() if g is not None)
                pairs.add((min(a, b), max(a, b)))
    return pairs


def make_arithmetic_env(
    *,
    min_digits: int = 2,
    max_digits: int = 2,
    n_train: int = 2000,
    n_test: int = 200,
    seed: int = 0,
    group_size: int = 8,
    partial_credit: bool = False,
    format_weight: float = 0.1,
) -> ProblemSet:
    """The addition task as a problem set (registered as ``"arithmetic"``).

    Args:
        min_digits: Fewest digits of an operand.
        max_digits: Most digits of an operand.
        n_train: Training problems.
        n_test: Held-out problems.
        seed: Seeds the problems and the order of training batches.
        group_size: Rollouts per problem (GRPO group size).
        partial_credit: Credit wrong sums for their right digits (see :class:`ArithmeticGrader`).
        format_weight: Bonus for a bare-number answer.

    Raises:
        ConfigError: an option is out of range or too few distinct problems exist.
    """
    if not 1 <= min_digits <= max_digits:
        raise ConfigError(
            f"env 'arithmetic': need 1 <= min_digits <= max_digits, got {min_digits}, {max_digits}"
        )
    if n_train < 1 or n_test < 0:
        raise ConfigError(
            f"env 'arithmetic': n_train must be >= 1 and n_test >= 0, got {n_train}, {n_test}"
        )
    rng = random.Random(seed)
    taken: set[tuple[int, int]] = set()
    test = make_addition_problems(
        n_test, min_digits=min_digits, max_digits=max_digits, rng=rng, split="test", exclude=taken
    )
    taken |= shipped_test_pairs()
    train = make_addition_problems(
        n_train, min_digits=min_digits, max_digits=max_digits, rng=rng, split="train", exclude=taken
    )
    grader = ArithmeticGrader(partial_credit=partial_credit, format_weight=format_weight)
    return ProblemSet(
        name="arithmetic",
        train=tuple(train),
        test=tuple(test),
        make_env=partial(_make_env, grader=grader),
        group_size=group_size,
        seed=seed,
        options={
            "min_digits": min_digits,
            "max_digits": max_digits,
            "n_train": n_train,
            "n_test": n_test,
            "partial_credit": partial_credit,
            "format_weight": format_weight,
        },
    )


def _make_env(problem: Problem, *, grader: ArithmeticGrader) -> Env:
    return ProblemEnv(problem, grader)
