"""Exact match: generate greedily, normalise, compare with the reference answer.

Generation and scoring go through :func:`kitchen.tasks.run_task` with a
:class:`~kitchen.tasks.KitchenModel`, so held-out evaluation and benchmark tasks share one
batched generation path; this module only adapts examples to samples and results back to
the evaluator port's rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kitchen.ports.evaluator import EvalResult, PromptRenderer, SampleScore
from kitchen.ports.sampler import Sampler
from kitchen.ports.tokenizer import Tokenizer
from kitchen.scorers import Score
from kitchen.types import Example

_SPACE = re.compile(r"\s+")


def normalize_answer(text: str) -> str:
    """Lower-case, collapse whitespace and drop a trailing full stop."""
    return _SPACE.sub(" ", text).strip().lower().rstrip(".").strip()


@dataclass(frozen=True)
class NormalizedMatch:
    """1 when :func:`normalize_answer` makes output and target equal (punctuation and articles
    count, unlike the ``exact_match`` scorer's SQuAD normalisation)."""

    name: str = "exact_match"

    def __call__(
        self, output: str, target: str | Sequence[str], *, metadata: Mapping[str, Any] | None = None
    ) -> Score:
        targets = [target] if isinstance(target, str) else list(target)
        answer = normalize_answer(output)
        hit = any(answer == normalize_answer(t) for t in targets)
        return Score(float(hit), answer, "matches" if hit else "does not match")


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
        from kitchen.tasks import GenerateConfig, KitchenModel, Sample, Task, run_task

        if not examples:
            return EvalResult(metrics={"exact_match": 0.0, "n": 0.0}, samples=())
        # Positional ids: example ids may repeat or be empty, a task's may not.
        samples = [Sample(str(i), ex.prompt_messages, ex.target) for i, ex in enumerate(examples)]
        task = Task(
            name=self.name,
            dataset=samples,
            scorer=NormalizedMatch(),
            config=GenerateConfig(max_new_tokens=self.max_new_tokens, temperature=0.0),
        )
        model = KitchenModel(
            sampler, tokenizer, renderer, name="sampler", batch_size=self.batch_size
        )
        result = run_task(task, model, batch_size=self.batch_size)
        rows = []
        for example, row in zip(examples, result.samples, strict=True):
            prompt = "\n".join(m.content for m in example.prompt_messages)
            rows.append(
                SampleScore(example.id, prompt, example.target, row.output.strip(), row.score)
            )
        return EvalResult(
            metrics={"exact_match": result.metrics["accuracy"], "n": float(len(rows))},
            samples=tuple(rows),
        )
