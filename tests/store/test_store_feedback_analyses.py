"""Feedback events and persisted analyses: insert, read back, filter, summarise, refuse bad rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from store import Store
from store.errors import InvalidValueError, NotFoundError

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _events(n: int, *, version: int = 1) -> list[dict[str, object]]:
    return [
        {
            "ts": (T0 + timedelta(hours=i)).isoformat(),
            "model_name": "clf",
            "model_version": version,
            "input": f"text {i}",
            "output": "positive" if i % 2 else "negative",
            "latency_ms": 10.0 + i,
            "user_signal": 1 if i % 3 else -1,
            "features": {"length": i, "lang": "en"},
            "quality_flags": ["too_short"] if i == 0 else [],
            "redactions": 1 if i == 1 else 0,
        }
        for i in range(n)
    ]


def test_feedback_round_trip_and_windows(store: Store) -> None:
    batch, count = store.log_feedback(_events(6), source="events.jsonl")
    assert count == 6
    table = store.feedback_events()
    assert table.num_rows == 6
    frame = table.to_pandas()
    assert list(frame["input"]) == [f"text {i}" for i in range(6)]
    assert set(frame["batch_id"]) == {batch} and set(frame["source"]) == {"events.jsonl"}
    assert frame["quality_flags"][0] == "too_short" and frame["quality_flags"][1] == ""
    window = store.feedback_events(since=T0 + timedelta(hours=2), until=T0 + timedelta(hours=4))
    assert window.column("input").to_pylist() == ["text 2", "text 3"]
    only = store.feedback_events(columns=["latency_ms"], limit=2)
    assert only.column_names == ["latency_ms"] and only.num_rows == 2


def test_feedback_summaries_per_version(store: Store) -> None:
    store.log_feedback(_events(6, version=1))
    store.log_feedback(_events(3, version=2))
    first, second = store.feedback_summaries()
    assert (first.model_version, first.n, first.flagged, first.redacted) == (1, 6, 1, 1)
    assert second.n == 3 and second.first_ts == T0 and second.last_ts == T0 + timedelta(hours=2)
    assert first.mean_latency_ms == pytest.approx(12.5)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ts": "yesterday"}, "'ts' must be an ISO 8601 time"),
        ({"output": None}, "event 1 has no 'output'"),
        ({"latency_ms": "fast"}, "'latency_ms' must be a number"),
        ({"model_version": 1.5}, "'model_version' must be a whole number"),
        ({"features": [1, 2]}, "'features' must be a mapping"),
    ],
)
def test_bad_feedback_is_refused_whole(
    store: Store, change: dict[str, object], message: str
) -> None:
    rows = _events(2)
    rows[1].update(change)
    with pytest.raises(InvalidValueError, match=message):
        store.log_feedback(rows)
    assert store.feedback_events().num_rows == 0


def test_timestamps_in_any_form_become_utc(store: Store) -> None:
    rows = _events(3)
    rows[0]["ts"] = "2026-11-01T00:00:00Z"
    rows[1]["ts"] = T0.timestamp() + 3600
    rows[2]["ts"] = datetime(2026, 11, 1, 2)  # naive: UTC
    store.log_feedback(rows)
    stamps = store.feedback_events(columns=["ts"]).column("ts").to_pylist()
    assert stamps == [T0, T0 + timedelta(hours=1), T0 + timedelta(hours=2)]


def test_analyses_round_trip(store: Store) -> None:
    run = store.create_run(recipe="drift", config={}).id
    first = store.log_analysis(
        kind="drift",
        name="drift clf v1",
        params={"threshold": 0.1, "window": "7d"},
        summary={"drifted": 2, "features": 10},
        result={"features": [{"name": "length", "psi": 0.3}]},
        model_name="clf",
        model_version=1,
        run_id=run,
        seed=7,
    )
    store.log_analysis(kind="xai", name="shap", params={}, summary={"n": 1}, model_name="clf")
    assert [a.kind for a in store.list_analyses()] == ["xai", "drift"]
    assert [a.id for a in store.list_analyses(kind="drift", model_version=1)] == [first.id]
    assert store.get_analysis(first.id).seed == 7
    assert store.analysis_result(first.id) == {"features": [{"name": "length", "psi": 0.3}]}
    assert store.analysis_result(store.list_analyses(kind="xai")[0].id) is None
    with pytest.raises(NotFoundError):
        store.get_analysis("nope")
    with pytest.raises(InvalidValueError, match="kind must be one of"):
        store.log_analysis(kind="vibes", name="x", params={}, summary={})
    with pytest.raises(InvalidValueError, match="use null for NaN"):
        store.log_analysis(kind="drift", name="x", params={}, summary={"psi": float("nan")})
    store.set_run_status(run, "running")
    store.set_run_status(run, "succeeded")
    store.delete_run(run)
    assert [a.kind for a in store.list_analyses()] == ["xai"]
