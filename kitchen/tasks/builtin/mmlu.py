"""MMLU: 4-choice questions over 57 subjects (``cais/mmlu``, split test), scored by letter.

``subjects`` picks subjects (each loaded as its own hub configuration); none means the ``all``
configuration. ``mmlu_stem`` is the STEM group of lm-evaluation-harness (``mmlu_stem``).
Few-shot examples come from the ``dev`` split, per subject as in the original paper. The
shipped sample (``kitchen/data/tasks/mmlu_sample.jsonl``) has the hub's columns: subject,
question, choices, answer (a 0-based index).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from kitchen.errors import ConfigError, DataError
from kitchen.ports.dataset import DatasetSource
from kitchen.scorers import get_scorer
from kitchen.tasks._types import GenerateConfig, Sample
from kitchen.tasks.registry import register_task
from kitchen.tasks.solvers import Solver, few_shot, generate, multiple_choice
from kitchen.tasks.sources import Rows, load_rows
from kitchen.tasks.task import Task

__all__ = ["MMLU_STEM", "MMLU_SUBJECTS", "mmlu", "mmlu_samples", "mmlu_stem"]

MMLU_STEM: tuple[str, ...] = (
    "abstract_algebra",
    "anatomy",
    "astronomy",
    "college_biology",
    "college_chemistry",
    "college_computer_science",
    "college_mathematics",
    "college_physics",
    "computer_security",
    "conceptual_physics",
    "electrical_engineering",
    "elementary_mathematics",
    "high_school_biology",
    "high_school_chemistry",
    "high_school_computer_science",
    "high_school_mathematics",
    "high_school_physics",
    "high_school_statistics",
    "machine_learning",
)
"""lm-evaluation-harness's ``mmlu_stem`` group (its ``stem`` category)."""

MMLU_SUBJECTS: tuple[str, ...] = tuple(
    sorted(
        (
            *MMLU_STEM,
            "business_ethics",
            "clinical_knowledge",
            "college_medicine",
            "econometrics",
            "formal_logic",
            "global_facts",
            "high_school_european_history",
            "high_school_geography",
            "high_school_government_and_politics",
            "high_school_macroeconomics",
            "high_school_microeconomics",
            "high_school_psychology",
            "high_school_us_history",
            "high_school_world_history",
            "human_aging",
            "human_sexuality",
            "international_law",
            "jurisprudence",
            "logical_fallacies",
            "management",
            "marketing",
            "medical_genetics",
            "miscellaneous",
            "moral_disputes",
            "moral_scenarios",
            "nutrition",
            "philosophy",
            "prehistory",
            "professional_accounting",
            "professional_law",
            "professional_medicine",
            "professional_psychology",
            "public_relations",
            "security_studies",
            "sociology",
            "us_foreign_policy",
            "virology",
            "world_religions",
        )
    )
)
"""The 57 subjects, which are also ``cais/mmlu``'s configuration names."""

_LETTERS = "ABCD"


def mmlu_samples(rows: Sequence[Mapping[str, Any]], prefix: str) -> list[Sample]:
    """MMLU rows (subject, question, choices, answer index) as samples; the target is the
    answer's letter."""
    samples = []
    counters: dict[str, int] = {}
    for i, row in enumerate(rows):
        where = f"{prefix} row {i + 1}"
        question, choices, answer = row.get("question"), row.get("choices"), row.get("answer")
        subject = str(row.get("subject") or "unknown")
        if not isinstance(question, str) or not isinstance(choices, list | tuple):
            raise DataError(f"{where}: needs 'question' text and a 'choices' list")
        if len(choices) != 4 or not isinstance(answer, int) or not 0 <= answer < 4:
            raise DataError(f"{where}: needs 4 choices and an answer index 0-3, got {answer!r}")
        n = counters[subject] = counters.get(subject, -1) + 1
        sample_id = str(row.get("id") or f"{prefix}-{subject}-{n}")
        samples.append(
            Sample(
                sample_id,
                question,
                _LETTERS[answer],
                choices=tuple(str(c) for c in choices),
                metadata={"subject": subject},
            )
        )
    return samples


