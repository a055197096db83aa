"""Page data-load time of the dashboard on a 10k-run store, through a real engine over HTTP.

Each "page" is the set of engine calls its first render makes (what ``dashboard.data`` asks
for with a cold cache): Overview (grouped counts, engine status, one runs page with summary
metrics, models, feedback summary) and Runs compare (a 200-run picker page, two runs' details
and metric keys, one metric's curves of 8 runs). Prints p50 / p95 over repeated loads.

    .venv/bin/python benchmarks/bench_dashboard.py [--runs 10000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import uvicorn

from kitchen.engine.app import create_app
from kitchen.engine.client import EngineClient
from kitchen.engine.files import EngineInfo
from store import open_store
from store.synthetic import seed_synthetic


def serve(home: Path) -> tuple[EngineClient, uvicorn.Server]:
    """The engine app over ``home`` on a uvicorn thread, and a client of it."""
    store = open_store(home)
    token = secrets.token_urlsafe(16)
    app = create_app(store, token)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    port = sock.getsockname()[1]
    info = EngineInfo("127.0.0.1", port, os.getpid(), token, time.time(), str(store.path))
    return EngineClient(info), server


def timed(load: Callable[[], object], repeat: int) -> tuple[float, float]:
    """p50 and p95 of ``load`` in milliseconds."""
    load()  # warm the connection pool and DuckDB's caches
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        load()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp()) / "home"
    start = time.perf_counter()
    with open_store(home, background_flush=False, flush_interval_s=None) as store:
        ids = seed_synthetic(store.db, runs=args.runs, metrics=10, steps=100)
    print(
        f"seeded {args.runs:,} runs x 10 metrics x 100 steps in {time.perf_counter() - start:.1f} s"
    )
    client, server = serve(home)
    keys = ("metric_00", "metric_01", "metric_02", "metric_03")
    picked = ids[:8]

    def overview() -> None:
        client.run_counts()
        client.engine_status()
        client.runs(limit=1)
        client.metric_keys(ids[-1])
        client.runs(limit=25, summary_keys=keys)
        client.models()
        client.feedback_summary()

    def runs_compare() -> None:
        client.run_counts()
        client.runs(limit=200)
        for run_id in picked[:2]:
            client.run(run_id)
            client.metric_keys(run_id)
        client.curves(picked, "metric_00", max_points=800)

    for name, load in (("overview", overview), ("runs compare", runs_compare)):
        p50, p95 = timed(load, args.repeat)
        print(f"{name:>14}: p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   ({args.runs:,} runs)")
    server.should_exit = True


if __name__ == "__main__":
    main()
