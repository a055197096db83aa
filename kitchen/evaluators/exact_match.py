"""Exact match: generate greedily, normalise, compare with the reference answer."""

from __future__ import annotations

import re
from collections.abc import Sequence

from kitchen.ports.evaluator import EvalResult, PromptRenderer, SampleScore
from kitchen.ports.sampler import Sampler
from kitchen.ports.tokenizer import Tokenizer
from kitchen.types import Example, SamplingParams

_SPACE = re.compile(r"\s+")


def normalize_answer(text: str) -> str:
    """Lower-case, collapse whitespace and drop a trailing full stop."""
    return _SPACE.sub(" ", text).strip().lower().rstrip(".").strip()


class ExactMatchEvaluator:
    """Scores 1 when the normalised generation equals the normalised target, else 0."""

    name = "exact_match"

    def __init__(self, *, max_new_tokens: int = 16, batch_size: int = 64) -> None:
        self.max_new_tokens = max_new_tokens
        self.batch_size = batch_size

    def evaluate(
        self,
        sampler: Sampler,
        tokenizer: Tokenizer,
        renderer: PromptRenderer,
        examples: Sequence[Example],
    ) -> EvalResult:
        params = SamplingParams(
            max_new_tokens=self.max_new_tokens,
            temperature=0.0,
            stop_token_ids=tuple(renderer.stop_token_ids),
        )
        prompts = [renderer.render_prompt(ex.prompt_messages) for ex in examples]
        outputs: list[list[int]] = []
        for start in range(0, len(prompts), self.batch_size):
            outputs.extend(sampler.sample(prompts[start : start + self.batch_size], params))
        samples = []
        for example, ids in zip(examples, outputs, strict=True):
            text = tokenizer.decode(ids)
            score = float(normalize_answer(text) == normalize_answer(example.target))
            prompt = "\n".join(m.content for m in example.prompt_messages)
            samples.append(SampleScore(example.id, prompt, example.target, text.strip(), score))
        accuracy = sum(s.score for s in samples) / len(samples) if samples else 0.0
        return EvalResult(
            metrics={"exact_match": accuracy, "n": float(len(samples))}, samples=tuple(samples)
        )
