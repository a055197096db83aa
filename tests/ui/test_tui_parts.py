"""The TUI's pieces without an app: formatters, live state, charts, stage tree, config form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kitchen import events as ev
from ui import format as fmt
from ui.live import CURVE_CAP, LOG_CAP, Curve, LiveState, stage_key
from ui.widgets.chart import Series, plot
from ui.widgets.config_form import as_text, fields_of
from ui.widgets.stage_tree import tree_rows


def test_formatters() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert fmt.age(now - timedelta(seconds=42), now) == "42s"
    assert fmt.age(now - timedelta(hours=3), now) == "3h"
    assert fmt.age(None) == "-"
    assert fmt.duration(125) == "2m05s"
    assert fmt.size(1536) == "1.5 KiB"
    assert fmt.number(0.000123) == "1.230e-04" and fmt.number(2.5) == "2.5"
    assert fmt.progress_bar(5, 10, 10) == "█████░░░░░  50%"
    assert fmt.short_id("0123456789abcdef") == "0123456789ab"


def test_curves_stay_bounded_and_keep_the_last_point() -> None:
    curve = Curve()
    for step in range(1, 10 * CURVE_CAP):
        curve.add(step, float(step))
    assert len(curve.steps) < CURVE_CAP
    assert curve.steps[-1] == 10 * CURVE_CAP - 1 and curve.steps[0] == 1
    assert curve.steps == sorted(curve.steps)
    curve.add(5, 0.0)  # an old step is not appended
    assert curve.steps[-1] == 10 * CURVE_CAP - 1


def test_fetched_history_goes_before_live_points() -> None:
    curve = Curve()
    curve.add(5, 0.5)
    curve.add(6, 0.6)
    curve.merge([1, 2, 3, 4, 5], [1.0, 2.0, 3.0, 4.0, 5.0])
    assert curve.steps == [1, 2, 3, 4, 5, 6] and curve.values[-1] == 0.6


def test_live_state_folds_events_and_forgets_old_finished_runs() -> None:
    live = LiveState(run_cap=3)
    live.apply(ev.RunStarted("r1", "sft", {}))
    live.apply(ev.Progress("r1", 3, 10))
    live.apply(ev.Metrics("r1", 3, {"train/loss": 1.5}))
    live.apply(ev.StageStarted("r1", "get_batch", "epochs[0]/batches[2]/get_batch", 2))
    live.apply(ev.StageFinished("r1", "get_batch", "epochs[0]/batches[2]/get_batch", 2, 0.5))
    for i in range(LOG_CAP + 5):
        live.apply(ev.Log("r1", "info", f"line {i}"))
    run = live.runs["r1"]
    assert (run.status, run.done, run.total, run.metrics["train/loss"]) == ("running", 3, 10, 1.5)
    stage = run.stages["epochs/batches/get_batch"]
    assert (stage.state, stage.finished) == ("done", 1)
    assert len(run.logs) == LOG_CAP and run.log_total == LOG_CAP + 5
    live.apply(ev.RunFinished("r1", "succeeded", last_step=10))
    live.apply(ev.RunStarted("r2", "sft", {}))
    live.apply(ev.RunStarted("r3", "sft", {}))
    live.apply(ev.RunStarted("r4", "sft", {}))
    assert "r1" not in live.runs and {"r2", "r3", "r4"} <= set(live.runs)


def test_stage_keys_match_tree_rows() -> None:
    assert stage_key("epochs[3]/batches[12]/optim_step") == "epochs/batches/optim_step"
    stages = [
        {"depth": 0, "kind": "stage", "name": "load"},
        {"depth": 0, "kind": "loop", "name": "epochs"},
        {"depth": 1, "kind": "loop", "name": "batches"},
        {"depth": 2, "kind": "stage", "name": "step"},
        {"depth": 1, "kind": "branch", "name": "should_eval"},
        {"depth": 2, "kind": "stage", "name": "evaluate"},
        {"depth": 0, "kind": "stage", "name": "evaluate"},
    ]
    keys = [r.key for r in tree_rows(stages) if r.kind == "stage"]
    assert keys == ["load", "epochs/batches/step", "epochs/evaluate", "evaluate"]


def test_plot_draws_every_series_within_its_box() -> None:
    series = [
        Series("a", list(range(100)), [1.0 / (i + 1) for i in range(100)]),
        Series("b", list(range(50)), [0.5] * 50),
    ]
    text = plot(series, 40, 10, "loss")
    lines = text.plain.splitlines()
    assert len(lines) == 10 and all(len(line) <= 40 for line in lines)
    assert "loss" in lines[0] and "a" in lines[0] and "step 0" in lines[-1]
    assert any("\u2800" < ch <= "\u28ff" for ch in text.plain)
    assert "no data yet" in plot([], 40, 10, "empty").plain
    assert "no data yet" in plot([Series("n", [1], [float("nan")])], 40, 10).plain


def test_form_fields_come_from_the_schema() -> None:
    schema = {
        "properties": {
            "epochs": {"type": "integer", "default": 20, "description": "passes"},
            "lr_schedule": {"enum": ["constant", "cosine"], "default": "cosine"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            "flag": {"type": "boolean", "default": False},
            "limit": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None},
        }
    }
    fields = {f.name: f for f in fields_of(schema)}
    assert fields["epochs"].kind == "integer" and fields["epochs"].description == "passes"
    assert fields["lr_schedule"].choices == ("constant", "cosine")
    assert fields["fields"].kind == "json" and fields["fields"].default == {}
    assert fields["flag"].kind == "boolean" and fields["limit"].kind == "integer"
    assert as_text({"a": "b"}) == '{"a": "b"}' and as_text(True) == "true" and as_text(None) == ""
