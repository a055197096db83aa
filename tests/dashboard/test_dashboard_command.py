"""``kitchen dashboard``'s command line: always headless, and where a browser tab may open."""

from __future__ import annotations

import sys

import pytest

from dashboard.cli import browser_hint, streamlit_command


def test_streamlit_always_runs_headless_on_loopback() -> None:
    command = streamlit_command(8600)
    flags = dict(zip(command[5::2], command[6::2], strict=True))
    assert flags == {
        "--server.address": "127.0.0.1",
        "--server.port": "8600",
        "--server.headless": "true",  # no e-mail prompt on a first run
        "--browser.gatherUsageStats": "false",
    }


def test_no_tab_over_ssh_or_without_a_display() -> None:
    ssh = browser_hint(8600, {"SSH_CONNECTION": "10.0.0.2 5000 10.0.0.1 22", "DISPLAY": ":0"})
    assert ssh is not None and "ssh -L 8600:127.0.0.1:8600" in ssh
    if sys.platform.startswith("linux"):
        bare = browser_hint(8600, {})
        assert bare is not None and "http://127.0.0.1:8600" in bare
    assert browser_hint(8600, {"DISPLAY": ":0"}) is None


@pytest.mark.parametrize("variable", ["DISPLAY", "WAYLAND_DISPLAY"])
def test_a_display_allows_a_tab(variable: str) -> None:
    assert browser_hint(8501, {variable: "x"}) is None
