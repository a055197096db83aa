"""Math word-problem env over GSM8K- and MATH-shaped data, graded on the final ``\\boxed{}``.

The prompt asks for the final answer in ``\\boxed{}``; the reward is 1 when the last boxed
answer is equivalent to the reference (by ``math_verify``, see :mod:`kitchen.envs.verify`) plus
``format_weight`` when there is a boxed answer at all.

Problems load from the shipped ``kitchen/math`` sample (GSM8K-shaped, written by
``scripts/make_rl_data.py``), a local JSON Lines file, or a hub dataset such as ``openai/gsm8k``
(config ``main`` by default) or a MATH copy (``owner/name[:config]``): GSM8K rows hold
``question`` and ``answer`` ending in ``#### N``; MATH rows hold ``problem`` and ``solution``
with a ``\\boxed{}`` answer (or an ``answer`` column).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from kitchen.adapters.hf._records import read_local
from kitchen.data import shipped_path
from kitchen.envs.base import Env, Grade, Problem, ProblemEnv, ProblemSet
from kitchen.envs.verify import AnswerChecker, shared_checker
from kitchen.errors import ConfigError, DataError

__all__ = [
    "MATH_TEMPLATE",
    "MathGrader",
    "extract_boxed",
    "load_math_problems",
    "make_math_env",
    "problem_from_row",
]

MATH_TEMPLATE = "{question}\n\nPut your final answer within \\boxed{}."
"""The user turn of a math problem; ``{question}`` is the problem text."""

SHIPPED_PREFIX = "kitchen/"
_BOXES = ("\\boxed", "\\fbox")


def extract_boxed(text: str) -> str | None:
    """Return the content of the last complete ``\\boxed{...}`` (or ``\\fbox``) in ``text``.

    Nested braces are matched (``\\boxed{\\frac{1}{2}}`` gives ``\\frac{1}{2}``), escaped
    braces ``\\{ \\}`` do not count, and ``\\boxed 5`` (no braces) gives ``5``. An unclosed box
    at the end, as in a truncated generation, is skipped. ``None`` when there is no box.
    """
    starts = sorted((i for box in _BOXES for i in _find_all(text, box)), reverse=True)
    for start in starts:
        box = next(b for b in _BOXES if text.startswith(b, start))
        found = _box_content(text, start + len(box))
        if found is not None:
            return found.strip()
    return None


def _find_all(text: str, needle: str) -> list[int]:
    found, at = [], text.find(needle)
    while at != -1:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def _box_content(text: str, at: int) -> str | None:
    if at < len(text) and text[at] == " " and not text[at:].lstrip().startswith("{"):
        # "\boxed 5": the answer runs to the next space or dollar sign.
        rest = text[at + 1 :]
        end = min((i for i in (rest.find(" "), rest.find("$")) if i != -1), default=len(rest))
        return rest[:end] or None
    while at < len(text) and text[at] == " ":
        at += 1
    if at >= len(text) or text[at] != "{":
        return None
    depth, i = 0, at
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2  # an escaped character, such as \{ or \}, is never a brace
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[at + 1 : i]
        i += 1
    return None


def problem_from_row(row: Mapping[str, Any], index: int, *, prefix: str = "math") -> Problem:
    """Map a GSM8K or MATH row to a :class:`Problem`.

    GSM8K: ``question`` and ``answer`` whose last ``#### `` line is the final answer (thousands
    separators dropped). MATH: ``problem`` and either ``answer`` or a ``solution`` with a
    ``\\boxed{}`` answer. An ``id`` (or ``unique_id``) column names the problem, else
    ``<prefix>-<index>``.

    Raises:
        DataError: the row fits neither shape or holds no final answer (naming the row).
    """
    at = f"{prefix}: row {index}"
    raw_id = row.get("id") or row.get("unique_id")
    problem_id = str(raw_id) if raw_id else f"{prefix}-{index:05d}"
    if "question" in row and "answer" in row:
        answer = _text(row, "answer", at)
        if "####" not in answer:
            raise DataError(f"{at}: field 'answer' has no '#### <final answer>' line (GSM8K)")
        final = answer.rsplit("####", 1)[1].strip()
        if not final:
            raise DataError(f"{at}: field 'answer' has an empty '####' line")
        return Problem(problem_id, _text(row, "question", at), _plain_number(final))
    if "problem" in row:
        if row.get("answer") not in (None, ""):
            return Problem(problem_id, _text(row, "problem", at), _text(row, "answer", at))
        solution = _text(row, "solution", at)
        boxed = extract_boxed(solution)
        if boxed is None:
            raise DataError(f"{at}: field 'solution' has no \\boxed{{}} final answer (MATH)")
        return Problem(problem_id, _text(row, "problem", at), boxed)
    has = ", ".join(map(str, row)) or "no fields"
    raise DataError(
        f"{at}: expected GSM8K fields (question, answer) or MATH fields (problem, solution); "
        f"the row has: {has}"
    )


def _text(row: Mapping[str, Any], column: str, at: str) -> str:
    value = row.get(column)
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise DataError(f"{at}: field {column!r} must be text, got {type(value).__name__}")
    return str(value)


def _plain_number(text: str) -> str:
    bare = text.replace(",", "")
    try:
        float(bare)
    except ValueError:
        return text
    return bare


def load_math_problems(
    source: str = "kitchen/math", split: str = "train", *, limit: int = 0
) -> tuple[Problem, ...]:
    """Load the problems of one split.

    Args:
        source: ``kitchen/<name>`` (shipped ``<name>_<split>.jsonl``), a local ``.jsonl`` file
            (``split`` is then ignored), or a hub dataset ``owner/name[:config]``.
        split: The split to read.
        limit: Keep at most this many problems (0: all).

    Raises:
        DataError: the file or split is missing or a row is malformed.
        HubError: the hub dataset cannot be fetched.
    """
    if source.startswith(SHIPPED_PREFIX):
        name = source.removeprefix(SHIPPED_PREFIX)
        rows: Sequence[Mapping[str, Any]] = read_local(shipped_path(f"{name}_{split}.jsonl")).rows
        prefix = f"{name}-{split}"
    elif source.endswith((".jsonl", ".json")) or Path(source).expanduser().is_file():
        path = Path(source).expanduser()
        if not path.is_file():
            raise DataError(f"math problems file {path} does not exist")
        rows, prefix = list(read_local(path).rows), path.stem
    else:
        rows, prefix = _hub_rows(source, split), f"{source.rsplit('/', 1)[-1]}-{split}"
    count = len(rows) if limit <= 0 else min(limit, len(rows))
    return tuple(problem_from_row(rows[i], i, prefix=prefix) for i in range(count))


def _hub_rows(source: str, split: str) -> Sequence[Mapping[str, Any]]:
    import datasets

    from kitchen.errors import HubError

    repo, _, config = source.partition(":")
    if not config and repo.lower().endswith("gsm8k"):
        config = "main"  # GSM8K's configs are "main" and "socratic"; no default
    try:
        data = datasets.load_dataset(repo, config or None, split=split)
    except ConnectionError as error:
        raise HubError(f"math dataset {source!r} could not be fetched: {error}") from error
    except ValueError as error:  # unknown split or config
        raise DataError(f"math dataset {source!r}: {error}") from error
    return data  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class MathGrader:
    """Reward ``correct + format_weight * boxed`` for the last ``\\boxed{}`` answer.

    Metrics: ``correct``, ``format`` (a boxed answer was found), and ``verify_timeout``,
    ``verify_error``, ``verify_fallback`` (1 when the check timed out, failed, or ran without
    ``math_verify``).
    """

    checker: AnswerChecker
    format_weight: float = 0.1

    def __call__(self, completion: str, problem: Problem) -> Grade:
        """Grade ``completion`` against ``problem.answer``."""
        boxed = extract_boxed(completion)
        correct, status = False, "none"
        if boxed is not None and boxed:
            check = self.checker.check(problem.answer, boxed)
            correct, status = check.correct, check.status
        formatted = boxed is not None
        return Grade(
            reward=float(correct) + self.format_weight * formatted,
            metrics={
                "correct": float(correct),
                "format": float(formatted),
                "verify_timeout": float(status == "timeout"),
                "verify_error": float(status == "error"),
                "verify_fallback": float(status == "fallback"),
            },
        )


def make_math_env(
    *,
    source: str = "kitchen/math",
    train_split: str = "train",
    test_split: str = "test",
    n_train: int = 0,
    n_test: int = 0,
    seed: int = 0,
    group_size: int = 8,
    format_weight: float = 0.1,
    timeout_s: float = 5.0,
    workers: int = 2,
    checker: AnswerChecker | None = None,
) -> ProblemSet:
    """The math task as a problem set (registered as ``"math"``).

    Args:
        source: Where the problems come from (see :func:`load_math_problems`).
        train_split: The split trained on.
        test_split: The held-out split ('' for none).
        n_train: Keep at most this many training problems (0: all).
        n_test: Keep at most this many test problems (0: all).
        seed: Seeds the order of training batches.
        group_size: Rollouts per problem (GRPO group size).
        format_weight: Bonus for giving a boxed answer.
        timeout_s: Seconds one equivalence check may take before it counts as wrong.
        workers: Processes checking answers.
        checker: A checker to use instead of the shared one for ``timeout_s``/``workers``.

    Raises:
        ConfigError: an option is out of range.
        DataError: the problems cannot be read.
    """
    if timeout_s <= 0 or workers < 1:
        raise ConfigError(
            f"env 'math': need timeout_s > 0 and workers >= 1, got {timeout_s}, {workers}"
        )
    train = load_math_problems(source, train_split, limit=n_train)
    test = load_math_problems(source, test_split, limit=n_test) if test_split else ()
    grader = MathGrader(checker or shared_checker(timeout_s, workers), format_weight)
    return ProblemSet(
        name="math",
        train=train,
        test=test,
        make_env=partial(_make_env, grader=grader),
        group_size=group_size,
        seed=seed,
        options={
            "source": source,
            "train_split": train_split,
            "test_split": test_split,
            "n_train": n_train,
            "n_test": n_test,
            "format_weight": format_weight,
            "timeout_s": timeout_s,
        },
    )


def _make_env(problem: Problem, *, grader: MathGrader) -> Env:
    return ProblemEnv(problem, grader, template=MATH_TEMPLATE)
