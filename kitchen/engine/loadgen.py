"""A paced ingest client: the load the engine's load test and benchmark both put on it."""

from __future__ import annotations

import time

from kitchen import events as ev
from kitchen.engine.client import EngineClient
from kitchen.engine.files import EngineInfo


def paced_ingest(
    info: EngineInfo,
    run_id: str,
    stop_at: float,
    sent: list[int],
    *,
    points_per_s: int = 1000,
    batch_s: float = 0.1,
    keys: int = 4,
) -> None:
    """Ingest ``points_per_s`` metric points into ``run_id`` until ``stop_at`` (monotonic).

    Points go in one batch every ``batch_s`` seconds, ``keys`` metrics per step, the way a
    worker sends them; the number of points in each accepted batch is appended to ``sent``.
    """
    names = [f"load/{k}" for k in range(keys)]
    steps_per_batch = int(points_per_s * batch_s) // keys
    step = 0
    with EngineClient(info) as client:
        client.ingest(run_id, [ev.RunStarted(run_id, "load", {})])
        next_at = time.monotonic()
        while next_at < stop_at:
            batch = []
            for _ in range(steps_per_batch):
                step += 1
                batch.append(ev.Metrics(run_id, step, {n: step * 0.5 for n in names}))
            client.ingest(run_id, batch)
            sent.append(steps_per_batch * keys)
            next_at += batch_s
            time.sleep(max(0.0, next_at - time.monotonic()))
