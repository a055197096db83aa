"""LLM-as-judge scorers: ``model_graded_qa`` and ``model_graded_fact``.

A judge model reads the question, the submitted answer and the reference (the criterion) and
ends its reply with a grade, ``GRADE: C`` (correct), ``GRADE: P`` (partially correct, when
partial credit is on) or ``GRADE: I`` (incorrect). The last grade in the reply counts: C is 1,
P is 0.5 (0 without partial credit), I is 0, and a reply with no grade scores 0 with an
explanation saying so. The judge's whole reply is kept as the explanation.

The judge is any task Model (:class:`kitchen.tasks.Model`): a Kitchen model or an
OpenAI-compatible API. ``score_batch`` grades every output in one ``generate`` call, so a
Kitchen judge generates in batches too. The question comes from ``metadata["input"]``, which
``kitchen.tasks.run_task`` sets to the sample's input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kitchen.scorers._base import Score, Target, register, targets_of

if TYPE_CHECKING:
    from kitchen.tasks import GenerateConfig, Model

__all__ = [
    "DEFAULT_FACT_TEMPLATE",
    "DEFAULT_GRADE_PATTERN",
    "DEFAULT_QA_TEMPLATE",
    "ModelGraded",
    "model_graded_fact",
    "model_graded_qa",
]

DEFAULT_GRADE_PATTERN = r"GRADE: ([CPI])"

DEFAULT_QA_TEMPLATE = """You are grading an answer to a task against a grading criterion.

[Task]
{question}

[Submitted answer]
{answer}

[Criterion]
{criterion}

Does the submitted answer meet the criterion? {instructions}"""

DEFAULT_FACT_TEMPLATE = """You are comparing a submitted answer with an expert's answer.

[Question]
{question}

[Expert answer]
{criterion}

[Submitted answer]
{answer}

Ignore differences of style, grammar and punctuation; judge only whether the submission \
states the facts of the expert answer without contradicting them. {instructions}"""

_INSTRUCTIONS = (
    "Reason briefly, step by step, then end with one line that is exactly 'GRADE: C' if it is "
    "correct or 'GRADE: I' if it is incorrect."
)
_PARTIAL_INSTRUCTIONS = (
    "Reason briefly, step by step, then end with one line that is exactly 'GRADE: C' if it is "
    "correct, 'GRADE: P' if it is partially correct or 'GRADE: I' if it is incorrect."
)


@dataclass(frozen=True)
class ModelGraded:
    """A judge-model scorer (see the module docstring); build it with :func:`model_graded_qa`
    or :func:`model_graded_fact`."""

    model: Model
    template: str
    grade_pattern: str = DEFAULT_GRADE_PATTERN
    partial_credit: bool = False
    config: GenerateConfig | None = None
    name: str = "model_graded_qa"

    def __call__(
        self, output: str, target: Target, *, metadata: Mapping[str, Any] | None = None
    ) -> Score:
        return self.score_batch([output], [target], [metadata or {}])[0]

    def score_batch(
        self,
        outputs: Sequence[str],
        targets: Sequence[Target],
        metadatas: Sequence[Mapping[str, Any] | None],
    ) -> list[Score]:
        """Grade every output with one judge ``generate`` call."""
        from kitchen.tasks import GenerateConfig
        from kitchen.types import Message

        if not (len(outputs) == len(targets) == len(metadatas)):
            raise ValueError("score_batch: outputs, targets and metadatas differ in length")
        instructions = _PARTIAL_INSTRUCTIONS if self.partial_credit else _INSTRUCTIONS
        prompts = []
        for output, target, meta in zip(outputs, targets, metadatas, strict=True):
            values = {
                "question": str((meta or {}).get("input", "")),
                "answer": output,
                "criterion": " | ".join(targets_of(target)),
                "instructions": instructions,
            }
            prompts.append([Message("user", self.template.format_map(values))])
        if not prompts:
            return []
        config = self.config or GenerateConfig(max_new_tokens=512, temperature=0.0)
        replies = self.model.generate(prompts, config)
        return [
            self._grade(output, reply.text) for output, reply in zip(outputs, replies, strict=True)
        ]

    def _grade(self, output: str, reply: str) -> Score:
        found = re.findall(self.grade_pattern, reply)
        if not found:
            return Score(
                0.0,
                output,
                f"the judge gave no grade matching {self.grade_pattern!r}: {reply}",
                {"grade": None},
            )
        grade = str(found[-1]).strip().upper()
        if grade == "C":
            value = 1.0
        elif grade == "P":
            value = 0.5 if self.partial_credit else 0.0
        else:
            value = 0.0
        return Score(value, output, reply, {"grade": grade})


def _check_template(template: str) -> None:
    try:
        template.format_map({"question": "", "answer": "", "criterion": "", "instructions": ""})
    except (KeyError, ValueError, IndexError) as error:
        raise ValueError(
            "judge template: may use only {question}, {answer}, {criterion} and "
            f"{{instructions}} (double literal braces): {error!r}"
        ) from None


@register("model_graded_qa")
def model_graded_qa(
    model: Model,
    *,
    template: str = DEFAULT_QA_TEMPLATE,
    grade_pattern: str = DEFAULT_GRADE_PATTERN,
    partial_credit: bool = False,
    config: GenerateConfig | None = None,
) -> ModelGraded:
    """A judge that grades whether the answer meets the target as a criterion.

    Args:
        model: The judge.
        template: The judge prompt; ``{question}``, ``{answer}``, ``{criterion}`` (the
            target), ``{instructions}`` (how to write the grade).
        grade_pattern: A regex whose group 1 is the grade letter; the last match counts.
        partial_credit: Whether P counts 0.5 (otherwise 0).
        config: The judge's generation settings (default: greedy, 512 new tokens).
    """
    _check_template(template)
    re.compile(grade_pattern)
    return ModelGraded(model, template, grade_pattern, partial_credit, config, "model_graded_qa")


@register("model_graded_fact")
def model_graded_fact(
    model: Model,
    *,
    template: str = DEFAULT_FACT_TEMPLATE,
    grade_pattern: str = DEFAULT_GRADE_PATTERN,
    partial_credit: bool = False,
    config: GenerateConfig | None = None,
) -> ModelGraded:
    """A judge that grades whether the answer states the facts of the target (an expert
    answer); arguments as :func:`model_graded_qa`."""
    _check_template(template)
    re.compile(grade_pattern)
    return ModelGraded(model, template, grade_pattern, partial_credit, config, "model_graded_fact")
