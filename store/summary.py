"""``metric_summary`` and ``runs.last_step``: per-run aggregates kept beside ``metrics``.

Every metrics flush calls ``update_summary`` with its batch inside the flush's transaction, so
the summary never disagrees with the points. ``rebuild_summary`` recomputes both from the
``metrics`` table, for data loaded around the buffer (bulk imports, the synthetic seeder) or
to repair a store.
"""

from __future__ import annotations

import duckdb

# The last value is the one at the highest step; when a later batch repeats that step (a
# resumed run), the later batch wins. Within one batch a repeated step keeps either point: a
# (step, wall_time) tie-break doubled the cost of this statement. min/max skip NaN so the best
# value survives a diverged step.
_AGGREGATE = """
SELECT run_id, key, max(step) AS last_step,
       arg_max(value, step) AS last_value, arg_max(wall_time, step) AS last_wall_time,
       min(value) FILTER (WHERE NOT isnan(value)) AS min_value,
       max(value) FILTER (WHERE NOT isnan(value)) AS max_value,
       count(*) AS n_points
FROM {source} GROUP BY run_id, key
"""

_UPSERT = f"""
INSERT INTO metric_summary {_AGGREGATE}
ON CONFLICT (run_id, key) DO UPDATE SET
    last_value = CASE WHEN excluded.last_step >= metric_summary.last_step
                      THEN excluded.last_value ELSE metric_summary.last_value END,
    last_wall_time = CASE WHEN excluded.last_step >= metric_summary.last_step
                          THEN excluded.last_wall_time ELSE metric_summary.last_wall_time END,
    last_step = greatest(metric_summary.last_step, excluded.last_step),
    min_value = least(metric_summary.min_value, excluded.min_value),
    max_value = greatest(metric_summary.max_value, excluded.max_value),
    n_points = metric_summary.n_points + excluded.n_points
"""

_LAST_STEP = """
UPDATE runs SET last_step = greatest(runs.last_step, b.max_step)
FROM (SELECT run_id, max(step) AS max_step FROM {source} GROUP BY run_id) AS b
WHERE runs.id = b.run_id
"""


def update_summary(con: duckdb.DuckDBPyConnection, batch: str) -> None:
    """Fold a batch of new points into ``metric_summary`` and ``runs.last_step``.

    Args:
        con: The connection, inside the transaction that inserts the batch.
        batch: The name of the registered relation holding the batch's points.
    """
    con.execute(_UPSERT.format(source=batch))
    con.execute(_LAST_STEP.format(source=batch))


def rebuild_summary(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute ``metric_summary`` and ``runs.last_step`` from every point in ``metrics``.

    Args:
        con: The connection, inside a write transaction.
    """
    con.execute("DELETE FROM metric_summary")
    con.execute(f"INSERT INTO metric_summary {_AGGREGATE.format(source='metrics')}")
    con.execute(
        "UPDATE runs SET last_step = s.last_step FROM "
        "(SELECT run_id, max(last_step) AS last_step FROM metric_summary GROUP BY run_id) AS s "
        "WHERE runs.id = s.run_id"
    )


def truncate_run(con: duckdb.DuckDBPyConnection, run_id: str, after_step: int) -> int:
    """Delete a run's points past ``after_step`` and recompute its summary (resume uses this
    so a run's history stays unbroken). Returns the number of points deleted.

    Args:
        con: The connection, inside a write transaction.
        run_id: The run.
        after_step: Points with a greater step are deleted.
    """
    row = con.execute(
        "SELECT count(*) FROM metrics WHERE run_id = ? AND step > ?", [run_id, after_step]
    ).fetchall()  # fetchall, not fetchone: no cursor stays open on the connection
    deleted = int(row[0][0]) if row else 0
    con.execute("DELETE FROM metrics WHERE run_id = ? AND step > ?", [run_id, after_step])
    con.execute("DELETE FROM metric_summary WHERE run_id = ?", [run_id])
    source = "(SELECT * FROM metrics WHERE run_id = $run_id)"
    con.execute(
        f"INSERT INTO metric_summary {_AGGREGATE.format(source=source)}", {"run_id": run_id}
    )
    con.execute(
        "UPDATE runs SET last_step = (SELECT max(last_step) FROM metric_summary "
        "WHERE run_id = $run_id) WHERE id = $run_id",
        {"run_id": run_id},
    )
    return deleted
