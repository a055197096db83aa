"""Event validation: fields, model versions, signals, features; PII out; errors name the field."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from kitchen.analysis.feedback import (
    EventError,
    normalise_signal,
    parse_model,
    prepare_events,
    rating_signal,
)
from kitchen.errors import DataError


def event(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"ts": "2024-05-01T12:00:00Z", "input": "hi", "output": "Hello there!"}
    return {**base, **fields}


def test_a_full_event_becomes_a_store_row() -> None:
    prepared = prepare_events(
        [
            event(
                model="clf@3",
                latency_ms="12.5",
                rating=5,
                label="positive",
                features={"lang": "en"},
                **{"feature.len": 12, "session": "s1"},
            )
        ],
        source="x.jsonl",
    )
    (row,) = prepared.rows
    assert row["ts"] == datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert (row["model_name"], row["model_version"]) == ("clf", 3)
    assert row["latency_ms"] == 12.5 and row["user_signal"] == 1.0
    assert row["label"] == "positive"
    assert row["features"] == {"lang": "en", "len": 12}
    assert row["quality_flags"] == [] and row["redactions"] == 0
    assert prepared.ignored_fields == ("session",)
    assert prepared.kept == (0,)


def test_model_forms() -> None:
    assert parse_model("clf@2") == ("clf", 2)
    assert parse_model("org/clf@v7") == ("org/clf", 7)
    assert parse_model("clf") == ("clf", None)
    with pytest.raises(EventError, match="NAME@VERSION"):
        parse_model("clf@latest")
    row = prepare_events([event(model_name="clf", model_version=2)]).rows[0]
    assert (row["model_name"], row["model_version"]) == ("clf", 2)
    with pytest.raises(EventError, match="not both"):
        prepare_events([event(model="a@1", model_name="a")])
    with pytest.raises(EventError, match="'model_version' needs 'model_name'"):
        prepare_events([event(model_version=1)])


@pytest.mark.parametrize(
    ("raw", "signal"),
    [
        (True, 1.0),
        (False, -1.0),
        ("up", 1.0),
        ("Thumbs_Down", -1.0),
        ("👍", 1.0),
        ("+1", 1.0),
        ("-1", -1.0),
        (0.5, 0.5),
        ("neutral", 0.0),
        (None, None),
    ],
)
def test_user_signals_normalise_to_minus_one_to_one(raw: Any, signal: float | None) -> None:
    assert normalise_signal(raw) == signal


def test_ratings_map_linearly() -> None:
    assert [rating_signal(r) for r in (1, 2, 3, 4, 5)] == [-1.0, -0.5, 0.0, 0.5, 1.0]
    with pytest.raises(EventError, match="'rating' must be from 1 to 5"):
        rating_signal(0)
    with pytest.raises(EventError, match="put a 1-5 rating in 'rating'"):
        normalise_signal(4)
    with pytest.raises(EventError, match="'user_signal' or 'rating'"):
        prepare_events([event(user_signal="up", rating=4)])


def test_latency_in_seconds_is_converted() -> None:
    assert prepare_events([event(latency_s=0.25)]).rows[0]["latency_ms"] == 250.0
    with pytest.raises(EventError, match="latency must be >= 0"):
        prepare_events([event(latency_ms=-1)])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ts": None}, "events.jsonl event 2: 'ts' is missing"),
        ({"ts": "yesterday"}, "events.jsonl event 2: 'ts' must be an ISO 8601 time"),
        ({"output": None}, "events.jsonl event 2: 'output' is missing"),
        ({"input": ["a"]}, "events.jsonl event 2: 'input' must be text"),
        ({"latency_ms": "fast"}, "events.jsonl event 2: 'latency_ms' must be a number"),
        ({"features": [1, 2]}, "events.jsonl event 2: 'features' must be a mapping"),
        ({"features": "{oops"}, "events.jsonl event 2: 'features' is not a JSON object"),
        ({"feature.x": {"a": 1}}, "events.jsonl event 2: feature 'x' must be a number"),
    ],
)
def test_errors_name_the_event_and_the_field(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(DataError) as raised:
        prepare_events([event(), event(**fields)], source="events.jsonl")
    assert message in str(raised.value)
    assert "1 of 2 events are invalid, so none was stored" in str(raised.value)


def test_every_bad_event_is_listed_or_skipped() -> None:
    events = [event(), event(ts=None), event(output=None), event()]
    where = [f"f.csv line {i + 2}" for i in range(4)]
    with pytest.raises(EventError) as raised:
        prepare_events(events, locations=where)
    assert "f.csv line 3: 'ts' is missing; f.csv line 4: 'output' is missing" in str(raised.value)
    prepared = prepare_events(events, locations=where, skip_invalid=True)
    assert len(prepared.rows) == 2 and prepared.kept == (0, 3)
    assert prepared.skipped == [
        "f.csv line 3: 'ts' is missing",
        "f.csv line 4: 'output' is missing",
    ]


def test_pii_is_redacted_in_every_text_field_and_counted() -> None:
    prepared = prepare_events(
        [
            event(
                input="I'm ann@corp.com, call +1 415-555-2671",
                output="Your card 4111 1111 1111 1111 is noted.",
                label="SSN 123-45-6789",
                features={"note": "mail bob@corp.com", "age": 41},
            ),
            event(),
        ]
    )
    first, second = prepared.rows
    assert first["input"] == "I'm [EMAIL], call [PHONE]"
    assert first["output"] == "Your card [CARD] is noted."
    assert first["label"] == "SSN [SSN]"
    assert first["features"] == {"note": "mail [EMAIL]", "age": 41}
    assert first["redactions"] == 5 and second["redactions"] == 0
    assert prepared.redacted_events == 1
    assert prepared.redactions == {"card": 1, "email": 2, "phone": 1, "ssn": 1}


def test_quality_flags_are_counted_per_flag() -> None:
    prepared = prepare_events(
        [event(output=""), event(output="I'm sorry, but I cannot help with that."), event()]
    )
    assert [r["quality_flags"] for r in prepared.rows] == [["empty"], ["refusal"], []]
    assert prepared.flagged == {"empty": 1, "refusal": 1}
