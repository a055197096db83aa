"""A store seeded once for the module's read-only checks (seeding takes a few seconds)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kitchen.demo import SeedSummary, seed_demo
from store import Store, open_store

END = datetime(2025, 1, 31, tzinfo=UTC)
RUNS = 3
EVENTS = 800


@dataclass(frozen=True)
class Seeded:
    store: Store
    summary: SeedSummary


def seed_into(home: Path, *, seed: int = 7) -> tuple[Store, SeedSummary]:
    """A new store in ``home`` seeded with the module's settings (caller closes it)."""
    store = open_store(home, background_flush=False, flush_interval_s=None)
    return store, seed_demo(store, runs=RUNS, events=EVENTS, seed=seed, end=END)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    store, summary = seed_into(tmp_path_factory.mktemp("demo") / "home")
    try:
        yield Seeded(store, summary)
    finally:
        store.close()
