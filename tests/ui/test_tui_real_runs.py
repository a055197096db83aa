"""A real run through a real engine, driven from the TUI: launch, pause, resume, cancel; and
``kitchen tui`` in tmux launching the demo recipe until the run shows as completed."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, run_async, settle, wait_for

from kitchen.engine.client import EngineClient
from kitchen.engine.server import start_background, stop
from ui.app import KitchenApp
from ui.screens.launch import LaunchScreen
from ui.screens.modals import ConfirmScreen
from ui.screens.run_detail import RunDetailScreen

# Long enough to pause and cancel mid-run; a checkpoint every epoch so it can resume.
LONG = {
    "max_steps": "400",
    "epochs": "100",
    "save_every": "1",
    "limit": "96",
    "baseline_eval": "false",
    "eval_samples": "0",
    "threads": "1",
}


@pytest.mark.slow
def test_launch_pause_resume_and_cancel_a_real_run(tmp_path: Path) -> None:
    home = tmp_path / "home"
    info = start_background(home, slots=1, grace_s=5.0)
    client = EngineClient(info)

    def status(run_id: str) -> str:
        return client.run(run_id).run.status

    async def go() -> None:
        app = KitchenApp(info)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: app.pump_connected)
            await pilot.press("n")
            screen = app.screen
            assert isinstance(screen, LaunchScreen)
            await wait_for(pilot, lambda: screen.form is not None)
            await settle(pilot)
            form = screen.form
            assert form is not None
            for key, value in LONG.items():
                form.set_value(key, value)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen), 20)
            detail = app.screen
            assert isinstance(detail, RunDetailScreen)
            run_id = detail.run_id
            assert client.run(run_id).run.config["max_steps"] == 400
            await wait_for(pilot, lambda: app.live.run(run_id).done >= 2, 120)

            await pilot.press("p")  # pause: checkpoint at the next boundary, free the slot
            await wait_for(pilot, lambda: status(run_id) == "paused", 120)
            await settle(pilot)
            step = app.live.run(run_id).done
            await pilot.press("p")  # resume from that checkpoint
            await wait_for(pilot, lambda: status(run_id) == "running", 60)
            await wait_for(pilot, lambda: app.live.run(run_id).done > step, 120)

            await pilot.press("c")
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("y")
            await wait_for(pilot, lambda: status(run_id) == "cancelled", 120)
            await wait_for(
                pilot, lambda: "cancelled" in str(detail.query_one("#summary").render()), 20
            )

    try:
        run_async(go())
    finally:
        client.close()
        stop(home)


def _tmux(*args: str) -> str:
    done = subprocess.run(["tmux", *args], capture_output=True, text=True, check=False)
    return done.stdout


def _wait_screen(session: str, needle: str, timeout_s: float) -> str:
    deadline = time.monotonic() + timeout_s
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux("capture-pane", "-p", "-t", session)
        if needle in screen:
            return screen
        time.sleep(0.25)
    raise AssertionError(f"{needle!r} never appeared; the screen was:\n{screen}")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_tmux_launches_the_demo_recipe_and_sees_it_complete(tmp_path: Path) -> None:
    home = tmp_path / "home"
    config = tmp_path / "demo.yaml"
    config.write_text("epochs: 1\nlimit: 200\neval_samples: 20\nthreads: 1\n", encoding="utf-8")
    kitchen = Path(sys.executable).with_name("kitchen")
    command = [str(kitchen), "tui", "--home", str(home)]
    session = f"kitchen-tui-test-{os.getpid()}"
    env = [f"{k}={os.environ[k]}" for k in ("HF_HUB_OFFLINE", "HF_HOME") if k in os.environ]
    flags = [x for pair in (("-e", e) for e in env) for x in pair]
    _tmux(
        "new-session", "-d", "-s", session, "-x", "100", "-y", "30", "-c", str(ROOT), *flags,
        shlex.join(command),
    )  # fmt: skip
    try:
        _wait_screen(session, "Kitchen ▸ Runs", 30)
        _tmux("send-keys", "-t", session, "n")
        _wait_screen(session, "valid", 30)
        _tmux("send-keys", "-t", session, "C-o")
        _tmux("send-keys", "-t", session, "-l", str(config))
        _tmux("send-keys", "-t", session, "Enter")
        _wait_screen(session, "loaded demo.yaml", 10)
        _tmux("send-keys", "-t", session, "C-s")
        _wait_screen(session, "Kitchen ▸ Run ", 20)
        screen = _wait_screen(session, "succeeded", 300)
        assert "sft" in screen
        _tmux("send-keys", "-t", session, "Escape")
        screen = _wait_screen(session, "100%", 10)
        _tmux("send-keys", "-t", session, "q")
    finally:
        _tmux("kill-session", "-t", session)
        stop(home)
