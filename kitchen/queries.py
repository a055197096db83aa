"""Read-side helpers for the CLI: runs and run details as plain data.

The store is opened read-only for the duration of one call and closed again: a long-lived
connection, even a read-only one, would lock every writer out (DESIGN.md §5).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kitchen.display import HEADLINE_EVAL_KEYS, LOSS_KEY, headline_eval
from kitchen.errors import NotFoundError, StoreAccessError
from kitchen.home import kitchen_home
from store import AmbiguousIdError, Store, StoreError, StoreLockedError, open_store
from store import NotFoundError as StoreNotFound
from store.db import DB_FILENAME
from store.errors import SchemaVersionError


@contextmanager
def reading(home: Path | str | None) -> Iterator[Store | None]:
    """Open the store of ``home`` read-only; yields None when no store exists yet."""
    root = kitchen_home(home)
    if not (root / DB_FILENAME).exists():
        yield None
        return
    try:
        try:
            store = open_store(root, read_only=True, background_flush=False)
        except SchemaVersionError:
            # A store made by an older Kitchen: no engine serves it (this is the no-engine
            # path), so open it read-write once to apply the new migrations, then read.
            open_store(root, background_flush=False).close()
            store = open_store(root, read_only=True, background_flush=False)
    except StoreLockedError as error:
        raise StoreAccessError(
            f"{error} — wait for the run to finish (the engine service will lift this limit)"
        ) from None
    except StoreError as error:
        raise StoreAccessError(f"cannot read the store in {root}: {error}") from None
    try:
        yield store
    finally:
        store.close()


# The metrics `kitchen runs` summarises (locally and through the engine).
CLI_SUMMARY_KEYS = (LOSS_KEY, *HEADLINE_EVAL_KEYS, "baseline/exact_match")


def list_runs(
    home: Path | str | None, *, limit: int = 20, status: str | None = None
) -> list[dict[str, Any]]:
    """The newest runs as dicts (id, name, recipe, status, times, duration, step, loss)."""
    with reading(home) as store:
        if store is None:
            return []
        rows = store.runs_table(
            limit=limit,
            status=status,
            summary_keys=CLI_SUMMARY_KEYS,
        )
    return [row_dict(row) for row in rows]


def row_dict(row: Any) -> dict[str, Any]:
    """One runs-table row (``store.RunRow`` or the engine's ``RunRowOut``) as the CLI's dict."""
    headline = headline_eval(row.metrics)
    return {
        "id": row.id,
        "name": row.name,
        "experiment": row.experiment,
        "recipe": row.recipe,
        "status": row.status,
        "created_at": row.created_at,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
        "duration_s": row.duration_s,
        "last_step": row.last_step,
        "loss": row.metrics.get(LOSS_KEY),
        "exact_match": row.metrics.get("eval/exact_match"),
        "eval_key": headline[0] if headline else None,
        "eval": headline[1] if headline else None,
        "metrics": dict(row.metrics),
    }


def run_details(home: Path | str | None, run_id: str) -> dict[str, Any]:
    """One run: its record, params, last metric values, artifacts, lineage and models.

    Raises:
        NotFoundError: no run has this id or id prefix (or the prefix is ambiguous).
    """
    with reading(home) as store:
        if store is None:
            raise NotFoundError(f"no run {run_id!r}: the store in {kitchen_home(home)} is empty")
        return details_of(store, run_id)


def details_of(store: Store, run_id: str) -> dict[str, Any]:
    """:func:`run_details` over an open store (the engine holds one open for good).

    Raises:
        NotFoundError: no run has this id or id prefix (or the prefix is ambiguous).
    """
    try:
        run = store.get_run(run_id)
    except (StoreNotFound, AmbiguousIdError) as error:
        raise NotFoundError(str(error)) from None
    params = store.get_params(run.id)
    metrics = store.last_values([run.id]).get(run.id, {})
    artifacts = [
        {
            "id": a.id,
            "kind": a.kind,
            "name": a.name,
            "sha256": a.sha256,
            "size_bytes": a.size_bytes,
            "uri": a.uri,
            "meta": json.loads(a.meta_json),
        }
        for a in store.list_artifacts(run.id)
    ]
    graph = store.lineage("run", run.id)
    edges = [
        {
            "src_kind": e.src_kind,
            "src_id": e.src_id,
            "dst_kind": e.dst_kind,
            "dst_id": e.dst_id,
            "relation": e.relation,
        }
        for e in [*graph.upstream, *graph.downstream]
    ]
    models = []
    for summary in store.list_models():
        for version in store.list_model_versions(summary.name):
            if version.run_id == run.id:
                aliases = [a for a, v in summary.aliases.items() if v == version.version]
                models.append(
                    {"name": summary.name, "version": version.version, "aliases": aliases}
                )
    record = run.model_dump(mode="json")
    record["config"] = json.loads(record.pop("config_json"))
    record["env"] = json.loads(record.pop("env_json"))
    return {
        "run": record,
        "params": params,
        "metrics": metrics,
        "artifacts": artifacts,
        "lineage": edges,
        "models": models,
        "evals": [dataclasses.asdict(e) for e in store.eval_summaries(run.id)],
    }


def score_comparison(
    home: Path | str | None, run_a: str, run_b: str, *, task: str | None = None
) -> dict[str, Any]:
    """:func:`compare_scores_of` over the store of ``home``, opened read-only for the call."""
    with reading(home) as store:
        if store is None:
            raise NotFoundError(f"no run {run_a!r}: the store in {kitchen_home(home)} is empty")
        return compare_scores_of(store, run_a, run_b, task=task)


def compare_scores_of(
    store: Store, run_a: str, run_b: str, *, task: str | None = None
) -> dict[str, Any]:
    """Two runs' last evaluations of the same task, compared sample by sample.

    Returns the :class:`kitchen.stats.ScoreComparison` as a dict, with ``task``, the runs'
    ids and names, and the steps their evaluations were taken at.

    Raises:
        NotFoundError: a run does not exist, or the runs share no evaluated samples (the
            message says what is missing).
        KitchenError: too few shared samples to compare (``StatsError``).
    """
    from kitchen.stats import compare_scores

    try:
        a, b = store.get_run(run_a), store.get_run(run_b)
        paired = store.paired_scores(a.id, b.id, task=task)
    except (StoreNotFound, AmbiguousIdError) as error:
        raise NotFoundError(str(error)) from None
    names = (a.name, b.name) if a.name != b.name else (a.id, b.id)
    result = compare_scores(paired.a, paired.b, names=names)
    return {
        "task": paired.task,
        "run_a": {"id": a.id, "name": a.name, "step": paired.step_a},
        "run_b": {"id": b.id, "name": b.name, "step": paired.step_b},
        **result.to_dict(),
    }
