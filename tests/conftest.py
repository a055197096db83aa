"""Test-wide settings: offline hub, a project-local HF cache, a fresh Kitchen home per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Nothing in the suite may reach a hub; caches stay inside the project.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ.setdefault("HF_HOME", str(ROOT / ".hf_home"))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "kitchen-home"
    monkeypatch.setenv("KITCHEN_HOME", str(home))
    yield home
    # `kitchen run` auto-starts an engine: none may outlive its test.
    from kitchen.engine.files import read_engine

    info = read_engine(home)
    if info is not None and info.pid != os.getpid():  # some tests fake a file naming pytest
        from kitchen.engine.server import stop

        stop(home)
