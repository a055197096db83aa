"""Fixtures of the dashboard tests: a seeded home served by a real engine over HTTP.

The engine runs in this process on a uvicorn thread (the app ``kitchen engine`` serves) and
writes the home's engine file, so the dashboard — an ``AppTest`` here, or ``kitchen dashboard`` in a
subprocess — finds it exactly as it finds an auto-started engine.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if sys.path[:1] != [str(ROOT)]:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402
import uvicorn  # noqa: E402

from kitchen.engine.app import create_app  # noqa: E402
from kitchen.engine.files import EngineInfo, remove_engine, write_engine  # noqa: E402
from store import open_store  # noqa: E402
from tests.dashboard.seed import DashboardSeed, seed_dashboard  # noqa: E402

APP = ROOT / "dashboard" / "app.py"


@dataclass(frozen=True)
class Served:
    """A seeded home and the engine serving it."""

    home: Path
    info: EngineInfo
    seed: DashboardSeed


def serve_home(home: Path) -> tuple[EngineInfo, uvicorn.Server, threading.Thread, object]:
    """Open the store of ``home`` and serve it on a uvicorn thread; returns what stops it."""
    store = open_store(home)
    token = secrets.token_urlsafe(24)
    app = create_app(store, token)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the engine did not start"
        time.sleep(0.02)
    info = EngineInfo(
        "127.0.0.1", sock.getsockname()[1], os.getpid(), token, time.time(), str(store.path)
    )
    write_engine(home, info)
    return info, server, thread, store


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One seeded home with an engine, shared by every dashboard test (they only read)."""
    home = tmp_path_factory.mktemp("dashboard") / "home"
    with open_store(home, background_flush=False, flush_interval_s=None) as store:
        seed = seed_dashboard(store, home)
    info, server, thread, store = serve_home(home)
    yield Served(home, info, seed)
    server.should_exit = True
    thread.join(10)
    remove_engine(home, info.pid)
    store.close()  # type: ignore[attr-defined]


@pytest.fixture
def home(served: Served, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point ``$KITCHEN_HOME`` (which the dashboard reads) at the served home."""
    monkeypatch.setenv("KITCHEN_HOME", str(served.home))
    return served.home
