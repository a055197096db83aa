"""A real worker killed mid-run (as the OOM killer would): the experiment runner resumes that
same run from its checkpoint through the engine, instead of training it again from step 0."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kitchen import events as ev
from kitchen.engine.client import EngineClient
from kitchen.engine.files import pid_alive
from kitchen.engine.server import start_background, stop
from kitchen.experiments.plan import expand
from kitchen.experiments.runner import ExperimentRunner, Resumed, RunnerEvent, RunnerResult
from kitchen.experiments.source import EngineSource
from kitchen.experiments.spec import parse_spec
from kitchen.launch import RESUME_LOG_PREFIX
from tests.engine_service.conftest import worker_pid

# 320 examples at batch 32: 10 steps an epoch, a checkpoint every epoch, 40 steps in all.
SPEC = {
    "name": "resumed",
    "recipe": "sft",
    "base": {
        "limit": 320,
        "epochs": 4,
        "save_every": 1,
        "baseline_eval": False,
        "eval_samples": 0,
        "threads": 1,
    },
    "conditions": [{"name": "only"}],
    "seeds": [0],
    "metric": "train/loss",
    "goal": "min",
    "retries": 1,
    "backoff_s": 0,
}
TOTAL_STEPS = 40


@pytest.fixture
def engine_home(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "home"
    info = start_background(home, slots=1, grace_s=2.0)
    yield home
    stop(home)
    deadline = time.monotonic() + 10
    while pid_alive(info.pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_killed_worker_s_run_is_resumed_not_restarted(engine_home: Path) -> None:
    spec = parse_spec(SPEC)
    events: list[RunnerEvent] = []
    outcome: list[RunnerResult | BaseException] = []
    with EngineClient.for_home(engine_home) as client, client.stream() as stream:
        runner = ExperimentRunner(
            spec,
            expand(spec),
            EngineSource(client, engine_home),
            client,
            on_event=events.append,
            poll_s=0.2,
        )

        def follow() -> None:
            try:
                outcome.append(runner.run())
            except BaseException as error:  # reported by the assertion below
                outcome.append(error)

        thread = threading.Thread(target=follow, daemon=True)
        thread.start()
        for event in stream:  # the first checkpoint, then kill the worker like an OOM kill
            if isinstance(event, ev.ArtifactSaved) and event.kind == "checkpoint":
                run_id = event.run_id
                break
        worker = worker_pid(run_id)
        assert worker is not None
        os.kill(worker, signal.SIGKILL)
        thread.join(timeout=240)
        assert not thread.is_alive(), "the experiment did not finish"

        [result] = outcome
        assert isinstance(result, RunnerResult), result
        assert result.finished and result.count("succeeded") == 1
        [slot] = result.slots
        [attempt] = slot.attempts  # the same run went on: no second attempt
        assert attempt.run_id == run_id and attempt.status == "succeeded"
        assert [(e.run_id, e.attempt) for e in events if isinstance(e, Resumed)] == [(run_id, 1)]
        record = client.run(run_id).run
        assert record.last_step == TOTAL_STEPS
        steps = client.curve(run_id, "train/loss", max_points=10_000).steps
        assert [int(s) for s in steps] == list(range(1, TOTAL_STEPS + 1))  # unbroken
        logs = [line.message for line in client.logs(run_id, tail=1000)]
        assert sum(m.startswith(RESUME_LOG_PREFIX) for m in logs) == 1
