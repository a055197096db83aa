"""Runs and experiments: creation, params, ids and prefixes, status transitions."""

from __future__ import annotations

import pytest

from store import (
    AmbiguousIdError,
    InvalidTransitionError,
    InvalidValueError,
    NotFoundError,
    Store,
)


def test_create_run_records_config_and_flattened_params(store: Store) -> None:
    config = {"optim": {"lr": 0.001, "betas": [0.9, 0.95]}, "seed": 7, "name": "x"}
    run = store.create_run(recipe="sl_basic", experiment="exp", config=config, seed=7)
    assert run.status == "queued"
    assert run.name == f"sl_basic-{run.id[-6:]}"
    assert store.get_params(run.id) == {
        "name": "x",
        "optim.betas": [0.9, 0.95],
        "optim.lr": 0.001,
        "seed": 7,
    }
    assert [e.name for e in store.list_experiments()] == ["exp"]


def test_config_hash_ignores_key_order(store: Store) -> None:
    a = store.create_run(recipe="r", config={"a": 1, "b": {"c": 2, "d": 3}})
    b = store.create_run(recipe="r", config={"b": {"d": 3, "c": 2}, "a": 1})
    c = store.create_run(recipe="r", config={"a": 1, "b": {"c": 2, "d": 4}})
    assert a.config_hash == b.config_hash != c.config_hash


def test_config_must_be_json(store: Store) -> None:
    with pytest.raises(InvalidValueError, match="config"):
        store.create_run(recipe="r", config={"fn": object()})


def test_ids_sort_by_creation(store: Store) -> None:
    ids = [store.create_run(recipe="r").id for _ in range(5)]
    assert ids == sorted(ids)
    assert all(len(i) == 32 for i in ids)


def test_get_run_by_unique_prefix(store: Store) -> None:
    run = store.create_run(recipe="r")
    assert store.get_run(run.id).id == run.id
    assert store.get_run(run.id[:20]).id == run.id
    with pytest.raises(NotFoundError):
        store.get_run("f" * 32)
    with pytest.raises(NotFoundError):
        store.get_run("%")  # never a LIKE pattern


def test_ambiguous_prefix_lists_candidates(store: Store) -> None:
    a, b = store.create_run(recipe="r"), store.create_run(recipe="r")
    shared = 0
    while a.id[shared] == b.id[shared]:
        shared += 1
    with pytest.raises(AmbiguousIdError) as info:
        store.get_run(a.id[:shared])
    assert {a.id, b.id} <= set(info.value.candidates)
    assert isinstance(info.value, LookupError)


def test_status_life_cycle_stamps_times(store: Store) -> None:
    run = store.create_run(recipe="r")
    running = store.set_run_status(run.id, "running")
    assert running.started_at is not None and running.finished_at is None
    failed = store.set_run_status(
        run.id, "failed", error_type="ValueError", error_message="bad shape"
    )
    assert failed.finished_at is not None and failed.finished_at >= running.started_at
    assert (failed.error_type, failed.error_message) == ("ValueError", "bad shape")
    assert store.get_run(run.id).status == "failed"


def test_terminal_status_is_final(store: Store) -> None:
    run = store.create_run(recipe="r")
    store.set_run_status(run.id, "running")
    store.set_run_status(run.id, "succeeded")
    store.set_run_status(run.id, "succeeded")  # same status again: nothing happens
    with pytest.raises(InvalidTransitionError):
        store.set_run_status(run.id, "running")
    with pytest.raises(InvalidValueError):
        store.set_run_status(run.id, "paused")  # type: ignore[arg-type]
    with pytest.raises(NotFoundError):
        store.set_run_status("0" * 32, "running")


def test_interrupted_runs_can_resume(store: Store) -> None:
    a, b = store.create_run(recipe="r"), store.create_run(recipe="r")
    store.set_run_status(a.id, "running")
    assert store.interrupt_running() == [a.id]
    assert store.get_run(a.id).status == "interrupted"
    assert store.get_run(b.id).status == "queued"
    resumed = store.set_run_status(a.id, "running")
    assert resumed.started_at == store.get_run(a.id).started_at


def test_log_params_overwrites(store: Store) -> None:
    run = store.create_run(recipe="r", config={"lr": 1})
    store.log_params(run.id, {"lr": 2, "extra": {"k": None}})
    assert store.get_params(run.id) == {"extra": {"k": None}, "lr": 2}
    with pytest.raises(NotFoundError):
        store.log_params("0" * 32, {"a": 1})


def test_parent_run_must_exist(store: Store) -> None:
    parent = store.create_run(recipe="r")
    child = store.create_run(recipe="r", parent_run_id=parent.id[:24])
    assert child.parent_run_id == parent.id
    with pytest.raises(NotFoundError):
        store.create_run(recipe="r", parent_run_id="0" * 32)
