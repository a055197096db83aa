"""Query latency of the store's UI queries on a large synthetic store.

Seeds ``--runs`` runs x ``--metrics`` metrics x ``--steps`` steps (10M points by default,
generated inside DuckDB) and times each query ``--reps`` times, reporting p50 and p95.

    .venv/bin/python benchmarks/bench_store_query.py                # 10k runs, 10M points
    .venv/bin/python benchmarks/bench_store_query.py --runs 1000    # smaller
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Run as a script, sys.path starts at benchmarks/; the repo root makes `store` the real package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from store import Store, open_store
from store.synthetic import seed_synthetic

WORK = Path(__file__).resolve().parent / ".work" / "query-store"
TARGET_P95_MS = 100.0


def _time(reps: int, query: Callable[[int], object]) -> tuple[float, float]:
    """Run ``query(rep)`` ``reps`` times after one warm-up; returns (p50, p95) in ms."""
    query(-1)
    samples = []
    for rep in range(reps):
        start = time.perf_counter()
        query(rep)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--metrics", type=int, default=20)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--reps", type=int, default=20)
    args = parser.parse_args()

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.parent.mkdir(parents=True, exist_ok=True)
    points = args.runs * args.metrics * args.steps
    with open_store(WORK) as store:
        start = time.perf_counter()
        ids = seed_synthetic(store.db, runs=args.runs, metrics=args.metrics, steps=args.steps)
        with store.db.connection() as con:
            con.execute("CHECKPOINT")
        seed_s = time.perf_counter() - start
    size_mb = (WORK / "kitchen.duckdb").stat().st_size / 1e6

    # A fresh open, as a UI process would have.
    with open_store(WORK, read_only=True) as store:
        rows = _bench(store, ids, args.reps, args.metrics)

    print(
        f"\nQuery latency: {args.runs:,} runs x {args.metrics} metrics x {args.steps} steps = "
        f"{points:,} points; seeded in {seed_s:.1f} s; file {size_mb:,.0f} MB; "
        f"{args.reps} reps each\n"
    )
    print("| query | p50 ms | p95 ms | p95 < 100 ms |")
    print("|---|---:|---:|:---:|")
    for name, (p50, p95) in rows:
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {'yes' if p95 < TARGET_P95_MS else 'NO'} |")


def _bench(
    store: Store, ids: list[str], reps: int, metrics: int
) -> list[tuple[str, tuple[float, float]]]:
    rng = random.Random(0)
    recent = ids[-100:]
    keys = [f"metric_{k:02d}" for k in range(min(metrics, 10))]
    summary = ("metric_00", "metric_01", "metric_02")

    def pick(rep: int) -> str:
        return ids[rng.randrange(len(ids))]

    def page(rep: int) -> object:
        return store.runs_table(limit=100, offset=100 * (rep % 10), summary_keys=summary)

    def random_runs(n: int) -> list[str]:
        return rng.sample(ids, min(n, len(ids)))

    return [
        ("runs_table: newest 100 + 3 last metrics", _time(reps, lambda rep: page(0))),
        ("runs_table: pages 1-10", _time(reps, page)),
        (
            "runs_table: status filter",
            _time(reps, lambda rep: store.runs_table(status="failed", summary_keys=summary)),
        ),
        (
            "metric_curve: one random run",
            _time(reps, lambda rep: store.metric_curve(pick(rep), "metric_03")),
        ),
        (
            "metric_curves: 100 newest runs, one query",
            _time(reps, lambda rep: store.metric_curves(recent, "metric_03")),
        ),
        (
            "metric_curves: 100 random runs, one query",
            _time(reps, lambda rep: store.metric_curves(random_runs(100), "metric_03")),
        ),
        (
            "metric_curve x 100: newest runs, one query each",
            _time(reps, lambda rep: [store.metric_curve(r, "metric_03") for r in recent]),
        ),
        (
            "metric_curve: downsampled (max_points=20)",
            _time(reps, lambda rep: store.metric_curve(pick(rep), "metric_05", max_points=20)),
        ),
        (
            "last_values: 1,000 runs x 10 metrics",
            _time(reps, lambda rep: store.last_values(random_runs(1000), keys)),
        ),
        (
            "compare_runs: two random runs",
            _time(reps, lambda rep: store.compare_runs(pick(rep), pick(rep))),
        ),
        ("metric_keys: one run", _time(reps, lambda rep: store.metric_keys(pick(rep)))),
        ("get_run: by 16-char prefix", _time(reps, lambda rep: store.get_run(pick(rep)[:16]))),
    ]


if __name__ == "__main__":
    main()
