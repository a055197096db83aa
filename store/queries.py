"""The read queries the TUI, dashboard and reports draw from.

Everything here is one or two SQL statements. "Last value" questions read ``metric_summary``
(one row per run and metric, kept current by every flush) instead of scanning ``metrics``;
curves scan ``metrics`` but only the row groups whose run-id range can match, which the
time-ordered run ids keep few.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from store.db import Database, fetch_records
from store.errors import InvalidValueError
from store.records import Curve, MetricPair, ParamDiff, RunComparison, RunCount, RunRow
from store.runs import get_params, get_run

DEFAULT_SUMMARY_KEYS = ("loss", "eval/loss", "eval/accuracy", "lr")

_RUNS_TABLE = """
SELECT r.id, r.name, e.name AS experiment, r.recipe, r.status,
       r.created_at, r.started_at, r.finished_at,
       CASE WHEN r.started_at IS NULL THEN NULL
            WHEN r.finished_at IS NOT NULL THEN epoch(r.finished_at) - epoch(r.started_at)
            WHEN r.status = 'running' THEN epoch(now()) - epoch(r.started_at)
       END AS duration_s,
       r.last_step,
       json_extract_string(r.config_json, '$.model') AS model
FROM runs AS r JOIN experiments AS e ON e.id = r.experiment_id
{where}
ORDER BY r.created_at DESC, r.id DESC
LIMIT ? OFFSET ?
"""

# Every curve query filters run_id twice: BETWEEN lets DuckDB skip row groups by their
# min/max run id (time-ordered ids keep each run's points in few row groups), list_contains
# then picks the exact runs.
_RUN_FILTER = "key = ? AND run_id BETWEEN ? AND ? AND list_contains(?, run_id)"

# Point counts come from metric_summary (kept exact by every flush), not a scan of metrics.
_COUNTS = "SELECT run_id, n_points FROM metric_summary WHERE key = ? AND list_contains(?, run_id)"

_POINTS = f"""
SELECT run_id, step, value FROM metrics WHERE {_RUN_FILTER} ORDER BY run_id, step, wall_time
"""

# Downsampling: each run's step range is cut into `buckets` equal-width buckets and every
# bucket contributes the point where the value is lowest and the point where it is highest
# (so spikes and dips survive, unlike a mean); the run's first and last points are always
# kept, so a live curve ends at the current step.
_DOWNSAMPLED = f"""
WITH pts AS (SELECT run_id, step, value FROM metrics WHERE {_RUN_FILTER}),
stats AS (
    SELECT run_id, min(step) AS lo, max(step) AS hi,
           arg_min(value, step) AS first_value, arg_max(value, step) AS last_value
    FROM pts GROUP BY run_id
),
agg AS (
    SELECT p.run_id,
           arg_min(p.step, p.value) AS lo_step, min(p.value) AS lo_value,
           arg_max(p.step, p.value) AS hi_step, max(p.value) AS hi_value
    FROM pts AS p JOIN stats AS s USING (run_id)
    GROUP BY p.run_id, floor((p.step - s.lo) * ?::DOUBLE / (s.hi - s.lo + 1))
)
SELECT run_id, step, value FROM (
    SELECT run_id, lo_step AS step, lo_value AS value FROM agg
    UNION SELECT run_id, hi_step, hi_value FROM agg
    UNION SELECT run_id, lo, first_value FROM stats
    UNION SELECT run_id, hi, last_value FROM stats
)
ORDER BY run_id, step, value
"""


def runs_table(
    db: Database,
    *,
    limit: int = 100,
    offset: int = 0,
    status: str | Sequence[str] | None = None,
    experiment: str | None = None,
    recipe: str | None = None,
    summary_keys: Sequence[str] = DEFAULT_SUMMARY_KEYS,
) -> list[RunRow]:
    """One page of runs, newest first, with the last value of a few headline metrics.

    Args:
        db: The database.
        limit: Page size.
        offset: Rows to skip.
        status: Only runs in this status (or any of these statuses).
        experiment: Only runs of the experiment with this name.
        recipe: Only runs of this recipe.
        summary_keys: Metrics whose last value fills ``RunRow.metrics``.
    """
    where: list[str] = []
    params: list[object] = []
    if status is not None:
        where.append("list_contains(?, r.status)")
        params.append([status] if isinstance(status, str) else list(status))
    if experiment is not None:
        where.append("e.name = ?")
        params.append(experiment)
    if recipe is not None:
        where.append("r.recipe = ?")
        params.append(recipe)
    sql = _RUNS_TABLE.format(where=f"WHERE {' AND '.join(where)}" if where else "")
    with db.connection() as con:
        rows = fetch_records(con, RunRow, sql, [*params, limit, offset])
    values = last_values(db, [row.id for row in rows], summary_keys)
    return [replace(row, metrics=values[row.id]) for row in rows]


def metric_curves(
    db: Database, run_ids: Sequence[str], key: str, *, max_points: int = 1000
) -> dict[str, Curve]:
    """One metric's curve for each of several runs, in one query.

    Args:
        db: The database.
        run_ids: The runs.
        key: The metric.
        max_points: Above this many points a run's curve is downsampled to at most this many:
            the min and max of each of ``(max_points - 2) // 2`` equal step ranges, plus the
            first and last points.

    Returns:
        ``{run_id: Curve}`` for every requested run; a run without the metric has an empty one.
    """
    if max_points < 4:
        raise InvalidValueError("max_points must be at least 4")
    ids = list(dict.fromkeys(run_ids))
    points: dict[str, tuple[list[int], list[float]]] = {run_id: ([], []) for run_id in ids}
    counts: dict[str, int] = {}
    if ids:
        with db.connection() as con:
            # Knowing the counts first keeps the common case (short curves) on a plain scan;
            # only runs over the limit pay for the bucketing query.
            counts = dict(con.execute(_COUNTS, [key, ids]).fetchall())
            small = [run_id for run_id, n in counts.items() if n <= max_points]
            large = [run_id for run_id, n in counts.items() if n > max_points]
            rows = con.execute(_POINTS, _filter_params(key, small)).fetchall() if small else []
            if large:
                params = [*_filter_params(key, large), (max_points - 2) // 2]
                rows += con.execute(_DOWNSAMPLED, params).fetchall()
        for run_id, step, value in rows:
            steps, values = points[run_id]
            steps.append(step)
            values.append(value)
    return {
        run_id: Curve(
            run_id=run_id,
            key=key,
            steps=points[run_id][0],
            values=points[run_id][1],
            total_points=counts.get(run_id, 0),
            downsampled=counts.get(run_id, 0) > max_points,
        )
        for run_id in ids
    }


def _filter_params(key: str, run_ids: list[str]) -> list[object]:
    return [key, min(run_ids), max(run_ids), run_ids]


def metric_curve(db: Database, run_id: str, key: str, *, max_points: int = 1000) -> Curve:
    """One metric's curve of one run; see ``metric_curves``."""
    return metric_curves(db, [run_id], key, max_points=max_points)[run_id]


