"""Attack an LLM on an evaluation task: perturb each sample's input, run the task, and compare
per-sample scores clean vs attacked.

The clean pass and every attacked pass go through :func:`kitchen.tasks.run_task`, so solvers,
scorers and batching are those of a plain evaluation. A sample counts as correct when its score
reaches ``threshold`` (1.0: exact-match style scorers). Accuracy under attack is the mean of
each sample's lowest score over the variants tried.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from kitchen.analysis.adversary._base import Perturbation
from kitchen.analysis.adversary.report import (
    AttackResult,
    LevelResult,
    RobustnessReport,
    WorstExample,
    drop_severity,
)
from kitchen.analysis.adversary.runner import DEFAULT_SEVERITIES
from kitchen.errors import ConfigError
from kitchen.types import Message

if TYPE_CHECKING:
    from kitchen.tasks import GenerateConfig, Generation, Model, Sample, Task, TaskResult


class CountingModel:
    """A task Model that forwards to another and counts the prompts it generates for."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.name = model.name
        self.queries = 0

    def generate(
        self, prompts: Sequence[Sequence[Message]], config: GenerateConfig
    ) -> list[Generation]:
        self.queries += len(prompts)
        return self.model.generate(prompts, config)


def perturb_sample(sample: Sample, attack: Perturbation, seed: int | str) -> Sample:
    """``sample`` with its input perturbed: a text input, or a conversation's last user turn."""
    if isinstance(sample.input, str):
        return dataclasses.replace(sample, input=attack(sample.input, seed=seed))
    turns = list(sample.input)
    for i in range(len(turns) - 1, -1, -1):
        if turns[i].role == "user":
            turns[i] = dataclasses.replace(turns[i], content=attack(turns[i].content, seed=seed))
            break
    return dataclasses.replace(sample, input=tuple(turns))


def _scores(result: TaskResult) -> tuple[dict[str, float], dict[str, str], dict[str, str]]:
    """Mean score, last input and last output per sample id."""
    totals: dict[str, list[float]] = {}
    inputs: dict[str, str] = {}
    outputs: dict[str, str] = {}
    for row in result.samples:
        totals.setdefault(row.sample_id, []).append(float(row.score))
        inputs[row.sample_id] = row.input
        outputs[row.sample_id] = row.output
    return {k: sum(v) / len(v) for k, v in totals.items()}, inputs, outputs


def attack_task(
    task: Task,
    model: Model,
    attacks: Sequence[Perturbation],
    *,
    severities: Sequence[float] = DEFAULT_SEVERITIES,
    seed: int = 0,
    limit: int = 0,
    tries: int = 1,
    batch_size: int = 32,
    threshold: float = 1.0,
    worst_k: int = 5,
    model_name: str | None = None,
    model_version: int | None = None,
) -> RobustnessReport:
    """Measure how ``attacks`` on the inputs change ``model``'s scores on ``task``.

    Args:
        task: The evaluation task (its first ``limit`` samples, one epoch each).
        model: The model under attack.
        attacks: Perturbations of each sample's input.
        severities: Rates swept for edit attacks (templates run once at their own rate).
        seed: Every variant's seed derives from it.
        tries: Variants per sample and level at most (stopping once correctness changes).
        threshold: The score at which a sample counts as correct.

    Raises:
        ConfigError: bad settings; DataError (from ``run_task``): a task with no samples.
    """
    from kitchen.tasks import run_task

    if tries < 1 or batch_size < 1 or not severities:
        raise ConfigError("need tries >= 1, batch_size >= 1 and a severity")
    samples = list(task.dataset)[:limit] if limit else list(task.dataset)
    base = dataclasses.replace(task, dataset=samples, epochs=1)
    counter = CountingModel(model)
    clean, clean_inputs, clean_outputs = _scores(run_task(base, counter, batch_size=batch_size))
    clean_queries = counter.queries
    ids = [s.id for s in samples]
    n = len(ids)
    correct = {i: clean[i] >= threshold for i in ids}
    clean_acc = sum(clean[i] for i in ids) / n
    results = []
    for attack in attacks:
        levels: list[LevelResult] = []
        worst: list[WorstExample] = []
        rates = list(severities) if attack.sweeps() else [attack.rate]
        for rate in rates:
            variant = attack.with_rate(rate) if attack.sweeps() else attack
            before = counter.queries
            lowest = dict(clean)
            seen_input = dict(clean_inputs)
            seen_output = dict(clean_outputs)
            broken: set[str] = set()
            agree = variants = 0
            for t in range(tries):
                active = [s for s in samples if s.id not in broken]
                if not active:
                    break
                perturbed = [perturb_sample(s, variant, f"{seed}:{t}") for s in active]
                run = run_task(
                    dataclasses.replace(base, dataset=perturbed), counter, batch_size=batch_size
                )
                scores, inputs, outputs = _scores(run)
                for sample in active:
                    score = scores[sample.id]
                    now_correct = score >= threshold
                    variants += 1
                    agree += now_correct == correct[sample.id]
                    if now_correct != correct[sample.id]:
                        broken.add(sample.id)
                    if score < lowest[sample.id]:
                        lowest[sample.id] = score
                        seen_input[sample.id] = inputs[sample.id]
                        seen_output[sample.id] = outputs[sample.id]
            accuracy = sum(lowest[i] for i in ids) / n
            drop = clean_acc - accuracy
            relative = drop / clean_acc if clean_acc > 0 else 0.0
            n_correct = sum(correct.values())
            flipped = sum(1 for i in broken if correct[i])
            levels.append(
                LevelResult(
                    severity=float(rate),
                    accuracy=accuracy,
                    accuracy_drop=drop,
                    relative_drop=relative,
                    drop_severity=drop_severity(relative),
                    success_rate=flipped / n_correct if n_correct else None,
                    queries_per_example=(counter.queries - before) / n,
                    consistency=agree / variants if variants else 1.0,
                    mean_confidence_drop=sum(clean[i] - lowest[i] for i in ids) / n,
                    originally_correct=n_correct,
                    flipped=flipped,
                    variants=variants,
                )
            )
            order = sorted(ids, key=lambda i: (lowest[i] - clean[i], ids.index(i)))[:worst_k]
            by_id = {s.id: s for s in samples}
            worst = [
                WorstExample(
                    id=i,
                    original=clean_inputs[i],
                    perturbed=seen_input[i],
                    label=_target(by_id[i]),
                    clean_prediction=clean_outputs[i],
                    attacked_prediction=seen_output[i],
                    clean_confidence=clean[i],
                    attacked_confidence=lowest[i],
                )
                for i in order
                if lowest[i] < clean[i]
            ]
        results.append(
            AttackResult(
                name=attack.label,
                type=attack.name,
                family=attack.family,
                params=attack.params(),
                levels=tuple(levels),
                worst=tuple(worst),
            )
        )
    return RobustnessReport(
        target="task",
        n_examples=n,
        clean_accuracy=clean_acc,
        clean_queries=clean_queries,
        attacks=tuple(results),
        seed=seed,
        model_name=model_name,
        model_version=model_version,
        task=task.name,
        settings={
            "severities": list(severities),
            "tries": tries,
            "worst_k": worst_k,
            "limit": limit,
            "threshold": threshold,
        },
    )


def _target(sample: Sample) -> str:
    return sample.target if isinstance(sample.target, str) else " | ".join(sample.target)
