"""The synthetic seeder makes consistent data: its summary equals one computed from points."""

from __future__ import annotations

from store import Store
from store.synthetic import seed_synthetic


def test_seeded_runs_have_points_params_and_a_consistent_summary(store: Store) -> None:
    ids = seed_synthetic(store.db, runs=30, metrics=4, steps=12)
    assert len(ids) == 30 and ids == sorted(ids)
    with store.db.connection() as con:
        assert con.execute("SELECT count(*) FROM metrics").fetchone() == (30 * 4 * 12,)
        mismatches = con.execute(
            """
            SELECT count(*) FROM metric_summary AS s JOIN (
                SELECT run_id, key, max(step) AS last_step, arg_max(value, step) AS last_value,
                       count(*) AS n FROM metrics GROUP BY ALL
            ) AS m USING (run_id, key)
            WHERE s.last_step != m.last_step OR s.last_value != m.last_value OR s.n_points != m.n
            """
        ).fetchone()
    assert mismatches == (0,)
    assert store.get_params(ids[0]).keys() == {"optim.lr", "data.batch_size", "seed"}
    rows = store.runs_table(limit=5, summary_keys=["metric_00"])
    assert rows[0].id == ids[-1] and rows[0].last_step == 11
    assert set(rows[0].metrics) == {"metric_00"}
    assert store.metric_curve(ids[3], "metric_02").steps == list(range(12))
    # Seeding again adds a second batch next to the first.
    assert len(set(seed_synthetic(store.db, runs=5, metrics=1, steps=2)) | set(ids)) == 35
