"""The engine file: 0600, atomic, and stale when its pid is dead."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kitchen.engine.files import (
    EngineInfo,
    engine_file,
    is_loopback,
    read_engine,
    remove_engine,
    write_engine,
)


def _info(pid: int) -> EngineInfo:
    return EngineInfo("127.0.0.1", 1234, pid, "tok", 1.0, "/x/kitchen.duckdb")


def test_written_owner_only_and_read_back(home: Path) -> None:
    path = write_engine(home, _info(os.getpid()))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_engine(home) == _info(os.getpid())
    assert _info(1).url == "http://127.0.0.1:1234"
    assert EngineInfo("0.0.0.0", 9, 1, "t", 0.0, "s").url == "http://127.0.0.1:9"
    assert EngineInfo("::1", 9, 1, "t", 0.0, "s").url == "http://[::1]:9"


def test_dead_pid_is_stale_and_removed(home: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    write_engine(home, _info(int(done.stdout)))
    assert read_engine(home) is None
    assert not engine_file(home).exists()


def test_garbage_file_is_discarded(home: Path) -> None:
    home.mkdir(parents=True)
    engine_file(home).write_text("{not json")
    assert read_engine(home) is None
    assert not engine_file(home).exists()


def test_remove_only_own_file(home: Path) -> None:
    write_engine(home, _info(os.getpid()))
    remove_engine(home, os.getpid() + 1)
    assert json.loads(engine_file(home).read_text())["pid"] == os.getpid()
    remove_engine(home, os.getpid())
    assert not engine_file(home).exists()


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("10.1.2.3", False),
    ],
)
def test_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
