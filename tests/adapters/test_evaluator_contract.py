"""The evaluator contract, run against the fake and exact match over a scripted sampler."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from kitchen.adapters.fake.evaluator import FakeEvaluator
from kitchen.adapters.fake.tokenizer import FakeTokenizer
from kitchen.chat import get_renderer
from kitchen.evaluators import ExactMatchEvaluator, normalize_answer
from kitchen.ports.evaluator import Evaluator
from kitchen.types import Example, Message, SamplingParams

TOKENIZER = FakeTokenizer()
EXAMPLES = [
    Example((Message("user", f"What is 1+{n}?"), Message("assistant", str(1 + n))), id=f"e{n}")
    for n in range(4)
]


class AnswersTwo:
    """A sampler that always answers ' 2' and stops."""

    def sample(self, prompts: Sequence[Sequence[int]], params: SamplingParams) -> list[list[int]]:
        answer = TOKENIZER.encode(" 2")[: params.max_new_tokens]
        return [list(answer) for _ in prompts]


@pytest.fixture(params=["fake", "exact_match"])
def evaluator(request: pytest.FixtureRequest) -> Evaluator:
    if request.param == "fake":
        return FakeEvaluator(answer="2")
    return ExactMatchEvaluator(max_new_tokens=4, batch_size=3)


def test_scores_each_example_against_its_target(evaluator: Evaluator) -> None:
    renderer = get_renderer("plain", TOKENIZER)
    result = evaluator.evaluate(AnswersTwo(), TOKENIZER, renderer, EXAMPLES)
    assert [s.score for s in result.samples] == [0.0, 1.0, 0.0, 0.0]
    assert result.metrics["exact_match"] == 0.25
    assert result.metrics["n"] == 4
    assert [s.id for s in result.samples] == ["e0", "e1", "e2", "e3"]
    assert all(s.target == ex.target for s, ex in zip(result.samples, EXAMPLES, strict=True))


def test_empty_set_scores_zero(evaluator: Evaluator) -> None:
    result = evaluator.evaluate(AnswersTwo(), TOKENIZER, get_renderer("plain", TOKENIZER), [])
    assert result.metrics["n"] == 0 and result.samples == ()


def test_normalisation() -> None:
    assert normalize_answer("  81.\n") == "81"
    assert normalize_answer("The  Answer") == "the answer"
