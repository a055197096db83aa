"""Per-sample evaluation results: bulk insert, Arrow reads, and the pairing two runs share.

An evaluation writes its rows once, in one Arrow insert (never ``executemany``). Reads hand back
Arrow tables, which turn into a pandas DataFrame with ``.to_pandas()`` without copying numeric
columns; the store itself never imports pandas.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from store.db import Database, fetch_records
from store.errors import InvalidValueError, NotFoundError

PHASES = ("baseline", "eval")

SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("phase", pa.string()),
        ("task", pa.string()),
        ("step", pa.int64()),
        ("sample_id", pa.string()),
        ("epoch", pa.int32()),
        ("input", pa.string()),
        ("target", pa.string()),
        ("output", pa.string()),
        ("score", pa.float64()),
        ("answer", pa.string()),
        ("explanation", pa.string()),
        ("input_tokens", pa.int32()),
        ("output_tokens", pa.int32()),
        ("latency_s", pa.float64()),
        ("scores_json", pa.string()),
        ("metadata_json", pa.string()),
    ]
)
COLUMNS = tuple(SCHEMA.names)
_INSERT = f"INSERT INTO eval_samples SELECT {', '.join(COLUMNS)} FROM {{batch}}"


@dataclass(frozen=True, slots=True)
class EvalSummary:
    """One evaluation of a run: where and what it scored (``n`` distinct samples, each
    generated ``epochs`` times), and its mean score over every row."""

    phase: str
    task: str
    step: int
    n: int
    epochs: int
    mean_score: float


@dataclass(frozen=True, slots=True)
class PairedScores:
    """Two runs' scores on the samples both evaluated, aligned by (sample, epoch)."""

    task: str
    step_a: int
    step_b: int
    sample_ids: list[str]
    a: list[float]
    b: list[float]


def insert_eval_samples(
    db: Database,
    run_id: str,
    *,
    phase: str,
    task: str,
    step: int,
    rows: Sequence[Mapping[str, Any]],
) -> int:
    """Store one evaluation's rows; returns how many.

    Each row needs ``sample_id`` (or ``id``), ``input``, ``target``, ``output`` and ``score``;
    ``epoch``, ``answer``, ``explanation``, ``input_tokens``, ``output_tokens``, ``latency_s``,
    ``scores`` (name → value) and ``metadata`` are optional.

    Raises:
        InvalidValueError: An unknown phase, or a row without a required field or with a score
            that is not a finite number (the message names the row); nothing is stored.
    """
    if phase not in PHASES:
        raise InvalidValueError(f"eval phase must be one of {PHASES}, got {phase!r}")
    if not rows:
        return 0
    columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    for index, row in enumerate(rows):
        record = _record(run_id, phase, task, step, row, index)
        for name in COLUMNS:
            columns[name].append(record[name])
    table = pa.table(columns, schema=SCHEMA)
    name = "_eval_samples_batch"
    with db.transaction() as con:
        con.register(name, table)
        try:
            con.execute(_INSERT.format(batch=name))
        finally:
            con.unregister(name)
    return len(rows)


