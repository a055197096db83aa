"""Load: 8 clients each ingest 1,000 metric points/s for 30 s into 8 runs through the API
(batches every ~100 ms) while another client polls the runs table every 100 ms. Every point
must land in the store, exactly; the runs table's latency under that load is recorded."""

from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path

import pytest

from kitchen.engine.client import EngineClient
from kitchen.engine.files import EngineInfo
from kitchen.engine.loadgen import paced_ingest
from kitchen.engine.server import start_background, stop
from store import open_store

CLIENTS = 8
POINTS_PER_S = 1000
SECONDS = 30.0
BATCH_S = 0.1
KEYS = 4  # metrics per step: 25 steps of 4 keys per 100 ms batch


def _poll(info: EngineInfo, stop_at: float, latencies_ms: list[float]) -> None:
    with EngineClient(info) as client:
        while time.monotonic() < stop_at:
            began = time.perf_counter()
            rows = client.runs(limit=50)
            latencies_ms.append(1000 * (time.perf_counter() - began))
            assert len(rows) == CLIENTS
            time.sleep(max(0.0, BATCH_S - (time.perf_counter() - began)))


@pytest.mark.slow
def test_eight_clients_ingesting_lose_no_point(home: Path) -> None:
    with open_store(home) as store:
        run_ids = [store.create_run(recipe="load", name=f"load-{i}").id for i in range(CLIENTS)]
    info = start_background(home)
    sent: dict[str, list[int]] = {run_id: [] for run_id in run_ids}
    latencies_ms: list[float] = []
    try:
        stop_at = time.monotonic() + SECONDS
        threads = [
            threading.Thread(
                target=paced_ingest,
                args=(info, run_id, stop_at, sent[run_id]),
                kwargs={"points_per_s": POINTS_PER_S, "batch_s": BATCH_S, "keys": KEYS},
            )
            for run_id in run_ids
        ]
        threads.append(threading.Thread(target=_poll, args=(info, stop_at, latencies_ms)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(SECONDS + 60)
            assert not thread.is_alive()
    finally:
        stop(home)

    expected = {run_id: sum(batches) for run_id, batches in sent.items()}
    # The pace held: close to 1,000 points/s per client (a slow box may fall a little behind).
    assert all(total >= 0.8 * POINTS_PER_S * SECONDS for total in expected.values()), expected
    with open_store(home, read_only=True, background_flush=False) as store:
        for run_id in run_ids:
            stored = sum(
                store.metric_curve(run_id, f"load/{k}", max_points=10).total_points
                for k in range(KEYS)
            )
            assert stored == expected[run_id], run_id
    p50 = statistics.median(latencies_ms)
    p99 = statistics.quantiles(latencies_ms, n=100)[98]
    print(f"runs table under load: {len(latencies_ms)} polls, p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    assert len(latencies_ms) >= SECONDS / BATCH_S / 4
