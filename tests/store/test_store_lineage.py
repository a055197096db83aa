"""Lineage: edges form a DAG; cycles are refused; walks go up and down."""

from __future__ import annotations

import pytest

from store import InvalidValueError, LineageCycleError, Store


def test_cycle_is_refused(store: Store) -> None:
    store.link("dataset", "d1", "run", "r1", "input")
    store.link("run", "r1", "artifact", "a1", "produced")
    store.link("artifact", "a1", "model_version", "m1", "registered")
    with pytest.raises(LineageCycleError):
        store.link("model_version", "m1", "dataset", "d1", "feeds")
    with pytest.raises(LineageCycleError):
        store.link("run", "r1", "run", "r1", "self")
    # A second path to the same node is fine: it is a DAG, not a tree.
    store.link("dataset", "d1", "artifact", "a1", "copied")
    assert isinstance(LineageCycleError("x"), ValueError)


def test_adding_an_edge_twice_keeps_one(store: Store) -> None:
    first = store.link("run", "r1", "artifact", "a1", "produced")
    again = store.link("run", "r1", "artifact", "a1", "produced")
    assert first.created_at == again.created_at
    assert len(store.lineage("run", "r1").downstream) == 1


def test_kinds_are_identifiers(store: Store) -> None:
    with pytest.raises(InvalidValueError):
        store.link("Run", "r1", "artifact", "a1", "produced")
    with pytest.raises(InvalidValueError):
        store.link("run", "", "artifact", "a1", "produced")


def test_lineage_walks_both_ways_nearest_first(store: Store) -> None:
    store.link("dataset", "d1", "run", "r1", "input")
    store.link("run", "r1", "artifact", "a1", "produced")
    store.link("artifact", "a1", "model_version", "m1", "registered")
    store.link("run", "r0", "dataset", "d1", "generated")
    graph = store.lineage("artifact", "a1")
    assert [(e.src_id, e.dst_id) for e in graph.upstream] == [
        ("r1", "a1"),
        ("d1", "r1"),
        ("r0", "d1"),
    ]
    assert [(e.src_id, e.dst_id) for e in graph.downstream] == [("a1", "m1")]
    near = store.lineage("artifact", "a1", max_depth=1)
    assert [(e.src_id, e.dst_id) for e in near.upstream] == [("r1", "a1")]
    lonely = store.lineage("run", "nobody")
    assert lonely.upstream == [] and lonely.downstream == []
