"""A real engine subprocess on a free port: engine file, refusal, CLI, client, idle exit, crash."""

from __future__ import annotations

import os
import signal
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kitchen import events as ev
from kitchen.cli.main import app as cli
from kitchen.engine.client import EngineClient
from kitchen.engine.files import EngineInfo, engine_file, pid_alive, read_engine
from kitchen.engine.server import start_background, stop
from kitchen.errors import KitchenError, NotFoundError, StoreAccessError
from store import open_store
from tests.engine_service.conftest import seed


def _wait_dead(pid: int, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while pid_alive(pid):
        assert time.monotonic() < deadline, f"engine {pid} is still alive"
        time.sleep(0.05)


@pytest.fixture
def seeded_home(home: Path) -> tuple[Path, str, str]:
    with open_store(home) as store:
        a, b, _ = seed(store)
    return home, a, b


@pytest.fixture
def engine(seeded_home: tuple[Path, str, str]) -> Iterator[EngineInfo]:
    info = start_background(seeded_home[0])
    yield info
    stop(seeded_home[0])
    _wait_dead(info.pid)


def test_engine_serves_reads_cli_and_streams(
    engine: EngineInfo, seeded_home: tuple[Path, str, str]
) -> None:
    home, a, b = seeded_home
    assert stat.S_IMODE(engine_file(home).stat().st_mode) == 0o600

    with pytest.raises(KitchenError, match=rf"pid {engine.pid}.*{engine.address}"):
        start_background(home)

    runner = CliRunner()
    status = runner.invoke(cli, ["engine", "status"])
    assert status.exit_code == 0 and str(engine.pid) in status.output
    # The engine holds the store, so these can only have gone through it.
    runs = runner.invoke(cli, ["runs", "--json"])
    assert runs.exit_code == 0 and a in runs.output and b in runs.output
    shown = runner.invoke(cli, ["show", a, "--json"])
    assert shown.exit_code == 0 and "model.bin" in shown.output
    for args in (["runs"], ["show", a]):  # the tables render from the client's records too
        assert runner.invoke(cli, args).exit_code == 0, args
    assert runner.invoke(cli, ["show", "nope"]).exit_code == NotFoundError.exit_code
    # An embedded run cannot open the engine's store; the message says what to do.
    blocked = runner.invoke(cli, ["run", "sft", "max_steps=1", "--embedded"])
    assert blocked.exit_code == StoreAccessError.exit_code
    assert f"pid {engine.pid}" in blocked.output and "kitchen engine stop" in blocked.output

    with EngineClient.for_home(home) as client:
        assert [r.id for r in client.runs()] == [b, a]
        assert client.run(a).models[0].name == "tiny"
        assert client.curve(a, "train/loss").values[-1] == pytest.approx(0.1)
        with pytest.raises(NotFoundError):
            client.run("nope")
        sent = [ev.Log(a, "info", "hello"), ev.Metrics(a, 99, {"x": 1.0})]
        with client.stream(a, max_events=2) as stream:
            assert client.ingest(a, sent) == 2
            assert list(stream) == sent


def test_stop_removes_the_file_and_frees_the_store(seeded_home: tuple[Path, str, str]) -> None:
    home = seeded_home[0]
    info = start_background(home)
    assert stop(home) == info
    assert not pid_alive(info.pid) and not engine_file(home).exists()
    with open_store(home):  # the lock is gone
        pass
    with pytest.raises(StoreAccessError):
        EngineClient.for_home(home)
    assert stop(home) is None


def test_idle_engine_exits_by_itself(home: Path) -> None:
    info = start_background(home, idle_timeout=2)
    with EngineClient(info) as client:
        assert client.health().pid == info.pid
    _wait_dead(info.pid, timeout_s=10)
    assert read_engine(home) is None


def test_restart_after_kill_9(seeded_home: tuple[Path, str, str]) -> None:
    home, a, _ = seeded_home
    with open_store(home) as store:
        live = store.create_run(recipe="sft").id
    first = start_background(home)
    with EngineClient(first) as client:  # its worker dies with the engine
        client.ingest(live, [ev.RunStarted(live, "sft", {})])
    os.kill(first.pid, signal.SIGKILL)
    _wait_dead(first.pid)
    assert engine_file(home).exists()  # left behind by the crash
    second = start_background(home)
    try:
        assert second.pid != first.pid
        with EngineClient(second) as client:
            assert client.run(a).run.status == "succeeded"
            assert client.run(live).run.status == "interrupted"
    finally:
        stop(home)
        _wait_dead(second.pid)


def test_unreachable_engine_is_a_store_access_error() -> None:
    with socket.socket() as sock:  # a port nobody listens on once this closes
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    info = EngineInfo("127.0.0.1", port, os.getpid(), "tok", 0.0, "x")
    with EngineClient(info) as client, pytest.raises(StoreAccessError, match="unreachable"):
        client.health()


def test_remote_bind_needs_the_flag(home: Path) -> None:
    with pytest.raises(KitchenError, match="--allow-remote"):
        start_background(home, host="0.0.0.0")
    assert not engine_file(home).exists()
