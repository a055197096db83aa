"""HumanEval: write Python functions from signatures and docstrings (``openai/openai_humaneval``).

Each sample's prompt is the function's signature and docstring; the model's code is checked
by the sample's ``check(candidate)`` tests in Kitchen's sandbox
(:func:`kitchen.scorers.sandbox.check_humaneval`: the program is prompt + completion + tests).
Chat models usually answer with the whole function in a fenced block, so the code is taken
out of the first fenced block when there is one; a full function written after the prompt's
stub replaces it, and an indented body continues it, so both forms work. Run with
``epochs > 1`` and temperature > 0 for pass@k.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from kitchen.errors import ConfigError, DataError
from kitchen.ports.dataset import DatasetSource
from kitchen.scorers import Score
from kitchen.scorers.code import HumanEval
from kitchen.tasks._types import GenerateConfig, Sample
from kitchen.tasks.registry import register_task
from kitchen.tasks.solvers import generate, prompt_template
from kitchen.tasks.sources import load_rows
from kitchen.tasks.task import Task

__all__ = ["HUMANEVAL_TEMPLATE", "HumanEvalCode", "extract_code", "humaneval", "humaneval_samples"]

HUMANEVAL_TEMPLATE = (
    "Complete the following Python function. Reply with the complete function in a "
    "```python code block.\n\n```python\n{input}```"
)
_FENCE = re.compile(r"```[ \t]*(?:python3?|py)?[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL | re.IGNORECASE)
_FIELDS = ("task_id", "prompt", "canonical_solution", "test", "entry_point")


def extract_code(output: str) -> str:
    """The code of the first fenced block of ``output`` (an unclosed one runs to the end), or
    ``output`` itself when it has no fence."""
    found = _FENCE.search(output)
    return found.group(1) if found else output


@dataclass(frozen=True)
class HumanEvalCode:
    """The ``humaneval`` scorer after :func:`extract_code`; the answer is the extracted code."""

    limits: Mapping[str, Any] = field(default_factory=dict)
    name: str = "humaneval"

    def __call__(
        self, output: str, target: Any, *, metadata: Mapping[str, Any] | None = None
    ) -> Score:
        code = extract_code(output)
        score = HumanEval(self.limits)(code, target, metadata=metadata)
        return Score(score.value, code, score.explanation, score.metadata)


def humaneval_samples(rows: Sequence[Mapping[str, Any]], where: str) -> list[Sample]:
    """HumanEval rows as samples: input = prompt, target = canonical solution, and the prompt,
    test and entry point in the metadata the scorer reads."""
    samples = []
    for i, row in enumerate(rows):
        missing = [f for f in _FIELDS if not isinstance(row.get(f), str)]
        if missing:
            raise DataError(f"{where} row {i + 1}: missing text field(s) {', '.join(missing)}")
        meta = {k: row[k] for k in ("prompt", "test", "entry_point")}
        samples.append(Sample(row["task_id"], row["prompt"], row["canonical_solution"], (), meta))
    return samples


@register_task(
    "humaneval",
    source="openai/openai_humaneval test split; offline: shipped "
    "kitchen/data/tasks/humaneval_sample.jsonl",
)
def humaneval(
    *,
    source: Literal["auto", "hub", "sample"] = "auto",
    epochs: int = 1,
    temperature: float = 0.0,
    max_new_tokens: int = 512,
    timeout_s: float = 5.0,
    dataset_source: DatasetSource | None = None,
) -> Task:
    """Python functions from docstrings, checked by running their tests in the sandbox.

    Args:
        source: ``hub``, the shipped ``sample`` (20 problems), or ``auto`` (hub, else sample).
        epochs: Samples per problem; pass@k is reported for every k up to it.
        temperature: Sampling temperature (use > 0 with epochs > 1).
        max_new_tokens: Generation budget.
        timeout_s: Wall-clock limit of one test run.
        dataset_source: How to reach the hub (default: the HF adapter).
    """
    if timeout_s <= 0:
        raise ConfigError(f"timeout_s: must be > 0, got {timeout_s}")
    rows = load_rows(
        source=source,
        repo="openai/openai_humaneval",
        config=None,
        split="test",
        sample="humaneval_sample.jsonl",
        dataset_source=dataset_source,
    )
    return Task(
        name="humaneval",
        dataset=humaneval_samples(rows.rows, rows.source),
        solver=(prompt_template(HUMANEVAL_TEMPLATE), generate()),
        scorer=HumanEvalCode({"timeout_s": timeout_s}),
        config=GenerateConfig(max_new_tokens=max_new_tokens, temperature=temperature),
        epochs=epochs,
        description="HumanEval Python function synthesis, pass@k",
        source=rows.source,
        metrics=("accuracy", "stderr", "pass@k"),
    )
