"""Lineage: a DAG of "made from" edges between runs, artifacts, model versions and datasets.

An edge ``src -> dst`` says ``dst`` was made from ``src`` (a dataset fed a run, a run wrote a
checkpoint, a checkpoint became a model version). Adding an edge that would close a cycle is
refused, checked in the same transaction as the insert.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlmodel import Session

from store.db import Database, fetch_records
from store.errors import InvalidValueError, LineageCycleError
from store.ids import utcnow
from store.models import LineageEdge
from store.records import LineageGraph

DEFAULT_MAX_DEPTH = 32
_KIND = re.compile(r"^[a-z][a-z0-9_]*$")

# Every node reachable downstream of :kind/:id. UNION (not UNION ALL) drops repeats, so the
# walk ends even on a graph that is already cyclic.
_REACHES = sa.text(
    """
    WITH RECURSIVE reach(kind, id) AS (
        SELECT CAST(:start_kind AS VARCHAR), CAST(:start_id AS VARCHAR)
        UNION
        SELECT e.dst_kind, e.dst_id
        FROM lineage_edges AS e JOIN reach AS r ON e.src_kind = r.kind AND e.src_id = r.id
    )
    SELECT count(*) FROM reach WHERE kind = :goal_kind AND id = :goal_id
    """
)

# Edges within max_depth hops of the node, walking against (upstream) or along (downstream)
# the edges. {near}/{far} pick the edge end at the node's side and the end to continue from.
_WALK = """
WITH RECURSIVE walk(kind, id, depth) AS (
    SELECT CAST(? AS VARCHAR), CAST(? AS VARCHAR), 0
    UNION
    SELECT e.{far}_kind, e.{far}_id, w.depth + 1
    FROM lineage_edges AS e JOIN walk AS w ON e.{near}_kind = w.kind AND e.{near}_id = w.id
    WHERE w.depth < ?
)
SELECT e.src_kind, e.src_id, e.dst_kind, e.dst_id, e.relation, e.created_at
FROM lineage_edges AS e
JOIN (SELECT kind, id, min(depth) AS depth FROM walk WHERE depth < ? GROUP BY kind, id) AS w
    ON e.{near}_kind = w.kind AND e.{near}_id = w.id
GROUP BY ALL
ORDER BY min(w.depth), e.created_at, e.src_id, e.dst_id
"""


def add_edge(
    session: Session, src_kind: str, src_id: str, dst_kind: str, dst_id: str, relation: str
) -> LineageEdge:
    """Record that ``dst`` was made from ``src``, inside the caller's write session.

    Adding an edge that exists already returns it unchanged.

    Raises:
        InvalidValueError: A kind or the relation is not a lowercase identifier, or an id is
            empty.
        LineageCycleError: ``src`` is ``dst`` or is already downstream of it.
    """
    for label, value in (("src_kind", src_kind), ("dst_kind", dst_kind), ("relation", relation)):
        if _KIND.match(value) is None:
            raise InvalidValueError(f"lineage {label} must be a lowercase identifier: {value!r}")
    if not src_id or not dst_id:
        raise InvalidValueError("lineage ids must be non-empty")
    existing = session.get(LineageEdge, (src_kind, src_id, dst_kind, dst_id, relation))
    if existing is not None:
        return existing
    cyclic = session.execute(
        _REACHES,
        {"start_kind": dst_kind, "start_id": dst_id, "goal_kind": src_kind, "goal_id": src_id},
    ).scalar_one()
    if cyclic:
        raise LineageCycleError(
            f"{src_kind} {src_id} -> {dst_kind} {dst_id} would make a cycle: "
            f"{src_kind} {src_id} is already made from {dst_kind} {dst_id}"
        )
    edge = LineageEdge(
        src_kind=src_kind,
        src_id=src_id,
        dst_kind=dst_kind,
        dst_id=dst_id,
        relation=relation,
        created_at=utcnow(),
    )
    session.add(edge)
    return edge


def link(
    db: Database, src_kind: str, src_id: str, dst_kind: str, dst_id: str, relation: str
) -> LineageEdge:
    """Add one lineage edge in its own transaction (see ``add_edge``)."""
    with db.session(write=True) as session:
        return add_edge(session, src_kind, src_id, dst_kind, dst_id, relation)


def lineage(
    db: Database, kind: str, node_id: str, *, max_depth: int = DEFAULT_MAX_DEPTH
) -> LineageGraph:
    """Return the edges upstream and downstream of a node, up to ``max_depth`` hops away.

    Args:
        db: The database.
        kind: The node's kind.
        node_id: The node's id.
        max_depth: How many hops to follow each way.

    Returns:
        The node's lineage; both lists are empty for a node with no edges.
    """
    with db.connection() as con:
        params = [kind, node_id, max_depth, max_depth]
        upstream = fetch_records(con, LineageEdge, _WALK.format(near="dst", far="src"), params)
        downstream = fetch_records(con, LineageEdge, _WALK.format(near="src", far="dst"), params)
    return LineageGraph(kind=kind, id=node_id, upstream=upstream, downstream=downstream)
