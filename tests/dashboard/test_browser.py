"""The dashboard in a real browser: ``kitchen dashboard --no-browser`` on the seeded home, every
page opened in headless Chromium through the DevTools protocol, waited on until its plotly
charts are drawn, checked for Streamlit's exception box, and screenshotted.

Screenshots go to ``$KITCHEN_DASHBOARD_SHOTS`` when set (to look at them), else the test's
temporary folder.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.dashboard.conftest import ROOT, Served

KITCHEN = (sys.executable, "-m", "kitchen")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {timeout_s:.0f} s")


@pytest.fixture
def dashboard_url(home: Path, served: Served) -> Iterator[str]:
    """``kitchen dashboard --no-browser`` serving the seeded home."""
    port = free_port()
    process = subprocess.Popen(
        [*KITCHEN, "dashboard", "--home", str(home), "--no-browser", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/_stcore/health")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


class Browser:
    """One headless Chromium tab driven over the DevTools protocol."""

    def __init__(self, profile: Path) -> None:
        from websockets.sync.client import connect

        port = free_port()
        self.process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={profile}",
                "--window-size=1440,2200",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_http(f"http://127.0.0.1:{port}/json/version", 30)
        targets = httpx.get(f"http://127.0.0.1:{port}/json/list").json()
        page = next(t for t in targets if t["type"] == "page")
        self.ws = connect(page["webSocketDebuggerUrl"], max_size=64 * 2**20)
        self.ids = itertools.count(1)

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self.ids)
        self.ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=60))
            if message.get("id") == call_id:
                assert "error" not in message, message
                return dict(message.get("result", {}))

    def evaluate(self, expression: str) -> Any:
        found = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return found["result"].get("value")

    def close(self) -> None:
        self.ws.close()
        self.process.terminate()
        self.process.wait(10)


# Drawn: every plotly chart has its SVG, Streamlit is not running the script, no skeletons.
READY = """(() => {
  const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
  const drawn = document.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg');
  const running = document.querySelector('[data-testid="stStatusWidget"]');
  const skeleton = document.querySelector('[data-testid="stSkeleton"]');
  const title = document.querySelector('h1');
  return !!title && charts.length > 0 && drawn.length >= charts.length && !running && !skeleton;
})()"""
EXCEPTIONS = "document.querySelectorAll('[data-testid=\"stException\"]').length"


def test_every_page_draws_in_chromium(dashboard_url: str, served: Served, tmp_path: Path) -> None:
    shots = Path(os.environ.get("KITCHEN_DASHBOARD_SHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    seed = served.seed.report
    pages = {
        "overview": "",
        "runs": f"runs?run={seed.full}&run={seed.other}",
        "evaluations": f"evaluations?run={seed.full}",
        "lineage": "lineage?model=tiny&version=1",
        "feedback": "feedback?model=tiny&version=1",
        "drift": "drift?model=tiny&version=1",
        "adversary": "adversary?model=tiny&version=2",
        "explainability": "explainability?model=tiny",
    }
    browser = Browser(tmp_path / "profile")
    try:
        for name, path in pages.items():
            browser.send("Page.navigate", url=f"{dashboard_url}/{path}")
            deadline = time.monotonic() + 45
            while not browser.evaluate(READY):
                assert browser.evaluate(EXCEPTIONS) == 0, f"{name}: Streamlit shows an exception"
                assert time.monotonic() < deadline, f"{name}: charts not drawn in 45 s"
                time.sleep(0.25)
            time.sleep(0.5)  # let plotly finish its transition
            assert browser.evaluate(EXCEPTIONS) == 0, f"{name}: Streamlit shows an exception"
            image = browser.send("Page.captureScreenshot", format="png")["data"]
            (shots / f"{name}.png").write_bytes(base64.b64decode(image))
    finally:
        browser.close()
    assert sorted(p.stem for p in shots.glob("*.png")) == sorted(pages)
