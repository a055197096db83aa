"""UI queries on small seeded data: runs table, curves, last values, comparisons."""

from __future__ import annotations

import pytest

from store import InvalidValueError, Store
from store.queries import metric_curves


@pytest.fixture
def seeded(store: Store) -> dict[str, str]:
    """Three runs: a finished one, a running one in another experiment, a queued one."""
    a = store.create_run(recipe="sl", experiment="e1", config={"lr": 0.1, "bs": 8})
    b = store.create_run(recipe="rl", experiment="e2", config={"lr": 0.2, "extra": True})
    c = store.create_run(recipe="sl", experiment="e1")
    store.set_run_status(a.id, "running")
    for step in range(10):
        store.log_metrics(a.id, step, {"loss": 10.0 - step, "lr": 0.1})
    store.set_run_status(a.id, "succeeded")
    store.set_run_status(b.id, "running")
    for step in range(5):
        store.log_metric(b.id, "loss", step, 20.0 - step)
    store.log_metric(b.id, "eval/accuracy", 4, 0.75)
    return {"a": a.id, "b": b.id, "c": c.id}


def test_runs_table_newest_first_with_summary_metrics(store: Store, seeded: dict[str, str]) -> None:
    rows = store.runs_table()
    assert [r.id for r in rows] == [seeded["c"], seeded["b"], seeded["a"]]
    c, b, a = rows
    assert (a.status, a.last_step, a.metrics) == ("succeeded", 9, {"loss": 1.0, "lr": 0.1})
    assert a.duration_s is not None and a.duration_s >= 0
    assert b.metrics == {"loss": 16.0, "eval/accuracy": 0.75}
    assert b.duration_s is not None and b.experiment == "e2"
    assert (c.status, c.duration_s, c.last_step, c.metrics) == ("queued", None, None, {})


def test_runs_table_filters_and_pages(store: Store, seeded: dict[str, str]) -> None:
    assert [r.id for r in store.runs_table(status="running")] == [seeded["b"]]
    assert {r.id for r in store.runs_table(status=["running", "queued"])} == {
        seeded["b"],
        seeded["c"],
    }
    assert [r.id for r in store.runs_table(experiment="e1")] == [seeded["c"], seeded["a"]]
    assert [r.id for r in store.runs_table(recipe="rl")] == [seeded["b"]]
    assert [r.id for r in store.runs_table(limit=1, offset=1)] == [seeded["b"]]
    assert store.runs_table(experiment="nope") == []
    assert store.runs_table(summary_keys=["lr"])[2].metrics == {"lr": 0.1}


def test_metric_curve_returns_every_point_when_small(store: Store, seeded: dict[str, str]) -> None:
    curve = store.metric_curve(seeded["a"], "loss")
    assert curve.steps == list(range(10))
    assert curve.values == [10.0 - s for s in range(10)]
    assert (curve.total_points, curve.downsampled) == (10, False)
    empty = store.metric_curve(seeded["c"], "loss")
    assert (empty.steps, empty.values, empty.total_points) == ([], [], 0)


def test_downsampled_curve_keeps_extremes(store: Store) -> None:
    run = store.create_run(recipe="r")
    for step in range(10_000):
        value = 100.0 if step == 4321 else (-50.0 if step == 7777 else step % 10)
        store.log_metric(run.id, "loss", step, value)
    curve = store.metric_curve(run.id, "loss", max_points=100)
    assert curve.downsampled and curve.total_points == 10_000
    assert len(curve.steps) <= 100
    assert curve.steps == sorted(curve.steps)
    assert (4321, 100.0) in zip(curve.steps, curve.values, strict=True)
    assert (7777, -50.0) in zip(curve.steps, curve.values, strict=True)
    assert (curve.steps[0], curve.steps[-1], curve.values[-1]) == (0, 9_999, 9.0)
    with pytest.raises(InvalidValueError):
        store.metric_curve(run.id, "loss", max_points=3)


def test_curves_for_several_runs_in_one_query(store: Store, seeded: dict[str, str]) -> None:
    curves = store.metric_curves([seeded["a"], seeded["b"], seeded["c"]], "loss")
    assert curves[seeded["a"]].values[-1] == 1.0
    assert curves[seeded["b"]].steps == [0, 1, 2, 3, 4]
    assert curves[seeded["c"]].total_points == 0
    assert metric_curves(store.db, [], "loss") == {}


def test_last_values(store: Store, seeded: dict[str, str]) -> None:
    values = store.last_values([seeded["a"], seeded["b"], seeded["c"]])
    assert values == {
        seeded["a"]: {"loss": 1.0, "lr": 0.1},
        seeded["b"]: {"eval/accuracy": 0.75, "loss": 16.0},
        seeded["c"]: {},
    }
    assert store.last_values([seeded["a"]], ["loss"]) == {seeded["a"]: {"loss": 1.0}}
    assert store.last_values([]) == {}


def test_last_values_with_glob_patterns(store: Store) -> None:
    run = store.create_run(recipe="eval")
    store.log_metrics(
        run.id,
        0,
        {"eval/gsm8k/accuracy": 0.5, "eval/gsm8k/stderr": 0.1, "eval/mmlu/accuracy": 0.25},
    )
    store.log_metric(run.id, "eval_loss", 0, 2.0)
    values = store.last_values([run.id], ["eval/*/accuracy", "eval_loss"])
    assert values == {
        run.id: {"eval/gsm8k/accuracy": 0.5, "eval/mmlu/accuracy": 0.25, "eval_loss": 2.0}
    }
    assert store.last_values([run.id], ["eval/*/nothing"]) == {run.id: {}}
    assert store.runs_table(summary_keys=["eval/gsm8k/*"])[0].metrics == {
        "eval/gsm8k/accuracy": 0.5,
        "eval/gsm8k/stderr": 0.1,
    }


def test_metric_keys(store: Store, seeded: dict[str, str]) -> None:
    assert store.metric_keys(seeded["b"]) == ["eval/accuracy", "loss"]
    assert store.metric_keys(seeded["c"]) == []


def test_compare_runs(store: Store, seeded: dict[str, str]) -> None:
    comparison = store.compare_runs(seeded["a"], seeded["b"][:28])
    assert comparison.a.id == seeded["a"] and comparison.b.id == seeded["b"]
    params = {p.key: (p.a, p.b, p.differs) for p in comparison.params}
    assert params == {
        "bs": (8, None, True),
        "extra": (None, True, True),
        "lr": (0.1, 0.2, True),
    }
    metrics = {m.key: (m.a, m.b, m.delta) for m in comparison.metrics}
    assert metrics == {
        "eval/accuracy": (None, 0.75, None),
        "loss": (1.0, 16.0, 15.0),
        "lr": (0.1, None, None),
    }
    assert [p.key for p in comparison.changed_params] == ["bs", "extra", "lr"]
    same = store.compare_runs(seeded["a"], seeded["a"])
    assert not same.changed_params
