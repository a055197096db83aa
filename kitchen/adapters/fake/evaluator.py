"""Exact-match scoring is pure; the fake evaluator scores a fixed answer for every prompt."""

from __future__ import annotations

from collections.abc import Sequence

from kitchen.evaluators.exact_match import normalize_answer
from kitchen.ports.evaluator import EvalResult, PromptRenderer, SampleScore
from kitchen.ports.sampler import Sampler
from kitchen.ports.tokenizer import Tokenizer
from kitchen.types import Example


class FakeEvaluator:
    """Scores the example's target against a canned output, without generating."""

    name = "fake"

    def __init__(self, answer: str = "") -> None:
        self.answer = answer
        self.calls = 0

    def evaluate(
        self,
        sampler: Sampler,
        tokenizer: Tokenizer,
        renderer: PromptRenderer,
        examples: Sequence[Example],
    ) -> EvalResult:
        self.calls += 1
        samples = tuple(
            SampleScore(
                ex.id,
                ex.prompt_messages[-1].content if ex.prompt_messages else "",
                ex.target,
                self.answer,
                float(normalize_answer(self.answer) == normalize_answer(ex.target)),
            )
            for ex in examples
        )
        score = sum(s.score for s in samples) / max(len(samples), 1)
        return EvalResult({"exact_match": score, "n": float(len(samples))}, samples)
