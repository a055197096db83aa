"""Stage events and logs: bulk-written, numbered per run, tailed by sequence number."""

from __future__ import annotations

from pathlib import Path

import pytest

from store import InvalidValueError, Store, open_store


def test_stage_events_round_trip(store: Store) -> None:
    store.log_stage_event("r1", "train", "train", "started", wall_time=1.0)
    store.log_stage_event(
        "r1", "train", "train", "finished", wall_time=3.5, duration_s=2.5, detail={"steps": 10}
    )
    store.log_stage_event("r2", "eval", "eval", "skipped", wall_time=4.0)
    events = store.stage_events("r1")
    assert [(e.seq, e.event, e.duration_s, e.detail_json) for e in events] == [
        (0, "started", None, None),
        (1, "finished", 2.5, '{"steps":10}'),
    ]
    assert [e.seq for e in store.stage_events("r2")] == [0]
    with pytest.raises(InvalidValueError):
        store.log_stage_event("r1", "x", "x", "exploded")  # type: ignore[arg-type]


def test_logs_tail_and_filter(store: Store) -> None:
    for i, level in enumerate(["DEBUG", "info", "Warning", "error", "critical"]):
        store.log("r1", level, f"line {i}", stage="train", wall_time=float(i))
    lines = store.logs("r1")
    assert [(line.seq, line.level) for line in lines] == [
        (0, "debug"),
        (1, "info"),
        (2, "warning"),
        (3, "error"),
        (4, "critical"),
    ]
    assert [line.seq for line in store.logs("r1", after_seq=2)] == [3, 4]
    assert [line.seq for line in store.logs("r1", limit=2)] == [0, 1]
    assert [line.level for line in store.logs("r1", min_level="error")] == ["error", "critical"]
    with pytest.raises(InvalidValueError):
        store.log("r1", "loud", "x")


def test_numbering_continues_after_reopening(home: Path) -> None:
    with open_store(home, background_flush=False) as first:
        first.log("r1", "info", "a")
        first.log("r1", "info", "b")
    with open_store(home, background_flush=False) as second:
        second.log("r1", "info", "c")
        assert [(line.seq, line.message) for line in second.logs("r1")] == [
            (0, "a"),
            (1, "b"),
            (2, "c"),
        ]


def test_many_logs_flush_in_bulk(store: Store) -> None:
    for i in range(5000):
        store.log("r1", "info", f"step {i}")
    assert store.flush() == 5000 % 1024
    lines = store.logs("r1", after_seq=4990, limit=100)
    assert [line.message for line in lines] == [f"step {i}" for i in range(4991, 5000)]
