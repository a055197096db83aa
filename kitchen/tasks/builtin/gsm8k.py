"""GSM8K: grade-school math word problems (``openai/gsm8k``, config ``main``, split test).

The target is the number after ``####`` in the reference solution; the ``numeric`` scorer reads
the last number of the output (``math_verify`` may be chosen instead). Few-shot examples come
from the train split (or the shipped train sample), with the calculator annotations
(``<<48/2=24>>``) removed and ``#### N`` written as "The answer is N." — the format the prompt
asks for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from kitchen.errors import ConfigError, DataError
from kitchen.ports.dataset import DatasetSource
from kitchen.scorers import get_scorer
from kitchen.tasks._types import GenerateConfig, Sample
from kitchen.tasks.registry import register_task
from kitchen.tasks.solvers import Solver, few_shot, generate, prompt_template
from kitchen.tasks.sources import load_rows
from kitchen.tasks.task import Task

__all__ = ["GSM8K_TEMPLATE", "gsm8k", "gsm8k_samples"]

GSM8K_TEMPLATE = (
    "Solve this math problem. Reason step by step, then end with "
    '"The answer is <number>."\n\n{input}'
)
_CALC = re.compile(r"<<[^<>]*>>")


def final_answer(solution: str, where: str) -> str:
    """The number after ``####`` in a GSM8K solution, without thousands separators."""
    if "####" not in solution:
        raise DataError(f"{where}: the answer has no '#### <number>' line")
    return solution.rsplit("####", 1)[1].strip().replace(",", "")


def worked_solution(solution: str, where: str) -> str:
    """A solution as a demonstration: annotations removed, ``#### N`` as "The answer is N."."""
    body = _CALC.sub("", solution.rsplit("####", 1)[0]).strip()
    return f"{body}\nThe answer is {final_answer(solution, where)}."


def gsm8k_samples(
    rows: Sequence[Mapping[str, Any]], prefix: str, *, worked: bool = False
) -> list[Sample]:
    """GSM8K rows (question, answer) as samples; ``worked`` makes the target the solution."""
    samples = []
    for i, row in enumerate(rows):
        where = f"{prefix} row {i + 1}"
        question, answer = row.get("question"), row.get("answer")
        if not isinstance(question, str) or not isinstance(answer, str):
            raise DataError(f"{where}: needs text fields 'question' and 'answer'")
        target = worked_solution(answer, where) if worked else final_answer(answer, where)
        sample_id = str(row.get("id") or f"{prefix}-{i}")
        samples.append(Sample(sample_id, question, target, metadata={"solution": answer}))
    return samples


@register_task(
    "gsm8k",
    source="openai/gsm8k (main) test split; offline: shipped kitchen/data/math_test.jsonl",
)
def gsm8k(
    *,
    source: Literal["auto", "hub", "sample"] = "auto",
    fewshot: int = 0,
    fewshot_seed: int | None = None,
    scorer: Literal["numeric", "math_verify"] = "numeric",
    max_new_tokens: int = 256,
    temperature: float = 0.0,
    epochs: int = 1,
    dataset_source: DatasetSource | None = None,
) -> Task:
    """Grade-school math word problems, scored on the final number.

    Args:
        source: ``hub``, the shipped ``sample`` (50 rows), or ``auto`` (hub, else sample).
        fewshot: Worked examples before each question, 0 to 8, from the train split.
        fewshot_seed: ``None`` takes the first ones; otherwise a seeded draw.
        scorer: ``numeric`` (last number) or ``math_verify``.
        max_new_tokens: Generation budget.
        temperature: Sampling temperature (0 = greedy).
        epochs: Runs per sample.
        dataset_source: How to reach the hub (default: the HF adapter).
    """
    if not 0 <= fewshot <= 8:
        raise ConfigError(f"fewshot: must be in 0..8, got {fewshot}")
    if scorer not in ("numeric", "math_verify"):
        raise ConfigError(f"scorer: must be numeric or math_verify, got {scorer!r}")
    rows = load_rows(
        source=source,
        repo="openai/gsm8k",
        config="main",
        split="test",
        sample="math_test.jsonl",
        fewshot_split="train" if fewshot else "",
        fewshot_sample="math_train.jsonl" if fewshot else "",
        dataset_source=dataset_source,
    )
    solver: list[Solver] = []
    if fewshot:
        pool = gsm8k_samples(rows.fewshot, "gsm8k-train", worked=True)
        solver.append(few_shot(pool, fewshot, seed=fewshot_seed, template=GSM8K_TEMPLATE))
    solver += [prompt_template(GSM8K_TEMPLATE), generate()]
    return Task(
        name="gsm8k",
        dataset=gsm8k_samples(rows.rows, "gsm8k-test"),
        solver=tuple(solver),
        scorer=get_scorer(scorer),
        config=GenerateConfig(max_new_tokens=max_new_tokens, temperature=temperature),
        epochs=epochs,
        description="GSM8K math word problems"
        + (f", {fewshot}-shot" if fewshot else ", zero-shot"),
        source=rows.source,
    )
