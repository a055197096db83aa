"""``POST /v1/demo/seed`` and ``kitchen demo seed`` / ``seed_demo(EngineClient)`` over real HTTP.

The engine here is the real app served by uvicorn in a thread over a store of this test (with
the demo router mounted when the app does not mount it yet), announced in the home's engine
file so that the CLI finds it exactly as it finds a background engine.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
import uvicorn
from typer.testing import CliRunner

from kitchen.analysis.feedback import redact
from kitchen.cli.demo import demo_app
from kitchen.demo import seed_demo
from kitchen.demo.routes import router
from kitchen.engine.app import create_app
from kitchen.engine.client import EngineClient
from kitchen.engine.files import EngineInfo, remove_engine, write_engine
from kitchen.errors import ConfigError
from store import open_store

PATH = "/v1/demo/seed"


@pytest.fixture
def engine(_isolated_home: Path) -> Iterator[EngineInfo]:
    """An engine serving the test's home in this process."""
    home = _isolated_home
    token = secrets.token_hex(8)
    with open_store(home, background_flush=False, flush_interval_s=None) as store:
        app = create_app(store, token)
        if PATH not in {getattr(route, "path", "") for route in app.routes}:
            app.include_router(router, prefix="/v1")
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
        port = sock.getsockname()[1]
        info = EngineInfo("127.0.0.1", port, os.getpid(), token, time.time(), str(store.path))
        write_engine(home, info)
        try:
            yield info
        finally:
            server.should_exit = True
            thread.join(10)
            remove_engine(home, info.pid)


def test_seed_demo_through_the_engine_client(engine: EngineInfo) -> None:
    end = datetime(2025, 3, 1, tzinfo=UTC)
    with EngineClient(engine) as client:
        summary = seed_demo(client, runs=1, events=300, seed=3, end=end)
        assert summary.events == 300 and summary.start.startswith("2025-01-30")
        assert len(summary.runs) == 3 and summary.versions == [1, 2]
        stored = client.feedback_events(limit=1000)
        assert len(stored) == 300
        assert all(redact(e.input).total == 0 for e in stored)
        kinds = {a.kind for a in client.analyses(limit=100)}
        assert kinds == {"drift", "drift_reference", "adversary", "xai", "attribution_drift"}
        assert client.model_version("sentiment-clf", "champion").version == 1
        with pytest.raises(ConfigError, match="events must be >= 200"):
            seed_demo(client, events=10)


def _cli() -> typer.Typer:
    """``kitchen`` with the demo group mounted as the lead mounts it."""
    app = typer.Typer()
    app.add_typer(demo_app, name="demo")
    return app


def test_cli_seeds_through_the_engine(engine: EngineInfo) -> None:
    runner, cli = CliRunner(), _cli()
    bad = runner.invoke(cli, ["demo", "seed", "--end", "someday"])
    assert bad.exit_code == ConfigError.exit_code and "--end must be" in bad.output
    result = runner.invoke(
        cli, ["demo", "seed", "--runs", "0", "--events", "200", "--end", "2025-03-01", "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["events"] == 200 and summary["analyses"]["drift"] == 3
    assert summary["end"].startswith("2025-03-01")
    again = runner.invoke(cli, ["demo", "seed", "--events", "200", "--seed", "1"])
    assert again.exit_code == 1 and "already holds demo data" in again.output
    with EngineClient(engine) as client:
        assert sum(s.n for s in client.feedback_summary()) == 200  # the refused seed wrote none


def test_cli_prints_what_it_seeded(engine: EngineInfo) -> None:
    text = CliRunner().invoke(_cli(), ["demo", "seed", "--runs", "2", "--events", "200"])
    assert text.exit_code == 0, text.output
    assert "runs: 4 training, 2 evaluation" in text.stdout
    assert "feedback: 200 events" in text.stdout and "analyses: adversary 2" in text.stdout
