"""The engine service: start time, ingest throughput through the API, live event latency.

Each figure goes through a real engine subprocess on a free loopback port, the way the CLI,
the TUI and workers will use it:

- start: ``start_background`` from spawn until ``/v1/health`` answers (median of 5);
- ingest: metric points POSTed in batches of 1,000 (``--keys`` metrics per step), end to end
  until the store has them all (the closing curve read flushes the buffer);
- latency: one event per POST, from just before the POST until a subscribed SSE client has
  decoded it (p50 / p99; target p99 < 250 ms).

    .venv/bin/python benchmarks/bench_engine.py                # 1M points, 1,000 events
    .venv/bin/python benchmarks/bench_engine.py --quick --out benchmarks/RESULTS.md
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _common

from kitchen import events as ev
from kitchen.engine.client import EngineClient
from kitchen.engine.server import start_background, stop
from store import open_store


def bench_start(root: Path, repeats: int) -> list[float]:
    """Seconds from spawn to a healthy engine, ``repeats`` times on one home."""
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        start_background(root)
        times.append(time.perf_counter() - began)
        stop(root)
    return times


def bench_ingest(client: EngineClient, run_id: str, points: int, keys: int) -> float:
    """Points per second through ``POST /runs/{id}/events`` in batches of 1,000 points."""
    steps_per_batch = max(1, 1000 // keys)
    names = [f"metric/{k}" for k in range(keys)]
    client.ingest(run_id, [ev.RunStarted(run_id, "bench", {})])
    began = time.perf_counter()
    step = 0
    sent = 0
    while sent < points:
        batch = []
        for _ in range(steps_per_batch):
            step += 1
            batch.append(ev.Metrics(run_id, step, {n: step * 0.001 for n in names}))
        client.ingest(run_id, batch)
        sent += steps_per_batch * keys
    curve = client.curve(run_id, names[0], max_points=10)  # flushes: every point is stored
    elapsed = time.perf_counter() - began
    assert curve.total_points == step, (curve.total_points, step)
    return sent / elapsed


def bench_latency(client: EngineClient, run_id: str, events: int) -> list[float]:
    """Milliseconds from an ingest POST to the SSE subscriber having the event."""
    sent_at: dict[int, float] = {}
    got_at: dict[int, float] = {}
    ready = threading.Event()

    def listen() -> None:
        # Its own connection: the stream holds one open for as long as it runs.
        with EngineClient(client.info) as listener, listener.stream(run_id, max_events=events) as s:
            ready.set()
            for event in s:
                assert isinstance(event, ev.Progress)
                got_at[event.done] = time.perf_counter()

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    ready.wait(10)
    for i in range(events):
        sent_at[i] = time.perf_counter()
        client.ingest(run_id, [ev.Progress(run_id, i, events)])
        time.sleep(0.002)  # a worker's pace, not a flood: latency, not throughput
    thread.join(30)
    return [1000 * (got_at[i] - sent_at[i]) for i in sorted(got_at)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100k points, 500 events")
    parser.add_argument("--points", type=int, default=None, help="metric points to ingest")
    parser.add_argument("--keys", type=int, default=4, help="metrics per step")
    parser.add_argument("--events", type=int, default=None, help="events for the latency run")
    parser.add_argument("--out", type=Path, help="append a dated section to this markdown file")
    args = parser.parse_args()
    points = args.points or (100_000 if args.quick else 1_000_000)
    events = args.events or (500 if args.quick else 1000)

    with tempfile.TemporaryDirectory(prefix="bench-engine-") as scratch:
        root = Path(scratch)
        starts = bench_start(root, 5)
        with open_store(root) as store:
            ingest_run = store.create_run(recipe="bench").id
            latency_run = store.create_run(recipe="bench").id
        info = start_background(root)
        try:
            with EngineClient(info) as client:
                rate = bench_ingest(client, ingest_run, points, args.keys)
                lat = bench_latency(client, latency_run, events)
        finally:
            stop(root)

    p50 = statistics.median(lat)
    p99 = statistics.quantiles(lat, n=100)[98] if len(lat) >= 2 else lat[0]
    rows = [
        ["engine start (spawn → healthy), median of 5", f"{_common.median(starts):.3f} s"],
        [f"ingest, {points:,} points in batches of 1,000", f"{rate:,.0f} points/s"],
        [f"event latency POST → SSE, {len(lat)} events, p50", f"{p50:.1f} ms"],
        ["event latency p99 (target < 250 ms)", f"{p99:.1f} ms"],
    ]
    table = _common.markdown_table(["measure", "value"], rows)
    print(table)
    if args.out:
        body = f"`{_common.command_line()}`\n\n{table}\n"
        _common.append_section(args.out, "Engine service", body)


if __name__ == "__main__":
    main()
