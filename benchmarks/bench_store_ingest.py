"""Metric ingest: Kitchen's store against SQLite (and MLflow when it is installed).

Every contender is fed the way a trainer feeds it: a loop over steps, each step logging
``--keys`` metrics of one of ``--runs`` runs, then a final flush. Reported per contender:
end-to-end points/s (first append to last commit) and microseconds per point spent inside the
logging call on the caller's thread.

    .venv/bin/python benchmarks/bench_store_ingest.py            # 1M points
    .venv/bin/python benchmarks/bench_store_ingest.py --points 100000
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Run as a script, sys.path starts at benchmarks/; the repo root makes `store` the real package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from store import open_store

WORK = Path(__file__).resolve().parent / ".work"
SQLITE_BATCH = 131_072  # the same batch size the Kitchen buffer uses


@dataclass(frozen=True)
class Result:
    name: str
    points: int
    seconds: float
    caller_us: float
    warm_up_s: float | None = None

    def row(self) -> str:
        rate = self.points / self.seconds
        warm = "–" if self.warm_up_s is None else f"{self.warm_up_s:.2f}"
        return (
            f"| {self.name} | {self.points:,} | {self.seconds:.2f} | {rate:,.0f} | "
            f"{self.caller_us:.2f} | {warm} |"
        )


def _feed(
    points: int,
    runs: int,
    keys: int,
    log: Callable[[str, int, dict[str, float]], None],
    run_ids: list[str],
) -> float:
    """Drive ``log`` like a trainer; returns seconds spent inside ``log``."""
    names = [f"train/metric_{k}" for k in range(keys)]
    inside = 0.0
    clock = time.perf_counter
    for step in range(points // (keys * runs)):
        for run_id in run_ids:
            values = {name: step * 1e-3 + k for k, name in enumerate(names)}
            start = clock()
            log(run_id, step, values)
            inside += clock() - start
    return inside


def bench_kitchen(points: int, runs: int, keys: int, *, background: bool) -> Result:
    home = Path(tempfile.mkdtemp(dir=WORK, prefix="kitchen-"))
    try:
        with open_store(home, background_flush=background) as store:
            run_ids = [store.create_run(recipe="bench").id for _ in range(runs)]
            metrics = store.metrics
            # One tiny flush first: pyarrow and DuckDB initialise lazily (~0.3-0.5 s, once per
            # process); that is start-up cost, reported separately, not ingest throughput.
            warm_start = time.perf_counter()
            metrics.append("warm-up", "x", 0, 0.0)
            metrics.flush()
            warm_up = time.perf_counter() - warm_start
            start = time.perf_counter()
            inside = _feed(points, runs, keys, metrics.append_many, run_ids)
            metrics.close() if background else metrics.flush()
            seconds = time.perf_counter() - start
            total = store.last_values(run_ids)
            written = sum(len(v) for v in total.values())
            assert written == runs * keys, written
        mode = "background flush" if background else "flush on caller"
        done = (points // (keys * runs)) * keys * runs
        return Result(f"Kitchen store ({mode})", done, seconds, inside / done * 1e6, warm_up)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def bench_kitchen_events(points: int, runs: int, keys: int) -> Result:
    """The path a training run really takes: a ``Metrics`` event on the run's event bus, the
    store recorder subscribed to it, the metrics-sink adapter, the store's buffer."""
    from kitchen.adapters.duckdb.metrics import StoreMetrics
    from kitchen.adapters.duckdb.recorder import StoreRecorder
    from kitchen.events import EventBus, Metrics

    home = Path(tempfile.mkdtemp(dir=WORK, prefix="kitchen-events-"))
    try:
        with open_store(home) as store:
            run_ids = [store.create_run(recipe="bench").id for _ in range(runs)]
            sink = StoreMetrics(store)
            bus = EventBus((StoreRecorder(store, sink),))
            warm_start = time.perf_counter()
            sink.log("warm-up", 0, {"x": 0.0})
            sink.flush()
            warm_up = time.perf_counter() - warm_start

            def log(run_id: str, step: int, values: dict[str, float]) -> None:
                bus.emit(Metrics(run_id, step, values))

            start = time.perf_counter()
            inside = _feed(points, runs, keys, log, run_ids)
            store.metrics.close()
            seconds = time.perf_counter() - start
            written = sum(len(v) for v in store.last_values(run_ids).values())
            assert written == runs * keys, written
        done = (points // (keys * runs)) * keys * runs
        name = "Kitchen run events -> recorder -> store (the training path)"
        return Result(name, done, seconds, inside / done * 1e6, warm_up)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def bench_sqlite(points: int, runs: int, keys: int, *, index: bool) -> Result:
    home = Path(tempfile.mkdtemp(dir=WORK, prefix="sqlite-"))
    try:
        con = sqlite3.connect(home / "metrics.sqlite", isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        con.execute(
            "CREATE TABLE metrics (run_id TEXT, key TEXT, step INTEGER, value REAL, wall_time REAL)"
        )
        if index:  # what reading one run's curve back needs
            con.execute("CREATE INDEX metrics_run_key ON metrics (run_id, key)")
        pending: list[tuple[str, str, int, float, float]] = []

        def flush() -> None:
            con.execute("BEGIN")
            con.executemany("INSERT INTO metrics VALUES (?, ?, ?, ?, ?)", pending)
            con.execute("COMMIT")
            pending.clear()

        def log(run_id: str, step: int, values: dict[str, float]) -> None:
            wall = time.time()
            pending.extend((run_id, key, step, value, wall) for key, value in values.items())
            if len(pending) >= SQLITE_BATCH:
                flush()

        start = time.perf_counter()
        inside = _feed(points, runs, keys, log, [f"run{i}" for i in range(runs)])
        flush()
        seconds = time.perf_counter() - start
        (count,) = con.execute("SELECT count(*) FROM metrics").fetchone()
        con.close()
        layout = "index on run_id,key" if index else "no index"
        return Result(
            f"SQLite (executemany, 1 txn per batch, {layout})",
            count,
            seconds,
            inside / count * 1e6,
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)


def bench_mlflow(points: int, runs: int, keys: int) -> Result:
    import mlflow  # optional: only imported when installed
    from mlflow.entities import Metric

    home = Path(tempfile.mkdtemp(dir=WORK, prefix="mlflow-"))
    try:
        client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{home / 'mlflow.db'}")
        experiment = client.create_experiment("bench")
        run_ids = [client.create_run(experiment).info.run_id for _ in range(runs)]

        def log(run_id: str, step: int, values: dict[str, float]) -> None:
            ms = int(time.time() * 1000)
            batch = [Metric(key, value, ms, step) for key, value in values.items()]
            client.log_batch(run_id, metrics=batch, synchronous=True)

        start = time.perf_counter()
        inside = _feed(points, runs, keys, log, run_ids)
        seconds = time.perf_counter() - start
        done = (points // (keys * runs)) * keys * runs
        return Result(
            "MLflow (sqlite store, log_batch per step)", done, seconds, inside / done * 1e6
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1, help="runs the points are spread over")
    parser.add_argument("--keys", type=int, default=10, help="metrics logged per step")
    parser.add_argument(
        "--mlflow-points",
        type=int,
        default=20_000,
        help="MLflow is ~1000x slower: it gets this many points",
    )
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)

    results = [
        bench_kitchen(args.points, args.runs, args.keys, background=True),
        bench_kitchen(args.points, args.runs, args.keys, background=False),
        bench_kitchen_events(args.points, args.runs, args.keys),
        bench_sqlite(args.points, args.runs, args.keys, index=False),
        bench_sqlite(args.points, args.runs, args.keys, index=True),
    ]
    notes = []
    if importlib.util.find_spec("mlflow") is not None:
        results.append(bench_mlflow(min(args.points, args.mlflow_points), args.runs, args.keys))
    else:
        notes.append("MLflow: not installed, skipped (install `mlflow` to compare).")

    print(
        f"\nMetric ingest: {args.points:,} points, {args.runs} run(s), "
        f"{args.keys} metrics per step\n"
    )
    print("| store | points | end-to-end s | points/s | caller µs/point | first flush s |")
    print("|---|---:|---:|---:|---:|---:|")
    for result in results:
        print(result.row())
    notes.append(
        "end-to-end: first append to last commit, including the loop that builds each step's "
        "dict (as a trainer does). caller µs/point: time inside the logging call only. "
        "first flush: one-time lazy initialisation, excluded from the other columns."
    )
    for note in notes:
        print(f"\n{note}")


if __name__ == "__main__":
    main()
