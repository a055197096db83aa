"""The engine service: start time, ingest throughput through the API, live event latency.

Each figure goes through a real engine subprocess on a free loopback port, the way the CLI,
the TUI and workers will use it:

- start: ``start_background`` from spawn until ``/v1/health`` answers (median of 5);
- ingest: metric points POSTed in batches of 1,000 (``--keys`` metrics per step), end to end
  until the store has them all (the closing curve read flushes the buffer);
- latency: one event per POST, from just before the POST until a subscribed SSE client has
  decoded it (p50 / p99; target p99 < 250 ms);
- runs table under load: 8 clients each ingest 1,000 points/s into their own run (a batch every
  100 ms) while another polls ``GET /v1/runs`` every 100 ms (p50 / p99 of the poll's latency);
- attached vs embedded step time: the same SFT config run in this process and submitted to an
  engine (a worker process); per-step time per 1,000 tokens, from the stored
  ``train/tokens_per_s`` (identical batches, so the step times compare directly; p50 / p99).

    .venv/bin/python benchmarks/bench_engine.py                # 1M points, 1,000 events
    .venv/bin/python benchmarks/bench_engine.py --quick --out benchmarks/RESULTS.md
"""

from __future__ import annotations

import argparse
import os
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
from kitchen.engine.loadgen import paced_ingest
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


LOAD_CLIENTS = 8
LOAD_RATE = 1000  # points/s per client
LOAD_BATCH_S = 0.1
LOAD_KEYS = 4


def bench_runs_table_under_load(root: Path, seconds: float) -> tuple[list[float], int, int]:
    """Runs-table poll latencies (ms) under the 8-run ingest load; points sent and stored."""
    with open_store(root) as store:
        run_ids = [store.create_run(recipe="load").id for _ in range(LOAD_CLIENTS)]
    info = start_background(root)
    sent: dict[str, list[int]] = {run_id: [] for run_id in run_ids}
    latencies: list[float] = []
    try:
        stop_at = time.monotonic() + seconds
        threads = [
            threading.Thread(
                target=paced_ingest,
                args=(info, r, stop_at, sent[r]),
                kwargs={"points_per_s": LOAD_RATE, "batch_s": LOAD_BATCH_S, "keys": LOAD_KEYS},
            )
            for r in run_ids
        ]
        for thread in threads:
            thread.start()
        with EngineClient(info) as client:
            while time.monotonic() < stop_at:
                began = time.perf_counter()
                client.runs(limit=50)
                latencies.append(1000 * (time.perf_counter() - began))
                time.sleep(max(0.0, LOAD_BATCH_S - (time.perf_counter() - began)))
        for thread in threads:
            thread.join(60)
        with EngineClient(info) as client:
            stored = sum(
                client.curve(r, f"load/{k}", max_points=10).total_points
                for r in run_ids
                for k in range(LOAD_KEYS)
            )
    finally:
        stop(root)
    return latencies, sum(sum(v) for v in sent.values()), stored


def _step_ms_per_1k_tokens(values: list[float]) -> list[float]:
    return [1_000_000.0 / v for v in values if v > 0]


def bench_step_times(root: Path, overrides: list[str]) -> tuple[list[float], list[float]]:
    """Per-step ms per 1,000 tokens: (embedded, attached), the same config."""
    from kitchen.launch import run

    embedded_home = root / "embedded"
    outcome = run("sft", overrides=overrides, home=embedded_home)
    if outcome.status != "succeeded":
        raise RuntimeError(f"embedded run {outcome.status}: {outcome.error}")
    with open_store(embedded_home, read_only=True, background_flush=False) as store:
        embedded = store.metric_curve(
            outcome.run_id, "train/tokens_per_s", max_points=100_000
        ).values

    attached_home = root / "attached"
    info = start_background(attached_home)
    try:
        with EngineClient(info) as client:
            with client.stream() as stream:
                run_id = client.submit("sft", overrides).run_id
                finished = next(
                    e for e in stream if e.run_id == run_id and isinstance(e, ev.RunFinished)
                )
            if finished.status != "succeeded":
                raise RuntimeError(f"attached run {finished.status}: {finished.message}")
            attached = client.curve(run_id, "train/tokens_per_s", max_points=100_000).values
    finally:
        stop(attached_home)
    return _step_ms_per_1k_tokens(list(embedded)), _step_ms_per_1k_tokens(list(attached))


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) >= 2 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100k points, 500 events")
    parser.add_argument("--points", type=int, default=None, help="metric points to ingest")
    parser.add_argument("--keys", type=int, default=4, help="metrics per step")
    parser.add_argument("--events", type=int, default=None, help="events for the latency run")
    parser.add_argument("--load-s", type=float, default=None, help="seconds of 8-run load")
    parser.add_argument("--steps", type=int, default=None, help="steps of the step-time runs")
    parser.add_argument("--out", type=Path, help="append a dated section to this markdown file")
    args = parser.parse_args()
    points = args.points or (100_000 if args.quick else 1_000_000)
    events = args.events or (500 if args.quick else 1000)
    load_s = args.load_s or (10.0 if args.quick else 30.0)
    steps = args.steps or (100 if args.quick else 300)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    step_overrides = [
        f"max_steps={steps}",
        "threads=1",
        "baseline_eval=false",
        "eval_samples=0",
        "save_every=0",
    ]

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
        load_lat, load_sent, load_stored = bench_runs_table_under_load(root / "load", load_s)
        embedded, attached = bench_step_times(root / "steps", step_overrides)

    p50 = statistics.median(lat)
    p99 = statistics.quantiles(lat, n=100)[98] if len(lat) >= 2 else lat[0]
    rows = [
        ["engine start (spawn → healthy), median of 5", f"{_common.median(starts):.3f} s"],
        [f"ingest, {points:,} points in batches of 1,000", f"{rate:,.0f} points/s"],
        [f"event latency POST → SSE, {len(lat)} events, p50", f"{p50:.1f} ms"],
        ["event latency p99 (target < 250 ms)", f"{p99:.1f} ms"],
        [
            f"runs table under 8×{LOAD_RATE:,} points/s ingest, {len(load_lat)} polls, p50 / p99",
            f"{statistics.median(load_lat):.1f} / {_p(load_lat, 99):.1f} ms",
        ],
        [
            f"  points sent / stored during that load ({load_s:g} s)",
            f"{load_sent:,} / {load_stored:,}",
        ],
        [
            f"step time embedded, {len(embedded)} steps, ms per 1k tokens, p50 / p99",
            f"{statistics.median(embedded):.2f} / {_p(embedded, 99):.2f}",
        ],
        [
            f"step time attached (engine worker), {len(attached)} steps, p50 / p99",
            f"{statistics.median(attached):.2f} / {_p(attached, 99):.2f}",
        ],
        [
            "attached / embedded, p50 / p99 (target p99 within ~10%)",
            f"{statistics.median(attached) / statistics.median(embedded):.3f} / "
            f"{_p(attached, 99) / _p(embedded, 99):.3f}",
        ],
    ]
    table = _common.markdown_table(["measure", "value"], rows)
    print(table)
    if args.out:
        body = f"`{_common.command_line()}`\n\n{table}\n"
        _common.append_section(args.out, "Engine service", body)


if __name__ == "__main__":
    main()