def last_values(
    db: Database, run_ids: Sequence[str], keys: Sequence[str] | None = None
) -> dict[str, dict[str, float]]:
    """The last logged value (at the highest step) of metrics of several runs.

    Args:
        db: The database.
        run_ids: The runs.
        keys: Only these metrics; every metric when ``None``. A key with a ``*`` is a glob
            pattern (``eval/*/accuracy`` matches every task's accuracy).

    Returns:
        ``{run_id: {key: value}}`` with an entry (maybe empty) for every requested run.
    """
    ids = list(dict.fromkeys(run_ids))
    result: dict[str, dict[str, float]] = {run_id: {} for run_id in ids}
    if not ids:
        return result
    sql = "SELECT run_id, key, last_value FROM metric_summary WHERE list_contains(?, run_id)"
    params: list[object] = [ids]
    if keys is not None:
        exact = [key for key in keys if "*" not in key]
        patterns = [key for key in keys if "*" in key]
        sql += " AND (list_contains(?, key)" + " OR key GLOB ?" * len(patterns) + ")"
        params.extend([exact, *patterns])
    with db.connection() as con:
        for run_id, key, value in con.execute(sql + " ORDER BY run_id, key", params).fetchall():
            result[run_id][key] = value
    return result


def metric_keys(db: Database, run_id: str) -> list[str]:
    """The metrics a run has logged, sorted."""
    with db.connection() as con:
        rows = con.execute(
            "SELECT key FROM metric_summary WHERE run_id = ? ORDER BY key", [run_id]
        ).fetchall()
    return [row[0] for row in rows]


def compare_runs(db: Database, run_a: str, run_b: str) -> RunComparison:
    """Two runs' parameters and final metric values side by side.

    Args:
        db: The database.
        run_a: The first run's id or unique prefix.
        run_b: The second run's id or unique prefix.
    """
    a, b = get_run(db, run_a), get_run(db, run_b)
    params_a, params_b = get_params(db, a.id), get_params(db, b.id)
    params = [
        ParamDiff(key, params_a.get(key), params_b.get(key))
        for key in sorted(params_a.keys() | params_b.keys())
    ]
    last = last_values(db, [a.id, b.id])
    metrics_a, metrics_b = last[a.id], last[b.id]
    metrics = [
        MetricPair(key, metrics_a.get(key), metrics_b.get(key))
        for key in sorted(metrics_a.keys() | metrics_b.keys())
    ]
    return RunComparison(a=a, b=b, params=params, metrics=metrics)


_RUN_COUNTS = """
SELECT r.status, r.recipe, e.name AS experiment, count(*) AS n
FROM runs AS r JOIN experiments AS e ON e.id = r.experiment_id
GROUP BY r.status, r.recipe, e.name
ORDER BY n DESC, r.status, r.recipe, e.name
"""


def run_counts(db: Database) -> list[RunCount]:
    """How many runs share each status, recipe and experiment (one grouped query)."""
    with db.connection() as con:
        return fetch_records(con, RunCount, _RUN_COUNTS)