def _check_subjects(subjects: Sequence[str]) -> None:
    for subject in subjects:
        if subject not in MMLU_SUBJECTS:
            close = difflib.get_close_matches(subject, MMLU_SUBJECTS, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ConfigError(f"subjects: unknown MMLU subject {subject!r}{hint}")


def _load(
    source: str, subjects: Sequence[str] | None, fewshot: int, ds: DatasetSource | None
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]], str]:
    def one(config: str, src: str) -> Rows:
        return load_rows(
            source=src,
            repo="cais/mmlu",
            config=config,
            split="test",
            sample="mmlu_sample.jsonl",
            fewshot_split="dev" if fewshot else "",
            fewshot_sample="mmlu_dev_sample.jsonl" if fewshot else "",
            dataset_source=ds,
        )

    configs = list(subjects) if subjects else ["all"]
    first = one(configs[0], source)
    if not first.from_hub or len(configs) == 1:
        parts = [first]
    else:  # the rest from the hub too, so the set is never half hub, half sample
        parts = [first, *(one(c, "hub") for c in configs[1:])]
    rows = [r for p in parts for r in p.rows]
    pool = [r for p in parts for r in p.fewshot]
    if subjects:
        wanted = set(subjects)
        rows = [r for r in rows if r.get("subject") in wanted]
        pool = [r for r in pool if r.get("subject") in wanted] or pool
    where = first.source
    if first.from_hub and subjects:
        where = f"hub cais/mmlu ({len(configs)} subjects: {', '.join(configs)}) split test"
    elif subjects:
        where += f", {len(set(subjects))} subjects"
    return rows, pool, where


def _task(
    name: str,
    subjects: Sequence[str] | None,
    source: str,
    fewshot: int,
    max_new_tokens: int,
    dataset_source: DatasetSource | None,
) -> Task:
    if subjects is not None:
        if isinstance(subjects, str):
            subjects = [subjects]
        _check_subjects(subjects)
    if not 0 <= fewshot <= 5:
        raise ConfigError(f"fewshot: must be in 0..5, got {fewshot}")
    rows, pool, where = _load(source, subjects, fewshot, dataset_source)
    if not rows:
        raise DataError(f"{name}: {where} holds no questions for subjects {subjects}")
    solver: list[Solver] = []
    if fewshot:
        demos = mmlu_samples(pool, "mmlu-dev")
        solver.append(few_shot(demos, fewshot, group_by="subject"))
    solver += [multiple_choice(), generate()]
    return Task(
        name=name,
        dataset=mmlu_samples(rows, "mmlu"),
        solver=tuple(solver),
        scorer=get_scorer("choice", letters=_LETTERS),
        config=GenerateConfig(max_new_tokens=max_new_tokens),
        description=f"MMLU multiple choice, {fewshot}-shot"
        + (f", {len(subjects)} subjects" if subjects else ", all subjects"),
        source=where,
    )


@register_task(
    "mmlu",
    source="cais/mmlu (all, or one config per subject) test split; offline: shipped "
    "kitchen/data/tasks/mmlu_sample.jsonl",
)
def mmlu(
    *,
    subjects: Sequence[str] | None = None,
    source: Literal["auto", "hub", "sample"] = "auto",
    fewshot: int = 0,
    max_new_tokens: int = 16,
    dataset_source: DatasetSource | None = None,
) -> Task:
    """Multiple-choice knowledge questions over 57 subjects, scored on the chosen letter.

    Args:
        subjects: Subjects to keep (default: all).
        source: ``hub``, the shipped ``sample``, or ``auto`` (hub, else sample).
        fewshot: Solved examples (0 to 5) from the dev split, per subject.
        max_new_tokens: Generation budget (the answer is a letter).
        dataset_source: How to reach the hub (default: the HF adapter).
    """
    return _task("mmlu", subjects, source, fewshot, max_new_tokens, dataset_source)


@register_task(
    "mmlu_stem",
    source="cais/mmlu, the 19 STEM subjects of lm-evaluation-harness, test split; offline: "
    "the STEM rows of kitchen/data/tasks/mmlu_sample.jsonl",
)
def mmlu_stem(
    *,
    source: Literal["auto", "hub", "sample"] = "auto",
    fewshot: int = 0,
    max_new_tokens: int = 16,
    dataset_source: DatasetSource | None = None,
) -> Task:
    """MMLU restricted to lm-evaluation-harness's STEM group (19 subjects).

    Args:
        source: ``hub``, the shipped ``sample``, or ``auto`` (hub, else sample).
        fewshot: Solved examples (0 to 5) from the dev split, per subject.
        max_new_tokens: Generation budget (the answer is a letter).
        dataset_source: How to reach the hub (default: the HF adapter).
    """
    return _task("mmlu_stem", MMLU_STEM, source, fewshot, max_new_tokens, dataset_source)
