"""``run_task``: run a task's solver chain over batches of samples × epochs, then score.

Generation is batched: the states of all samples and epochs are cut into batches of
``batch_size`` and the whole solver chain runs on one batch at a time, so each ``generate`` in
the chain is one Model call for the batch. Scoring follows generation: a scorer with
``score_batch(outputs, targets, metadatas)`` (an LLM judge) gets every output at once; other
scorers run in a thread pool, which is what slow scorers such as the HumanEval sandbox need.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kitchen.errors import ConfigError, DataError, KitchenError
from kitchen.scorers import Score, Scorer, accuracy_with_stderr, mean_pass_at_k
from kitchen.tasks._types import (
    GenerateConfig,
    Model,
    SampleResult,
    TaskResult,
    TaskState,
    messages_text,
    target_text,
)
from kitchen.tasks.solvers import Generate
from kitchen.tasks.task import Task, scorer_name
from kitchen.types import Message

__all__ = ["make_generate", "run_task", "score_states"]

OnBatch = Callable[[int, int], None]


def make_generate(model: Model, default: GenerateConfig) -> Generate:
    """The ``generate`` function solvers receive: one ``model.generate`` call per use."""

    def generate(states: list[TaskState], config: GenerateConfig | None = None) -> list[TaskState]:
        live = [s for s in states if not s.completed]
        if not live:
            return states
        outputs = model.generate([list(s.messages) for s in live], config or default)
        if len(outputs) != len(live):
            raise KitchenError(
                f"model {model.name!r} returned {len(outputs)} generations for {len(live)} prompts"
            )
        for state, out in zip(live, outputs, strict=True):
            if state.generations == 0:
                state.prompt = messages_text(state.messages)
            state.messages.append(Message("assistant", out.text))
            state.output = out.text
            state.input_tokens += out.input_tokens
            state.output_tokens += out.output_tokens
            state.latency_s += out.latency_s
            state.stop_reason = out.stop_reason
            state.generations += 1
        return states

    return generate


def run_task(
    task: Task,
    model: Model,
    *,
    limit: int = 0,
    epochs: int | None = None,
    batch_size: int = 32,
    on_batch: OnBatch | None = None,
    score_workers: int = 4,
) -> TaskResult:
    """Evaluate ``model`` on ``task``.

    Args:
        task: What to run.
        model: What generates.
        limit: Use the first ``limit`` samples (0 for all).
        epochs: Override the task's epochs.
        batch_size: States per solver-chain pass (and so per Model call).
        on_batch: Called as ``on_batch(done, total)`` after each batch (states, not samples).
        score_workers: Threads for scorers without ``score_batch``.

    Returns:
        The metrics and one :class:`SampleResult` per sample and epoch, sample by sample.

    Raises:
        ConfigError: an argument is out of range, or the solver chain never generates.
        DataError: the task has no samples.
    """
    if limit < 0 or batch_size < 1 or score_workers < 1:
        raise ConfigError(
            f"run_task: need limit >= 0, batch_size >= 1 and score_workers >= 1; got "
            f"{limit}, {batch_size}, {score_workers}"
        )
    n_epochs = task.epochs if epochs is None else epochs
    if n_epochs < 1:
        raise ConfigError(f"epochs: must be >= 1, got {n_epochs}")
    samples = list(task.dataset[:limit] if limit else task.dataset)
    if not samples:
        raise DataError(f"task {task.name!r} has no samples ({task.source or 'no source'})")
    states = [TaskState.start(s, e) for s in samples for e in range(n_epochs)]
    generate = make_generate(model, task.config)
    started = time.perf_counter()
    for begin in range(0, len(states), batch_size):
        batch = states[begin : begin + batch_size]
        for solver in task.solvers:
            batch = solver(batch, generate)
        states[begin : begin + len(batch)] = batch
        if on_batch is not None:
            on_batch(min(begin + batch_size, len(states)), len(states))
    generation_s = time.perf_counter() - started
    silent = [s.sample.id for s in states if s.generations == 0 and not s.completed]
    if silent:
        raise ConfigError(
            f"task {task.name!r}: the solver chain never called generate "
            f"(sample {silent[0]!r}); end it with generate()"
        )
    per_scorer = [score_states(scorer, states, score_workers) for scorer in task.scorers]
    results = _results(states, task.scorers, per_scorer)
    metrics = _metrics(task, results, n_epochs, generation_s)
    return TaskResult(metrics, results, task=task.name, model=model.name, source=task.source)


def _metadata(state: TaskState) -> dict[str, Any]:
    sample = state.sample
    meta: dict[str, Any] = {**sample.metadata, "input": sample.input_text}
    if sample.choices:
        meta["choices"] = list(sample.choices)
    return meta


def score_states(scorer: Scorer, states: Sequence[TaskState], workers: int = 4) -> list[Score]:
    """Score each state's output: through ``scorer.score_batch`` when it has one, else one
    call per state in a pool of ``workers`` threads. Scorers see the sample's metadata plus
    ``input`` (the sample's input text) and ``choices``."""
    outputs = [s.output for s in states]
    targets = [s.sample.target for s in states]
    metadatas = [_metadata(s) for s in states]
    batch = getattr(scorer, "score_batch", None)
    if callable(batch):
        scores = list(batch(outputs, targets, metadatas))
        if len(scores) != len(states):
            raise KitchenError(
                f"scorer {scorer_name(scorer)!r} returned {len(scores)} scores for "
                f"{len(states)} outputs"
            )
        return scores

    def one(i: int) -> Score:
        return scorer(outputs[i], targets[i], metadata=metadatas[i])

    if workers == 1 or len(states) == 1:
        return [one(i) for i in range(len(states))]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kitchen-score") as pool:
        return list(pool.map(one, range(len(states))))


def _names(scorers: Sequence[Scorer]) -> list[str]:
    names: list[str] = []
    for scorer in scorers:
        base = name = scorer_name(scorer)
        n = 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    return names


def _results(
    states: Sequence[TaskState], scorers: Sequence[Scorer], per_scorer: list[list[Score]]
) -> list[SampleResult]:
    names = _names(scorers)
    results = []
    for i, state in enumerate(states):
        primary = per_scorer[0][i]
        secondary = {names[j]: per_scorer[j][i].value for j in range(1, len(scorers))}
        meta: Mapping[str, Any] = {
            "sample": dict(state.sample.metadata),
            "score": dict(primary.metadata),
            "stop_reason": state.stop_reason,
        }
        results.append(
            SampleResult(
                sample_id=state.sample.id,
                epoch=state.epoch,
                input=state.prompt,
                target=target_text(state.sample.target),
                output=state.output,
                score=float(primary.value),
                answer=primary.answer,
                explanation=primary.explanation,
                input_tokens=state.input_tokens,
                output_tokens=state.output_tokens,
                latency_s=state.latency_s,
                scores=secondary,
                metadata=meta,
            )
        )
    return results


def _metrics(
    task: Task, results: Sequence[SampleResult], epochs: int, generation_s: float
) -> dict[str, float]:
    by_sample: dict[str, list[float]] = {}
    for r in results:
        by_sample.setdefault(r.sample_id, []).append(r.score)
    # Epochs of one sample are not independent: the standard error is over per-sample means.
    means = [math.fsum(v) / len(v) for v in by_sample.values()]
    accuracy, stderr = accuracy_with_stderr(means)
    metrics: dict[str, float] = {"accuracy": accuracy}
    if "stderr" in task.metrics:
        metrics["stderr"] = stderr
    metrics["n"] = float(len(by_sample))
    metrics["epochs"] = float(epochs)
    for k in task.pass_at(epochs):
        counts = [(len(v), sum(1 for x in v if x >= 1.0)) for v in by_sample.values()]
        metrics[f"pass@{k}"] = mean_pass_at_k(counts, k)
    for name in results[0].scores:
        metrics[name] = math.fsum(r.scores[name] for r in results) / len(results)
    output_tokens = sum(r.output_tokens for r in results)
    elapsed = max(generation_s, 1e-9)
    metrics["input_tokens"] = float(sum(r.input_tokens for r in results))
    metrics["output_tokens"] = float(output_tokens)
    metrics["samples_per_s"] = len(results) / elapsed
    metrics["output_tokens_per_s"] = output_tokens / elapsed
    metrics["mean_latency_s"] = math.fsum(r.latency_s for r in results) / len(results)
    return metrics
