"""An engine killed with SIGKILL mid-run: the orphaned worker exits, the next engine starts
cleanly and marks the run interrupted, and resuming it through that engine finishes it with
an unbroken step history."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kitchen import events as ev
from kitchen.engine.client import EngineClient
from kitchen.engine.files import engine_file, pid_alive
from kitchen.engine.server import start_background, stop
from kitchen.engine.worker import ENGINE_LOST_S
from tests.engine_service.conftest import worker_pid

# 320 examples at batch 32: 10 steps an epoch, a checkpoint every epoch, 60 steps in all.
ARGS = [
    "limit=320",
    "epochs=6",
    "save_every=1",
    "baseline_eval=false",
    "eval_samples=0",
    "threads=1",
]
STEPS_PER_EPOCH = 10
TOTAL_STEPS = 60


def _wait_dead(pid: int, timeout_s: float) -> float:
    started = time.monotonic()
    while pid_alive(pid):
        assert time.monotonic() - started < timeout_s, f"process {pid} is still alive"
        time.sleep(0.05)
    return time.monotonic() - started


def _wait_status(client: EngineClient, run_id: str, timeout_s: float = 120.0) -> str:
    deadline = time.monotonic() + timeout_s
    while True:
        status = client.run(run_id).run.status
        if status not in ("queued", "running"):
            return status
        assert time.monotonic() < deadline, f"run {run_id} is still {status}"
        time.sleep(0.1)


def _steps(client: EngineClient, run_id: str) -> list[int]:
    return [int(s) for s in client.curve(run_id, "train/loss", max_points=10_000).steps]


@pytest.fixture
def crash_home(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "crash"
    yield home
    stop(home)  # whichever engine is left


def test_engine_killed_mid_run_then_resumed_through_a_new_engine(crash_home: Path) -> None:
    home = crash_home
    first = start_background(home, grace_s=5.0)
    checkpoints: list[int] = []
    with EngineClient(first) as client, client.stream() as stream:
        run_id = client.submit("sft", ARGS).run_id
        for event in stream:
            if (
                event.run_id == run_id
                and isinstance(event, ev.ArtifactSaved)
                and event.kind == "checkpoint"
            ):
                checkpoints.append(event.step)
                if len(checkpoints) == 2:
                    break
        worker = worker_pid(run_id)
        assert worker is not None
        os.kill(first.pid, signal.SIGKILL)
    _wait_dead(first.pid, timeout_s=10)
    assert checkpoints == [STEPS_PER_EPOCH, 2 * STEPS_PER_EPOCH]
    assert engine_file(home).exists()  # a crash leaves it behind

    # The orphan notices within a few seconds and exits without recording anything.
    orphaned_for = _wait_dead(worker, timeout_s=ENGINE_LOST_S + 10)
    assert orphaned_for < ENGINE_LOST_S + 10

    second = start_background(home, grace_s=5.0)
    assert second.pid != first.pid
    with EngineClient(second) as client:
        record = client.run(run_id).run
        assert record.status == "interrupted"
        last = record.last_step or 0
        assert last >= checkpoints[-1]
        # Checkpoints flush: every step up to the last one recorded is there, none missing.
        assert _steps(client, run_id) == list(range(1, last + 1))

        with client.stream(run_id) as stream:
            assert client.resume(run_id).status == "queued"
            finished = next(e for e in stream if isinstance(e, ev.RunFinished))
        assert finished.status == "succeeded"
        assert _wait_status(client, run_id) == "succeeded"
        assert client.run(run_id).run.last_step == TOTAL_STEPS
        assert _steps(client, run_id) == list(range(1, TOTAL_STEPS + 1))
