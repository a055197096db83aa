"""Per-sample evaluation rows: insert, read back, summarise, pair two runs, delete, truncate."""

from __future__ import annotations

import json

import pytest

from store import Store
from store.errors import InvalidValueError, NotFoundError


def _rows(scores: list[float], *, epochs: int = 1) -> list[dict[str, object]]:
    return [
        {
            "sample_id": f"s{i:03d}",
            "epoch": e,
            "input": f"q{i}",
            "target": str(i),
            "output": str(i if s else -i),
            "score": s,
            "input_tokens": 5,
            "output_tokens": 2,
            "latency_s": 0.01,
            "scores": {"f1": s / 2},
            "metadata": {"subject": "math"},
        }
        for e in range(epochs)
        for i, s in enumerate(scores)
    ]


def _run(store: Store) -> str:
    return store.create_run(recipe="eval", config={}).id


def test_rows_round_trip_through_arrow(store: Store) -> None:
    run = _run(store)
    assert store.log_eval_samples(run, _rows([1, 0, 1]), phase="eval", task="gsm8k", step=7) == 3
    table = store.eval_samples(run)
    frame = table.to_pandas()
    assert list(frame["sample_id"]) == ["s000", "s001", "s002"]
    assert list(frame["score"]) == [1.0, 0.0, 1.0]
    assert set(frame["task"]) == {"gsm8k"} and set(frame["step"]) == {7}
    assert json.loads(frame["scores_json"][0]) == {"f1": 0.5}
    assert json.loads(frame["metadata_json"][1]) == {"subject": "math"}
    assert list(frame["output_tokens"]) == [2, 2, 2]


def test_filters_and_columns(store: Store) -> None:
    run = _run(store)
    store.log_eval_samples(run, _rows([0, 0]), phase="baseline", task="t", step=0)
    store.log_eval_samples(run, _rows([1, 1]), phase="eval", task="t", step=9)
    only = store.eval_samples(run, phase="eval", columns=["score"])
    assert only.column_names == ["score"]
    assert only.column("score").to_pylist() == [1.0, 1.0]
    with pytest.raises(InvalidValueError, match="unknown eval sample columns"):
        store.eval_samples(run, columns=["nope"])


def test_summaries_list_baseline_first(store: Store) -> None:
    run = _run(store)
    store.log_eval_samples(run, _rows([1, 0, 1, 1], epochs=2), phase="eval", task="t", step=9)
    store.log_eval_samples(run, _rows([0, 0, 0, 1]), phase="baseline", task="t", step=0)
    first, second = store.eval_summaries(run)
    assert (first.phase, first.n, first.mean_score) == ("baseline", 4, 0.25)
    assert (second.phase, second.n, second.epochs, second.mean_score) == ("eval", 4, 2, 0.75)


def test_bad_rows_are_refused_whole(store: Store) -> None:
    run = _run(store)
    rows = _rows([1, 0])
    del rows[1]["output"]
    with pytest.raises(InvalidValueError, match="row 1 of 't' has no 'output'"):
        store.log_eval_samples(run, rows, phase="eval", task="t", step=1)
    bad = _rows([1])
    bad[0]["score"] = float("nan")
    with pytest.raises(InvalidValueError, match="not finite"):
        store.log_eval_samples(run, bad, phase="eval", task="t", step=1)
    with pytest.raises(InvalidValueError, match="phase"):
        store.log_eval_samples(run, _rows([1]), phase="later", task="t", step=1)
    assert store.eval_samples(run).num_rows == 0


def test_paired_scores_match_samples_of_the_last_evaluation(store: Store) -> None:
    a, b = _run(store), _run(store)
    store.log_eval_samples(a, _rows([0, 0, 0]), phase="eval", task="t", step=1)
    store.log_eval_samples(a, _rows([1, 0, 1]), phase="eval", task="t", step=5)
    # b scored one sample fewer: only the shared ones pair up.
    store.log_eval_samples(b, _rows([1, 1]), phase="eval", task="t", step=3)
    paired = store.paired_scores(a, b)
    assert (paired.task, paired.step_a, paired.step_b) == ("t", 5, 3)
    assert paired.sample_ids == ["s000", "s001"]
    assert (paired.a, paired.b) == ([1.0, 0.0], [1.0, 1.0])


def test_paired_scores_explain_what_is_missing(store: Store) -> None:
    a, b = _run(store), _run(store)
    with pytest.raises(NotFoundError, match="share no evaluated task"):
        store.paired_scores(a, b)
    for run in (a, b):
        store.log_eval_samples(run, _rows([1]), phase="eval", task="x", step=1)
        store.log_eval_samples(run, _rows([1]), phase="eval", task="y", step=1)
    with pytest.raises(NotFoundError, match="several tasks"):
        store.paired_scores(a, b)
    assert store.paired_scores(a, b, task="y").a == [1.0]
    with pytest.raises(NotFoundError, match="'z' was not evaluated by both"):
        store.paired_scores(a, b, task="z")


def test_delete_and_truncate_remove_samples(store: Store) -> None:
    run = _run(store)
    store.log_eval_samples(run, _rows([1]), phase="baseline", task="t", step=0)
    store.log_eval_samples(run, _rows([1]), phase="eval", task="t", step=4)
    store.log_eval_samples(run, _rows([1]), phase="eval", task="t", step=8)
    store.truncate_metrics(run, after_step=4)
    assert [s.step for s in store.eval_summaries(run)] == [0]
    store.set_run_status(run, "running")
    store.set_run_status(run, "succeeded")
    store.delete_run(run)
    assert store.eval_samples(run).num_rows == 0
