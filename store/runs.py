"""Experiments, runs and their parameters: creating, finding and moving through statuses."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from sqlmodel import col, select

from store.db import Database
from store.errors import (
    AmbiguousIdError,
    InvalidTransitionError,
    InvalidValueError,
    NotFoundError,
)
from store.ids import new_id, utcnow
from store.models import RUN_STATUSES, Experiment, Param, Run, RunStatus

DEFAULT_EXPERIMENT = "default"

# Which status may follow which. "interrupted" (the worker died) may be resumed or given up.
# "paused" holds a checkpoint taken at a loop boundary (or, for a run that never started, its
# place in no queue); resuming queues it again. A failed or cancelled run may be resumed from
# its last checkpoint (same id), queued first when it waits for a slot.
_TRANSITIONS: dict[str, frozenset[str]] = {
    "queued": frozenset({"running", "paused", "cancelled", "failed"}),
    "running": frozenset({"succeeded", "failed", "cancelled", "interrupted", "paused"}),
    "paused": frozenset({"queued", "running", "cancelled", "failed"}),
    "interrupted": frozenset({"queued", "running", "cancelled", "failed"}),
    "succeeded": frozenset(),
    "failed": frozenset({"queued", "running"}),
    "cancelled": frozenset({"queued", "running"}),
}
_HEX = re.compile(r"^[0-9a-f]+$")
_PREFIX_CANDIDATES = 5


def canonical_json(value: Any, what: str) -> str:
    """Encode ``value`` as sorted, compact JSON, the form hashes and comparisons rely on.

    Raises:
        InvalidValueError: ``value`` holds something JSON cannot encode.
    """
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=True)
    except (TypeError, ValueError) as exc:
        raise InvalidValueError(f"{what} is not JSON-serialisable: {exc}") from None


def flatten(config: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested mappings into dotted keys: ``{"optim": {"lr": 1}}`` -> ``{"optim.lr": 1}``."""
    flat: dict[str, Any] = {}
    for key, value in config.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, f"{dotted}."))
        else:
            flat[dotted] = value
    return flat


def ensure_experiment(db: Database, name: str) -> Experiment:
    """Return the experiment called ``name``, creating it if needed."""
    if not name or not name.strip():
        raise InvalidValueError("an experiment needs a non-empty name")
    with db.session(write=True) as session:
        found = session.exec(select(Experiment).where(Experiment.name == name)).first()
        if found is not None:
            return found
        experiment = Experiment(id=new_id(), name=name, created_at=utcnow())
        session.add(experiment)
        return experiment


def list_experiments(db: Database) -> list[Experiment]:
    """Every experiment, newest first."""
    with db.session() as session:
        return list(session.exec(select(Experiment).order_by(col(Experiment.created_at).desc())))


def create_run(
    db: Database,
    *,
    recipe: str,
    experiment: str = DEFAULT_EXPERIMENT,
    name: str | None = None,
    config: Mapping[str, Any] | None = None,
    seed: int | None = None,
    git_commit: str | None = None,
    env: Mapping[str, Any] | None = None,
    parent_run_id: str | None = None,
    priority: int = 0,
) -> Run:
    """Record a new queued run and its flattened config as params.

    Args:
        db: The database.
        recipe: The recipe's name.
        experiment: The experiment's name; created when new.
        name: A display name; ``<recipe>-<last 6 of id>`` when omitted.
        config: The resolved recipe config (nested mappings are flattened into params).
        seed: The run's seed.
        git_commit: The code version it ran.
        env: Environment facts (versions, device) kept as JSON.
        parent_run_id: The run this one resumes or was forked from.
        priority: Its place in the engine's queue (higher starts first).

    Returns:
        The new run, status ``queued``.
    """
    if not recipe:
        raise InvalidValueError("a run needs a recipe name")
    config = dict(config or {})
    config_json = canonical_json(config, "config")
    env_json = canonical_json(dict(env or {}), "env")
    if parent_run_id is not None:
        parent_run_id = get_run(db, parent_run_id).id
    exp = ensure_experiment(db, experiment)
    run_id = new_id()
    run = Run(
        id=run_id,
        experiment_id=exp.id,
        name=name or f"{recipe}-{run_id[-6:]}",
        recipe=recipe,
        status="queued",
        config_json=config_json,
        config_hash=hashlib.sha256(config_json.encode()).hexdigest(),
        seed=seed,
        git_commit=git_commit,
        env_json=env_json,
        created_at=utcnow(),
        parent_run_id=parent_run_id,
        priority=priority,
    )
    with db.session(write=True) as session:
        session.add(run)
        for key, value in flatten(config).items():
            session.add(Param(run_id=run_id, key=key, value_json=canonical_json(value, key)))
    return run


