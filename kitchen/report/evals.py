"""Per-task evaluation sections from the per-sample rows the store keeps.

For each task a run evaluated, the report shows its last ``eval`` evaluation (or its baseline
when it has nothing else): the score with its CI over samples, tokens and latency, the score
distribution, a breakdown by subject or category when the samples carry one, the paired
baseline-vs-final comparison, and the worst samples first.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

from kitchen.report.data import EvalTask, GroupScore, HistBin, SampleRow
from kitchen.report.numbers import is_binary, paired_test, score_ci
from store import Store

# Metadata keys a per-group breakdown is made for, in this order.
GROUP_FIELDS = ("subject", "category")
TEXT_LIMIT = 240
MAX_DISCRETE_VALUES = 11
HISTOGRAM_BINS = 10
_COLUMNS = (
    "sample_id",
    "epoch",
    "input",
    "target",
    "output",
    "score",
    "input_tokens",
    "output_tokens",
    "latency_s",
    "metadata_json",
)

Row = dict[str, Any]


def last_steps(store: Store, run_id: str) -> tuple[dict[str, int], dict[str, int]]:
    """``{task: step}`` of the run's last ``eval`` and last ``baseline`` evaluation."""
    evals: dict[str, int] = {}
    baselines: dict[str, int] = {}
    for summary in store.eval_summaries(run_id):  # ordered by step: the last one wins
        (baselines if summary.phase == "baseline" else evals)[summary.task] = summary.step
    return evals, baselines


def load_rows(store: Store, run_id: str, phase: str, task: str, step: int) -> list[Row]:
    """One evaluation's rows as dicts."""
    table = store.eval_samples(run_id, phase=phase, task=task, step=step, columns=_COLUMNS)
    rows: list[Row] = table.to_pylist()
    return rows


def per_sample(rows: Iterable[Row]) -> dict[str, float]:
    """Each sample's score, averaged over its epochs, in sample-id order."""
    sums: dict[str, list[float]] = {}
    for row in rows:
        sums.setdefault(str(row["sample_id"]), []).append(float(row["score"]))
    return {sid: sum(v) / len(v) for sid, v in sorted(sums.items())}


def paired(a: dict[str, float], b: dict[str, float]) -> tuple[list[float], list[float]]:
    """The two per-sample score lists on the samples both have, aligned."""
    shared = sorted(set(a) & set(b))
    return [a[s] for s in shared], [b[s] for s in shared]


def collect_evals(store: Store, run_id: str, *, max_samples: int) -> list[EvalTask]:
    """One :class:`EvalTask` per task the run evaluated, sorted by task name."""
    evals, baselines = last_steps(store, run_id)
    out = []
    for task in sorted(set(evals) | set(baselines)):
        base_rows = (
            load_rows(store, run_id, "baseline", task, baselines[task])
            if task in baselines
            else None
        )
        if task in evals:
            rows = load_rows(store, run_id, "eval", task, evals[task])
            out.append(task_section(task, "eval", evals[task], rows, base_rows, max_samples))
        elif base_rows is not None:
            step = baselines[task]
            out.append(task_section(task, "baseline", step, base_rows, None, max_samples))
    return out


def task_section(
    task: str,
    phase: str,
    step: int,
    rows: Sequence[Row],
    baseline_rows: Sequence[Row] | None,
    max_samples: int,
) -> EvalTask:
    """The section of one evaluation (``rows``), compared with ``baseline_rows`` when given."""
    scores = [float(r["score"]) for r in rows]
    samples = per_sample(rows)
    epochs = len({int(r["epoch"]) for r in rows})
    binary = is_binary(scores)
    means = list(samples.values())
    base = per_sample(baseline_rows) if baseline_rows else None
    vs_baseline = None
    if base:
        final_scores, base_scores = paired(samples, base)
        vs_baseline = paired_test(final_scores, base_scores, ("final", "baseline"))
    latencies = [float(r["latency_s"]) for r in rows if r["latency_s"] is not None]
    return EvalTask(
        task=task,
        phase=phase,
        step=step,
        n=len(samples),
        epochs=epochs,
        rows=len(rows),
        mean=_mean(means),
        ci=score_ci(means, binary=binary and epochs == 1),
        binary=binary,
        input_tokens_mean=_mean_of(r["input_tokens"] for r in rows),
        output_tokens_mean=_mean_of(r["output_tokens"] for r in rows),
        latency_mean_s=_mean(latencies) if latencies else None,
        latency_p95_s=_quantile(latencies, 0.95) if latencies else None,
        histogram=histogram(scores),
        groups=groups(rows),
        baseline_mean=_mean(list(base.values())) if base else None,
        baseline_n=len(base) if base else None,
        vs_baseline=vs_baseline,
        samples=sample_rows(rows, max_samples),
        samples_total=len(rows),
    )


def histogram(scores: Sequence[float]) -> list[HistBin]:
    """Counts per distinct score when there are few (0/1, a 1–5 grade), else 10 equal bins."""
    if not scores:
        return []
    distinct = sorted(set(scores))
    if len(distinct) <= MAX_DISCRETE_VALUES:
        return [HistBin(v, v, sum(1 for s in scores if s == v)) for v in distinct]
    import numpy as np

    counts, edges = np.histogram(np.asarray(scores), bins=HISTOGRAM_BINS)
    return [HistBin(float(edges[i]), float(edges[i + 1]), int(c)) for i, c in enumerate(counts)]


def groups(rows: Sequence[Row]) -> list[GroupScore]:
    """Mean score per subject (or category) when the samples' metadata names one."""
    out: list[GroupScore] = []
    metadata = [json.loads(r["metadata_json"]) if r["metadata_json"] else {} for r in rows]
    for field in GROUP_FIELDS:
        by_value: dict[str, list[Row]] = {}
        for row, meta in zip(rows, metadata, strict=True):
            if isinstance(meta, dict) and meta.get(field) is not None:
                by_value.setdefault(str(meta[field]), []).append(row)
        for value, members in sorted(by_value.items()):
            scores = [float(r["score"]) for r in members]
            means = list(per_sample(members).values())
            one_epoch = len({int(r["epoch"]) for r in members}) == 1
            ci = score_ci(means, binary=is_binary(scores) and one_epoch)
            out.append(GroupScore(field, value, len(means), _mean(means), ci))
    return out


def sample_rows(rows: Sequence[Row], limit: int) -> list[SampleRow]:
    """The ``limit`` lowest-scoring rows (failures first), text cut to a readable length."""
    worst = sorted(rows, key=lambda r: (float(r["score"]), str(r["sample_id"]), int(r["epoch"])))
    return [
        SampleRow(
            sample_id=str(r["sample_id"]),
            epoch=int(r["epoch"]),
            input=truncate(str(r["input"])),
            target=truncate(str(r["target"])),
            output=truncate(str(r["output"])),
            score=float(r["score"]),
        )
        for r in worst[: max(0, limit)]
    ]


def truncate(text: str, limit: int = TEXT_LIMIT) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values) if values else math.nan


def _mean_of(values: Iterable[Any]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return _mean(present) if present else None


def _quantile(values: Sequence[float], q: float) -> float:
    import numpy as np

    return float(np.quantile(np.asarray(values), q))
