"""Auto-start: `kitchen run` starts an engine when none serves the home; it exits when idle."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kitchen.cli.main import app as cli
from kitchen.engine.files import pid_alive, read_engine
from kitchen.engine.server import IDLE_ENV, auto_idle_timeout, ensure_engine, stop
from kitchen.errors import ConfigError, KitchenError, StoreAccessError

TINY = ["max_steps=4", "save_every=0", "limit=96", "baseline_eval=false", "eval_samples=0"]


def _wait_dead(pid: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while pid_alive(pid):
        assert time.monotonic() < deadline, f"engine {pid} is still alive"
        time.sleep(0.05)


def test_idle_timeout_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(IDLE_ENV, raising=False)
    assert auto_idle_timeout() == 300.0
    monkeypatch.setenv(IDLE_ENV, "12.5")
    assert auto_idle_timeout() == 12.5
    for bad in ("soon", "0", "-3"):
        monkeypatch.setenv(IDLE_ENV, bad)
        with pytest.raises(KitchenError, match=IDLE_ENV):
            auto_idle_timeout()


def test_ensure_engine_starts_one_reuses_it_and_it_exits_when_idle(home: Path) -> None:
    first = ensure_engine(home, idle_timeout=2.0)
    try:
        assert read_engine(home) == first
        assert ensure_engine(home, idle_timeout=2.0) == first  # served: reused, not restarted
    finally:
        if pid_alive(first.pid) and read_engine(home) is None:
            stop(home)
    _wait_dead(first.pid, timeout_s=15)
    assert read_engine(home) is None


def test_plain_kitchen_run_goes_through_an_auto_started_engine(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(IDLE_ENV, "3")
    runner = CliRunner()
    # A config mistake is caught before any engine starts.
    bad = runner.invoke(cli, ["run", "sft", "learning_rate=abc"])
    assert bad.exit_code == ConfigError.exit_code and read_engine(home) is None

    result = runner.invoke(cli, ["run", "sft", *TINY, "-q"])
    assert result.exit_code == 0, result.output
    assert "succeeded" in result.stdout
    info = read_engine(home)
    assert info is not None  # the engine outlives the command, for the next one
    runs = runner.invoke(cli, ["runs", "--json"])  # through that engine: it holds the store
    assert runs.exit_code == 0 and '"succeeded"' in runs.output
    _wait_dead(info.pid, timeout_s=20)  # no runs, no clients: it exits by itself
    assert read_engine(home) is None


def test_concurrent_auto_starts_share_one_engine(home: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(3) as pool:
        infos = list(pool.map(lambda _: ensure_engine(home, idle_timeout=30.0), range(3)))
    try:
        assert len({info.pid for info in infos}) == 1
        assert read_engine(home) == infos[0]
    finally:
        stop(home)
    _wait_dead(infos[0].pid, timeout_s=10)


def test_a_store_held_by_an_embedded_process_is_a_clear_error(home: Path) -> None:
    from store import open_store

    with open_store(home):  # as an embedded run would
        began = time.monotonic()
        result = CliRunner().invoke(cli, ["run", "sft", *TINY, "-q"])
        assert result.exit_code == StoreAccessError.exit_code, result.output
        assert "holds its store" in result.output
        assert time.monotonic() - began < 20
    assert read_engine(home) is None
