"""Runs executed by a real engine: submit, priority, cancel and resume, a killed worker, CLI.

One engine (one slot, a short cancel grace) serves every test of this module, so the runs of
the module queue behind each other exactly as a user's would.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kitchen import events as ev
from kitchen.cli.main import app as cli
from kitchen.engine.client import EngineClient
from kitchen.engine.files import pid_alive
from kitchen.engine.server import start_background, stop
from kitchen.errors import (
    ConfigError,
    KitchenError,
    NotFoundError,
    RecipeNotFoundError,
    ResumeError,
)
from tests.engine_service.conftest import worker_pid

COMMON = ["limit=96", "baseline_eval=false", "eval_samples=0", "threads=1"]
TINY = ["max_steps=6", "save_every=0", *COMMON]
# Long enough to cancel mid-run; checkpoints every epoch (~4 steps) so it can resume.
LONG = ["max_steps=40", "epochs=20", "save_every=1", *COMMON]


@pytest.fixture(scope="module")
def engine_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("engine-runs")
    info = start_background(home, slots=1, grace_s=5.0)
    yield home
    stop(home)
    deadline = time.monotonic() + 10
    while pid_alive(info.pid) and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture
def client(engine_home: Path) -> Iterator[EngineClient]:
    with EngineClient.for_home(engine_home) as c:
        yield c


def _wait_status(client: EngineClient, run_id: str, timeout_s: float = 60.0) -> str:
    deadline = time.monotonic() + timeout_s
    while True:
        status = client.run(run_id).run.status
        if status not in ("queued", "running"):
            return status
        assert time.monotonic() < deadline, f"run {run_id} is still {status}"
        time.sleep(0.1)


def test_bad_submissions_name_the_field_or_recipe(client: EngineClient) -> None:
    with pytest.raises(ConfigError, match="learning_rate"):
        client.submit("sft", ["learning_rate=abc"])
    with pytest.raises(RecipeNotFoundError, match="nope"):
        client.submit("nope")
    response = client._http.post("/runs", json={"recipe": "sft", "overrides": ["epochs=-1"]})
    assert response.status_code == 422 and "epochs" in response.json()["detail"]


def test_runs_execute_by_priority_and_match_an_embedded_run(
    client: EngineClient, tmp_path: Path
) -> None:
    from kitchen.launch import run

    embedded = run("sft", overrides=TINY, home=tmp_path / "embedded")
    assert embedded.status == "succeeded"

    first = client.submit("sft", TINY).run_id
    low = client.submit("sft", [*TINY, "max_steps=1"], priority=0).run_id
    high = client.submit("sft", [*TINY, "max_steps=1"], priority=5).run_id
    for run_id in (first, low, high):
        assert _wait_status(client, run_id) == "succeeded"

    runs = {r: client.run(r).run for r in (first, low, high)}
    assert runs[high].started_at is not None and runs[low].started_at is not None
    assert runs[high].started_at < runs[low].started_at  # higher priority first, slots=1

    curve = client.curve(first, "train/loss")
    assert curve.steps == [1, 2, 3, 4, 5, 6]
    assert curve.values == pytest.approx(_embedded_curve(tmp_path / "embedded", embedded.run_id))
    details = client.run(first)
    assert {a.kind for a in details.artifacts} >= {"model"}
    assert details.models, "the run registered a model version"
    version = client.model_version(details.models[0].name, str(details.models[0].version))
    assert version.run_id == first
    assert any(a.sha256 == version.artifact_ref for a in details.artifacts)


def _embedded_curve(home: Path, run_id: str) -> list[float]:
    from store import open_store

    with open_store(home, read_only=True, background_flush=False) as store:
        return list(store.metric_curve(run_id, "train/loss").values)


def test_cancel_a_running_run_then_resume_it(client: EngineClient) -> None:
    with client.stream() as stream:
        run_id = client.submit("sft", LONG).run_id
        saw_progress = False
        for event in stream:
            if event.run_id != run_id:
                continue
            saw_progress = saw_progress or isinstance(event, ev.Progress)
            # Cancel once a checkpoint exists, so there is something to resume from.
            if isinstance(event, ev.ArtifactSaved) and event.kind == "checkpoint":
                assert saw_progress
                assert client.cancel(run_id).status == "running"
            if isinstance(event, ev.RunFinished):
                assert event.status == "cancelled"
                break
    assert _wait_status(client, run_id) == "cancelled"
    with pytest.raises(ResumeError):
        client.cancel(run_id)  # nothing left to cancel

    with client.stream(run_id) as stream:
        # The stored status stays cancelled until the worker starts it again.
        assert client.resume(run_id).status == "queued"
        finished = next(e for e in stream if isinstance(e, ev.RunFinished))
    assert finished.status == "succeeded"
    assert _wait_status(client, run_id) == "succeeded"
    curve = client.curve(run_id, "train/loss", max_points=100_000)
    assert curve.steps == list(range(1, 41))  # unbroken: no gap, no duplicate


def test_cancel_a_queued_run_at_once(client: EngineClient) -> None:
    blocker = client.submit("sft", LONG).run_id
    queued = client.submit("sft", TINY).run_id
    assert client.cancel(queued).status == "cancelled"
    # Still queued (the last test's worker may be exiting: cancelled at once) or running.
    assert client.cancel(blocker).status in ("cancelled", "running")
    assert _wait_status(client, blocker) == "cancelled"


def test_a_killed_worker_fails_its_run(client: EngineClient) -> None:
    with client.stream() as stream:
        run_id = client.submit("sft", LONG).run_id
        for event in stream:
            if event.run_id == run_id and isinstance(event, ev.Progress):
                break
    pid = worker_pid(run_id)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    assert _wait_status(client, run_id) == "failed"
    record = client.run(run_id).run
    assert record.error_type == "WorkerDied" and "code -9" in (record.error_message or "")


def test_cli_run_attached_and_detached(engine_home: Path, client: EngineClient) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["run", "sft", *TINY, "-q", "--home", str(engine_home)])
    assert result.exit_code == 0, result.output
    assert "succeeded" in result.stdout and "final loss" in result.stdout

    bad = runner.invoke(cli, ["run", "sft", "learning_rate=abc", "--home", str(engine_home)])
    assert bad.exit_code == ConfigError.exit_code and "learning_rate" in bad.output

    detached = runner.invoke(cli, ["run", "sft", *LONG, "--detach", "--home", str(engine_home)])
    assert detached.exit_code == 0, detached.output
    run_id = detached.stdout.strip().splitlines()[-1]
    assert client.run(run_id).run.status in ("queued", "running")
    client.cancel(run_id)
    assert _wait_status(client, run_id) == "cancelled"


def test_stopping_the_engine_cancels_its_running_run(tmp_path: Path) -> None:
    from store import open_store

    home = tmp_path / "stopping"
    info = start_background(home, grace_s=5.0)
    with EngineClient(info) as own, own.stream() as stream:
        run_id = own.submit("sft", LONG).run_id
        next(e for e in stream if e.run_id == run_id and isinstance(e, ev.Progress))
    stop(home, timeout_s=20.0)
    assert not pid_alive(info.pid)
    with open_store(home, read_only=True, background_flush=False) as store:
        run = store.get_run(run_id)
    assert run.status == "cancelled"


def test_ctrl_c_while_following_cancels_the_run(engine_home: Path, client: EngineClient) -> None:
    import subprocess
    import sys

    args = [sys.executable, "-m", "kitchen", "run", "sft", *LONG, "--home", str(engine_home)]
    with client.stream() as stream:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started = next(e for e in stream if isinstance(e, ev.Progress))
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err  # RunCancelled's exit code, as an embedded run
    assert "cancelled" in out
    assert client.run(started.run_id).run.status == "cancelled"


def test_pause_a_running_run_frees_its_slot_and_resume_matches_an_unpaused_run(
    client: EngineClient,
) -> None:
    straight = client.submit("sft", [*LONG, "save_every=0"]).run_id
    assert _wait_status(client, straight) == "succeeded"

    with client.stream() as stream:
        run_id = client.submit("sft", [*LONG, "save_every=0"]).run_id
        for event in stream:
            if event.run_id != run_id:
                continue
            if isinstance(event, ev.Progress) and event.done >= 9:
                assert client.pause(run_id).status == "running"  # until the worker stops
            if isinstance(event, ev.RunFinished):
                assert event.status == "paused"
                break
    assert _wait_status(client, run_id) == "paused"
    deadline = time.monotonic() + 10
    # The worker exits (its GPU memory is freed) and the scheduler reaps it (its slot frees).
    while worker_pid(run_id) is not None or run_id in client.engine_status().running:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    checkpoints = [a for a in client.run(run_id).artifacts if a.kind == "checkpoint"]
    assert len(checkpoints) == 1 and checkpoints[0].meta["pending"] is True
    paused_at = int(checkpoints[0].meta["state"]["global_step"])
    assert 9 <= paused_at < 40
    with pytest.raises(ResumeError, match="paused"):
        client.pause(run_id)

    assert client.resume(run_id).status == "queued"
    assert _wait_status(client, run_id) == "succeeded"
    resumed = client.curve(run_id, "train/loss", max_points=100_000)
    assert resumed.steps == list(range(1, 41))  # unbroken: no gap, no duplicate
    # Same seed, same batches, restored weights, optimiser and RNG: the same numbers.
    reference = client.curve(straight, "train/loss", max_points=100_000)
    assert resumed.values == pytest.approx(reference.values, rel=1e-4, abs=1e-6)
    logs = [line.message for line in client.logs(run_id)]
    assert any("pause checkpoint" in m for m in logs)


def test_pause_a_queued_run_holds_it_until_resumed(client: EngineClient) -> None:
    blocker = client.submit("sft", LONG).run_id
    held = client.submit("sft", TINY).run_id
    assert client.pause(held).status == "paused"
    assert held not in client.engine_status().queued
    client.cancel(blocker)
    assert _wait_status(client, blocker) == "cancelled"
    assert client.run(held).run.status == "paused"  # not started by the freed slot
    assert client.resume(held).status == "queued"
    assert _wait_status(client, held) == "succeeded"


def test_a_cancelled_run_can_be_deleted(client: EngineClient) -> None:
    run_id = client.submit("sft", LONG).run_id
    with pytest.raises(KitchenError, match="cancel it"):
        client.delete(run_id)
    client.cancel(run_id)
    assert _wait_status(client, run_id) == "cancelled"
    client.delete(run_id)
    with pytest.raises(NotFoundError):
        client.run(run_id)


def test_a_config_mapping_and_the_submitters_folder_travel_with_the_run(
    client: EngineClient, tmp_path: Path
) -> None:
    from kitchen.data import shipped_path

    (tmp_path / "mine.jsonl").write_text(
        "".join(shipped_path("arithmetic_train.jsonl").read_text().splitlines(keepends=True)[:64])
    )
    config = {"dataset": "./mine.jsonl", "learning_rate": 0.002}
    run_id = client.submit("sft", TINY, config=config, workdir=str(tmp_path)).run_id
    assert _wait_status(client, run_id) == "succeeded", client.run(run_id).run.error_message
    record = client.run(run_id).run
    assert record.config["learning_rate"] == 0.002 and record.config["max_steps"] == 6


def test_the_queue_survives_an_engine_restart(tmp_path: Path) -> None:
    home = tmp_path / "restart"
    info = start_background(home, slots=1, grace_s=5.0)
    with EngineClient(info) as own:
        blocker = own.submit("sft", LONG).run_id
        deadline = time.monotonic() + 30
        while own.engine_status().running != [blocker]:  # it holds the only slot
            assert time.monotonic() < deadline
            time.sleep(0.05)
        later = own.submit("sft", TINY).run_id
        first = own.submit("sft", [*TINY, "max_steps=2"], priority=3).run_id
        assert own.engine_status().queued == [first, later]
    stop(home, timeout_s=20.0)
    assert not pid_alive(info.pid)

    info = start_background(home, slots=1, grace_s=5.0)
    try:
        with EngineClient(info) as own:
            assert own.run(blocker).run.status == "cancelled"
            for run_id in (first, later):
                assert _wait_status(own, run_id) == "succeeded"
            starts = {r: own.run(r).run.started_at for r in (first, later)}
            assert starts[first] is not None and starts[later] is not None
            assert starts[first] < starts[later]  # the priority survived too
    finally:
        stop(home)


def test_cli_sends_a_config_file_through_the_engine(
    engine_home: Path, client: EngineClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cfg.yaml").write_text("max_steps: 3\nlearning_rate: 0.003\n")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    args = ["run", "sft", "cfg.yaml", *COMMON, "--detach", "--home", str(engine_home)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    run_id = result.stdout.strip().splitlines()[-1]
    assert _wait_status(client, run_id) == "succeeded"
    record = client.run(run_id).run
    assert record.config["max_steps"] == 3 and record.config["learning_rate"] == 0.003
    assert record.env["cwd"] == str(tmp_path)

    typo = tmp_path / "typo.yaml"
    typo.write_text("max_stepz: 3\n")
    bad = runner.invoke(cli, ["run", "sft", str(typo), "--home", str(engine_home)])
    assert bad.exit_code == ConfigError.exit_code and "max_steps" in bad.output


def test_cli_pause_resume_cancel_rm(engine_home: Path, client: EngineClient) -> None:
    runner = CliRunner()
    home = ["--home", str(engine_home)]
    blocker = client.submit("sft", LONG).run_id
    queued = client.submit("sft", TINY).run_id
    paused = runner.invoke(cli, ["pause", queued, *home])
    assert paused.exit_code == 0 and "paused" in paused.stdout
    resumed = runner.invoke(cli, ["resume", queued[:24], *home])
    assert resumed.exit_code == 0 and "queued" in resumed.stdout
    cancelled = runner.invoke(cli, ["cancel", blocker, *home])
    assert cancelled.exit_code == 0, cancelled.output
    assert _wait_status(client, blocker) == "cancelled"
    assert _wait_status(client, queued) == "succeeded"
    late = runner.invoke(cli, ["cancel", queued, *home])
    assert late.exit_code == ResumeError.exit_code and "succeeded" in late.output
    removed = runner.invoke(cli, ["rm", blocker, *home])
    assert removed.exit_code == 0 and "deleted" in removed.stdout
    missing = runner.invoke(cli, ["rm", blocker, *home])
    assert missing.exit_code == 9 and blocker in missing.output