def get_run(db: Database, id_or_prefix: str) -> Run:
    """Find a run by its id or a unique prefix of it.

    Raises:
        NotFoundError: No run matches.
        AmbiguousIdError: Several runs start with the prefix.
    """
    with db.session() as session:
        run = session.get(Run, id_or_prefix)
        if run is not None:
            return run
        if not id_or_prefix or _HEX.match(id_or_prefix) is None:
            raise NotFoundError(f"no run {id_or_prefix!r}")
        matches = list(
            session.exec(
                select(Run)
                .where(col(Run.id).startswith(id_or_prefix))
                .order_by(col(Run.id))
                .limit(_PREFIX_CANDIDATES)
            )
        )
    if not matches:
        raise NotFoundError(f"no run {id_or_prefix!r}")
    if len(matches) > 1:
        raise AmbiguousIdError(id_or_prefix, [m.id for m in matches])
    return matches[0]


def check_transition(run_id: str, current: str, status: str) -> None:
    """Refuse a move the run's life does not allow (setting the same status is allowed).

    Raises:
        InvalidValueError: ``status`` is not a run status.
        InvalidTransitionError: ``current`` cannot become ``status``.
    """
    if status not in RUN_STATUSES:
        raise InvalidValueError(f"unknown run status {status!r}; one of {sorted(RUN_STATUSES)}")
    if status != current and status not in _TRANSITIONS[current]:
        raise InvalidTransitionError(f"run {run_id} is {current}; it cannot become {status}")


def set_status(
    db: Database,
    run_id: str,
    status: RunStatus,
    *,
    error_type: str | None = None,
    error_message: str | None = None,
) -> Run:
    """Move a run to ``status``, stamping ``started_at`` / ``finished_at`` as it goes.

    Setting the status a run already has changes nothing (the engine may retry).

    Raises:
        InvalidValueError: ``status`` is not a run status.
        InvalidTransitionError: The run cannot go from its status to ``status``.
        NotFoundError: No such run.
    """
    with db.session(write=True) as session:
        run = session.get(Run, run_id)
        if run is None:
            raise NotFoundError(f"no run {run_id!r}")
        check_transition(run_id, run.status, status)
        if run.status == status:
            return run
        now = utcnow()
        if status == "running" and run.started_at is None:
            run.started_at = now
        if status in ("succeeded", "failed", "cancelled"):
            run.finished_at = now
        if error_type is not None or error_message is not None:
            run.error_type, run.error_message = error_type, error_message
        run.status = status
        session.add(run)
        return run


def interrupt_running(db: Database) -> list[str]:
    """Mark every ``running`` run ``interrupted`` (the engine calls this when it starts).

    Returns:
        The ids of the runs it marked.
    """
    with db.session(write=True) as session:
        runs = list(session.exec(select(Run).where(Run.status == "running")))
        for run in runs:
            run.status = "interrupted"
            session.add(run)
        return [run.id for run in runs]


def log_params(db: Database, run_id: str, params: Mapping[str, Any]) -> None:
    """Add or overwrite parameters of a run (values are stored as JSON)."""
    with db.session(write=True) as session:
        if session.get(Run, run_id) is None:
            raise NotFoundError(f"no run {run_id!r}")
        for key, value in params.items():
            session.merge(Param(run_id=run_id, key=key, value_json=canonical_json(value, key)))


def get_params(db: Database, run_id: str) -> dict[str, Any]:
    """A run's parameters, decoded, sorted by key."""
    with db.session() as session:
        rows = session.exec(select(Param).where(Param.run_id == run_id).order_by(col(Param.key)))
        return {row.key: json.loads(row.value_json) for row in rows}


# Tables whose rows belong to one run, deleted with it.
_RUN_TABLES = (
    "params",
    "metrics",
    "metric_summary",
    "stage_events",
    "logs",
    "artifacts",
    "eval_samples",
    "analyses",
)


def delete_run(db: Database, run_id: str) -> Run:
    """Delete a finished run and every row that belongs to it; blobs stay (content-addressed).

    Raises:
        NotFoundError: No such run.
        InvalidTransitionError: The run is queued or running (cancel it first), or a registered
            model version was made from it (its lineage would dangle).
    """
    run = get_run(db, run_id)
    if run.status in ("queued", "running"):
        raise InvalidTransitionError(f"run {run.id} is {run.status}; cancel it before deleting it")
    with db.transaction() as con:
        versions = con.execute(
            "SELECT model_name, version FROM model_versions WHERE run_id = ? ORDER BY 1, 2",
            [run.id],
        ).fetchall()
        if versions:
            named = ", ".join(f"{name} v{version}" for name, version in versions)
            raise InvalidTransitionError(
                f"run {run.id} produced registered model versions ({named}); it is kept"
            )
        for table in _RUN_TABLES:
            con.execute(f"DELETE FROM {table} WHERE run_id = ?", [run.id])
        con.execute(
            "DELETE FROM lineage_edges WHERE (src_kind = 'run' AND src_id = ?)"
            " OR (dst_kind = 'run' AND dst_id = ?)",
            [run.id, run.id],
        )
        con.execute("DELETE FROM runs WHERE id = ?", [run.id])
    return run


def queued_runs(db: Database) -> list[Run]:
    """Runs waiting in the engine's queue, in the order they start: priority, then age."""
    with db.session() as session:
        rows = session.exec(
            select(Run)
            .where(Run.status == "queued")
            .order_by(col(Run.priority).desc(), col(Run.created_at), col(Run.id))
        )
        return list(rows)
