"""Fixtures for the store tests: a fresh store per test in a temporary home."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# An editable install made before store/__init__.py existed maps `store` to a namespace
# package, and plain `pytest` (unlike `python -m pytest`) does not put the repo root on the
# path; put it first so the real package is imported. `pip install -e .` also fixes it.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from store import Store, open_store  # noqa: E402


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A Kitchen home folder that does not exist yet."""
    return tmp_path / "home"


@pytest.fixture
def store(home: Path) -> Iterator[Store]:
    """A writable store that flushes on the test's thread (deterministic)."""
    with open_store(home, background_flush=False, flush_interval_s=None) as opened:
        yield opened
