"""Every run event survives the wire unchanged; malformed ones are rejected naming the field."""

from __future__ import annotations

import json
import typing

import pytest

from kitchen import events as ev
from kitchen.engine.wire import EVENT_TYPES, WireError, decode_batch, from_wire, to_wire

EXAMPLES: list[ev.Event] = [
    ev.RunStarted("r1", "sft", {"lr": 0.1, "nested": {"a": [1, 2]}}, resumed=True),
    ev.StageStarted("r1", "train", "root/train", 1),
    ev.StageFinished("r1", "train", "root/train", 1, 1.5, skipped=True),
    ev.StageFailed("r1", "train", "root/train", 1, "ValueError", "boom"),
    ev.Metrics("r1", 7, {"train/loss": 0.5, "lr": 1e-4}),
    ev.Progress("r1", 3, 10, unit="batch", info={"tok/s": 12.5}),
    ev.Log("r1", "warning", "careful", stage="train"),
    ev.ArtifactSaved("r1", "checkpoint", "ckpt-7", "ab" * 32, 123, 7, meta={"k": "v"}),
    ev.ModelRegistered("r1", "tiny", 2, "cd" * 32),
    ev.RunFinished("r1", "failed", error_type="TrainingError", message="NaN", last_step=7),
]


def test_examples_cover_every_event_type() -> None:
    union = set(typing.get_args(ev.Event))
    assert {type(e) for e in EXAMPLES} == union == set(EVENT_TYPES.values())


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: type(e).__name__)
def test_round_trip_through_json(event: ev.Event) -> None:
    data = json.loads(json.dumps(to_wire(event)))
    assert data["type"] == type(event).__name__
    assert from_wire(data) == event


def test_missing_wall_time_defaults_to_now() -> None:
    event = from_wire({"type": "Log", "run_id": "r", "level": "info", "message": "m"})
    assert isinstance(event, ev.Log) and event.wall_time > 0


@pytest.mark.parametrize(
    ("item", "loc"),
    [
        ({"type": "Nope", "run_id": "r"}, (1, "type")),
        ({"run_id": "r"}, (1, "type")),
        ({"type": "Metrics", "run_id": "r", "values": {}}, (1, "step")),
        (
            {"type": "Metrics", "run_id": "r", "step": 1, "values": {"loss": "x"}},
            (1, "values", "loss"),
        ),
        ({"type": "Log", "run_id": "r", "level": "loud", "message": "m"}, (1, "level")),
        ("not an object", (1,)),
    ],
)
def test_malformed_events_name_the_field(item: object, loc: tuple[object, ...]) -> None:
    good = to_wire(ev.Metrics("r", 1, {"loss": 1.0}))
    with pytest.raises(WireError) as caught:
        decode_batch([good, item])
    assert caught.value.loc == loc
