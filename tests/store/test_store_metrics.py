"""MetricBuffer: round trip, auto-flush, all-or-nothing appends, threads, summary upkeep."""

from __future__ import annotations

import math
import threading
import time

import pytest

from store import Store, StoreError
from store.metrics import MetricBuffer


def _points(store: Store, run_id: str) -> list[tuple[str, int, float, float]]:
    with store.db.connection() as con:
        rows = con.execute(
            "SELECT key, step, value, wall_time FROM metrics WHERE run_id = ? ORDER BY step, key",
            [run_id],
        ).fetchall()
    return [(str(k), int(s), float(v), float(w)) for k, s, v, w in rows]


def _summary(store: Store, run_id: str, key: str) -> tuple[object, ...] | None:
    with store.db.connection() as con:
        return con.execute(
            "SELECT last_step, last_value, min_value, max_value, n_points FROM metric_summary "
            "WHERE run_id = ? AND key = ?",
            [run_id, key],
        ).fetchone()


def test_round_trip_keeps_every_column(store: Store) -> None:
    run = store.create_run(recipe="r")
    buffer = MetricBuffer(store.db)
    buffer.append(run.id, "loss", 0, 2.5, wall_time=100.0)
    buffer.append_many(run.id, 1, {"loss": 1.5, "lr": 0.001}, wall_time=101.0)
    assert buffer.pending == 3
    assert buffer.flush() == 3
    assert buffer.flush() == 0
    assert _points(store, run.id) == [
        ("loss", 0, 2.5, 100.0),
        ("loss", 1, 1.5, 101.0),
        ("lr", 1, 0.001, 101.0),
    ]
    assert store.get_run(run.id).last_step == 1


def test_wall_time_defaults_to_now(store: Store) -> None:
    before = time.time()
    buffer = MetricBuffer(store.db)
    buffer.append("r1", "loss", 0, 1.0)
    buffer.flush()
    ((_, _, _, wall),) = _points(store, "r1")
    assert before <= wall <= time.time()


def test_auto_flush_when_buffer_passes_flush_rows(store: Store) -> None:
    buffer = MetricBuffer(store.db, flush_rows=10)
    for step in range(3):
        buffer.append_many("r1", step, {"a": 1.0, "b": 2.0, "c": 3.0})
    assert buffer.pending == 9
    buffer.append_many("r1", 3, {"a": 1.0, "b": 2.0, "c": 3.0})
    assert buffer.pending == 0
    assert len(_points(store, "r1")) == 12


def test_auto_flush_by_age(store: Store) -> None:
    buffer = MetricBuffer(store.db, max_age_s=0.0)
    buffer.append("r1", "loss", 0, 1.0)
    assert buffer.pending == 0
    assert len(_points(store, "r1")) == 1


def test_bad_value_buffers_nothing_of_the_call(store: Store) -> None:
    buffer = MetricBuffer(store.db)
    buffer.append_many("r1", 0, {"a": 1.0})
    with pytest.raises(TypeError):
        buffer.append_many("r1", 1, {"a": 2.0, "b": "not a number"})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        buffer.append("r1", "loss", 1.5, 2.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        buffer.append("", "loss", 1, 2.0)
    with pytest.raises(TypeError):
        buffer.append_many("r1", 1, {"ok": 1.0, 7: 2.0})  # type: ignore[dict-item]
    assert buffer.flush() == 1
    assert _points(store, "r1")[0][:3] == ("a", 0, 1.0)


def test_numpy_like_scalars_are_accepted(store: Store) -> None:
    class Scalar:
        def __float__(self) -> float:
            return 0.25

    buffer = MetricBuffer(store.db)
    buffer.append("r1", "loss", 3, Scalar())
    buffer.flush()
    assert _points(store, "r1")[0][:3] == ("loss", 3, 0.25)


def test_concurrent_appends_lose_and_misalign_nothing(store: Store) -> None:
    buffer = MetricBuffer(store.db, flush_rows=500)
    threads, steps = 8, 2000

    def work(worker: int) -> None:
        for step in range(steps):
            buffer.append_many(f"run{worker}", step, {"x": float(worker), "y": float(step)})

    pool = [threading.Thread(target=work, args=(w,)) for w in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    buffer.flush()
    with store.db.connection() as con:
        rows = con.execute(
            "SELECT run_id, count(*), sum(value) FILTER (WHERE key = 'x'), "
            "sum(value) FILTER (WHERE key = 'y'), count(DISTINCT step) FROM metrics GROUP BY 1"
        ).fetchall()
    assert len(rows) == threads
    for run_id, count, sum_x, sum_y, distinct_steps in rows:
        worker = int(run_id.removeprefix("run"))
        assert count == 2 * steps
        assert sum_x == worker * steps  # every x point carries its own worker's run id
        assert sum_y == sum(range(steps))
        assert distinct_steps == steps


def test_background_flusher_writes_and_close_drains(store: Store) -> None:
    buffer = MetricBuffer(store.db, flush_rows=100, background=True)
    for step in range(1050):
        buffer.append("r1", "loss", step, 1.0)
    deadline = time.monotonic() + 10
    while len(_points(store, "r1")) < 1000 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(_points(store, "r1")) >= 1000
    buffer.close()
    assert len(_points(store, "r1")) == 1050


def test_background_failure_surfaces_on_the_next_call(store: Store) -> None:
    buffer = MetricBuffer(store.db, flush_rows=1, background=True)
    store.db.close()
    buffer.append("r1", "loss", 0, 1.0)
    deadline = time.monotonic() + 10
    with pytest.raises(StoreError, match="background"):
        while time.monotonic() < deadline:
            buffer.append("r1", "loss", 1, 1.0)
            time.sleep(0.01)


def test_summary_tracks_last_min_max_and_count_across_batches(store: Store) -> None:
    buffer = MetricBuffer(store.db)
    buffer.append_many("r1", 0, {"loss": 3.0})
    buffer.append_many("r1", 5, {"loss": 1.0})
    buffer.append_many("r1", 2, {"loss": 0.5})
    buffer.flush()
    assert _summary(store, "r1", "loss") == (5, 1.0, 0.5, 3.0, 3)
    buffer.append_many("r1", 4, {"loss": 9.0})  # an older step later: not the last value
    buffer.append_many("r1", 6, {"loss": math.nan})  # NaN is last but not the min or max
    buffer.flush()
    last_step, last_value, low, high, count = _summary(store, "r1", "loss") or ()
    assert (last_step, low, high, count) == (6, 0.5, 9.0, 5)
    assert isinstance(last_value, float) and math.isnan(last_value)
    buffer.append_many("r1", 6, {"loss": 0.75})  # the same step again, later: it wins
    buffer.flush()
    assert _summary(store, "r1", "loss") == (6, 0.75, 0.5, 9.0, 6)