def _record(
    run_id: str, phase: str, task: str, step: int, row: Mapping[str, Any], index: int
) -> dict[str, Any]:
    def need(field: str, *aliases: str) -> Any:
        for key in (field, *aliases):
            if key in row and row[key] is not None:
                return row[key]
        raise InvalidValueError(f"eval sample row {index} of {task!r} has no {field!r}")

    score = need("score")
    try:
        value = float(score)
    except (TypeError, ValueError):
        raise InvalidValueError(
            f"eval sample row {index} of {task!r}: score {score!r} is not a number"
        ) from None
    if not math.isfinite(value):
        raise InvalidValueError(f"eval sample row {index} of {task!r}: score {value} not finite")
    scores = row.get("scores")
    metadata = row.get("metadata")
    return {
        "run_id": run_id,
        "phase": phase,
        "task": task,
        "step": int(step),
        "sample_id": str(need("sample_id", "id")),
        "epoch": int(row.get("epoch") or 0),
        "input": str(need("input")),
        "target": str(need("target")),
        "output": str(need("output")),
        "score": value,
        "answer": _text(row.get("answer")),
        "explanation": _text(row.get("explanation")),
        "input_tokens": _int(row.get("input_tokens")),
        "output_tokens": _int(row.get("output_tokens")),
        "latency_s": None if row.get("latency_s") is None else float(row["latency_s"]),
        "scores_json": json.dumps(dict(scores), sort_keys=True) if scores else None,
        "metadata_json": json.dumps(dict(metadata), sort_keys=True, default=str)
        if metadata
        else None,
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def eval_samples(
    db: Database,
    run_ids: Sequence[str],
    *,
    phase: str | None = None,
    task: str | None = None,
    step: int | None = None,
    columns: Sequence[str] | None = None,
) -> pa.Table:
    """The stored rows of ``run_ids`` (optionally one phase, task or step) as an Arrow table,
    in run, phase, task, step, sample and epoch order."""
    chosen = list(columns) if columns else list(COLUMNS)
    unknown = [c for c in chosen if c not in COLUMNS]
    if unknown:
        raise InvalidValueError(f"unknown eval sample columns {unknown}; known: {COLUMNS}")
    where = ["list_contains(?, run_id)"]
    params: list[Any] = [list(run_ids)]
    for column, value in (("phase", phase), ("task", task), ("step", step)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    sql = (
        f"SELECT {', '.join(chosen)} FROM eval_samples WHERE {' AND '.join(where)}"
        " ORDER BY run_id, phase, task, step, sample_id, epoch"
    )
    with db.connection() as con:
        return con.sql(sql, params=params).to_arrow_table()


def eval_summaries(db: Database, run_id: str) -> list[EvalSummary]:
    """Every evaluation a run stored, baseline first, then by step and task."""
    sql = """
    SELECT phase, task, step, count(DISTINCT sample_id) AS n, count(DISTINCT epoch) AS epochs,
           avg(score) AS mean_score
    FROM eval_samples WHERE run_id = ?
    GROUP BY phase, task, step
    ORDER BY phase = 'eval', step, task
    """
    with db.connection() as con:
        return fetch_records(con, EvalSummary, sql, [run_id])


def paired_scores(
    db: Database, run_a: str, run_b: str, *, task: str | None = None, phase: str = "eval"
) -> PairedScores:
    """Scores of the two runs' last ``phase`` evaluation of ``task`` (default: the one task
    both evaluated, or the only one they share) matched on sample id and epoch.

    Raises:
        NotFoundError: The runs share no evaluated task, or share several and none was named,
            or share no sample of it.
    """
    tasks_a = {s.task: s.step for s in eval_summaries(db, run_a) if s.phase == phase}
    tasks_b = {s.task: s.step for s in eval_summaries(db, run_b) if s.phase == phase}
    shared = sorted(set(tasks_a) & set(tasks_b))
    if task is None:
        if len(shared) != 1:
            what = "no evaluated task" if not shared else f"several tasks ({', '.join(shared)})"
            raise NotFoundError(
                f"runs {run_a} and {run_b} share {what}; name one"
                if shared
                else f"runs {run_a} and {run_b} share {what} with per-sample results"
            )
        task = shared[0]
    elif task not in shared:
        raise NotFoundError(
            f"task {task!r} was not evaluated by both runs {run_a} and {run_b}"
            f" (shared: {', '.join(shared) or 'none'})"
        )
    # eval_summaries orders by step, so the dicts hold each task's last step.
    step_a, step_b = tasks_a[task], tasks_b[task]
    sql = """
    SELECT a.sample_id, a.score AS a, b.score AS b
    FROM (SELECT sample_id, epoch, score FROM eval_samples
          WHERE run_id = ? AND phase = ? AND task = ? AND step = ?) AS a
    JOIN (SELECT sample_id, epoch, score FROM eval_samples
          WHERE run_id = ? AND phase = ? AND task = ? AND step = ?) AS b
      USING (sample_id, epoch)
    ORDER BY a.sample_id, a.epoch
    """
    params = [run_a, phase, task, step_a, run_b, phase, task, step_b]
    with db.connection() as con:
        rows = con.execute(sql, params).fetchall()
    if not rows:
        raise NotFoundError(f"runs {run_a} and {run_b} share no sample of task {task!r}")
    return PairedScores(
        task,
        step_a,
        step_b,
        [r[0] for r in rows],
        [float(r[1]) for r in rows],
        [float(r[2]) for r in rows],
    )
