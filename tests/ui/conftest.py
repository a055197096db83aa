"""Fixtures of the TUI tests: a seeded store served by a real engine, and app helpers."""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import io
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

# ``tests/`` precedes the repository on sys.path when this folder is collected alone, and its
# ``tests/store`` folder then shadows the ``store`` package: put the repository first.
ROOT = Path(__file__).resolve().parents[2]
if sys.path[:1] != [str(ROOT)]:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402
from rich.console import Console  # noqa: E402
from textual.app import App  # noqa: E402
from textual.pilot import Pilot  # noqa: E402
from textual.worker import WorkerCancelled, WorkerFailed  # noqa: E402

from kitchen.engine.files import EngineInfo, pid_alive  # noqa: E402
from kitchen.engine.server import start_background, stop  # noqa: E402
from store import open_store  # noqa: E402
from tests.engine_service.conftest import seed  # noqa: E402

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("KITCHEN_UPDATE_SNAPSHOTS") == "1"


@dataclass(frozen=True)
class Served:
    """A seeded home with an engine serving it.

    Attributes:
        a: A succeeded run with 20 loss points, an artifact and model ``tiny`` v1.
        b: A failed run with 10 loss points.
        live: Runs created for tests that stream events into them.
    """

    home: Path
    info: EngineInfo
    a: str
    b: str
    live: tuple[str, ...]


def serve_seeded(home: Path, live_runs: int = 0) -> Served:
    """Seed ``home`` (plus ``live_runs`` empty runs) and start an engine on it."""
    with open_store(home, background_flush=False, flush_interval_s=None) as store:
        a, b, _ = seed(store)
        live = []
        for i in range(live_runs):
            run = store.create_run(recipe="sft", experiment="live", config={"model": f"m{i}"})
            store.set_run_status(run.id, "cancelled")  # not queued: the engine would run it
            live.append(run.id)
        store.flush()
    info = start_background(home, slots=1, grace_s=5.0)
    return Served(home, info, a, b, tuple(live))


def stop_engine(served: Served) -> None:
    """Stop the engine and wait for its process to go."""
    stop(served.home)
    deadline = time.monotonic() + 10
    while pid_alive(served.info.pid) and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One seeded engine for a test module (views that only read share it)."""
    s = serve_seeded(tmp_path_factory.mktemp("tui-home"), live_runs=3)
    yield s
    stop_engine(s)


async def settle(pilot: Pilot[object], rounds: int = 4) -> None:
    """Let workers finish and their results land on the screen."""
    for _ in range(rounds):
        with contextlib.suppress(WorkerCancelled, WorkerFailed):  # a newer call replaced it
            await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.05)


async def wait_for(
    pilot: Pilot[object], condition: Callable[[], bool], timeout_s: float = 10.0
) -> None:
    """Pause the pilot until ``condition()`` holds."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause(0.05)


def screen_text(app: App[object]) -> str:
    """The screen as plain text, the way ``export_screenshot`` renders it."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), force_terminal=True, record=True
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


def normalise(text: str, served: Served) -> str:
    """Replace what changes between runs of the suite: ids, ports, ages, durations, pids."""
    names = {served.a: "RUN_A", served.b: "RUN_B"}
    names.update({run_id: f"LIVE_{i}" for i, run_id in enumerate(served.live)})
    for run_id, name in names.items():
        text = text.replace(run_id, name.ljust(32)).replace(run_id[:12], name.ljust(12))
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)
    text = re.sub(r"\b\d+(\.\d+)?(s|m|h|d)\b", lambda m: "T".ljust(len(m.group(0))), text)
    text = re.sub(r"\b\d+m\d\ds\b", lambda m: "T".ljust(len(m.group(0))), text)
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


async def assert_snapshot(
    pilot: Pilot[object], app: App[object], name: str, served: Served
) -> None:
    """Compare the screen with ``snapshots/<name>.txt`` (written when missing or updating).

    On a busy machine a screen can be caught mid-layout (a table before its column widths
    settle), so a mismatch is looked at again for up to ten seconds before it fails. Set
    ``KITCHEN_UPDATE_SNAPSHOTS=1`` to rewrite them after an intended change. An SVG of the
    same screen is kept beside the text for people to look at.
    """
    path = SNAPSHOTS / f"{name}.txt"
    text = normalise(screen_text(app), served)
    if path.exists() and not UPDATE:
        expected = path.read_text(encoding="utf-8")
        deadline = time.monotonic() + 10.0
        while text != expected and time.monotonic() < deadline:
            await pilot.pause(0.2)
            text = normalise(screen_text(app), served)
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        svg = app.export_screenshot(title=name)
        (SNAPSHOTS / f"{name}.svg").write_text(normalise(svg, served), encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    diff = "\n".join(
        difflib.unified_diff(
            expected.splitlines(), text.splitlines(), "expected", "shown", lineterm=""
        )
    )
    assert text == expected, f"screen {name} differs from {path}:\n{diff}"


def run_async(coro: object) -> None:
    """Run a coroutine to completion (tests are plain functions; no asyncio plugin)."""
    asyncio.run(coro)  # type: ignore[arg-type]
