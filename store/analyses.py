"""Persisted analyses: drift, drift references, adversarial robustness, explanations.

An analysis is computed once (by ``kitchen`` — an analysis stage or command) and stored with
everything needed to recompute it: its parameters and seed in ``params_json``, the figures pages
list in ``summary_json``, and the full result (per-feature tables, attributions, worst examples)
as a JSON blob when it is large. Pages only read these rows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlmodel import col, select

from store.blobs import BlobStore
from store.db import Database
from store.errors import InvalidValueError, NotFoundError
from store.ids import new_id, utcnow
from store.models import Analysis

KINDS = ("drift", "drift_reference", "adversary", "xai", "attribution_drift")


def log_analysis(
    db: Database,
    blobs: BlobStore,
    *,
    kind: str,
    name: str,
    params: Mapping[str, Any],
    summary: Mapping[str, Any],
    result: Any = None,
    model_name: str | None = None,
    model_version: int | None = None,
    run_id: str | None = None,
    seed: int | None = None,
) -> Analysis:
    """Store one analysis; ``result`` (any JSON value) goes to the blob store.

    Raises:
        InvalidValueError: an unknown kind, or params/summary/result that are not JSON.
    """
    if kind not in KINDS:
        raise InvalidValueError(f"analysis kind must be one of {KINDS}, got {kind!r}")
    try:
        params_json = json.dumps(dict(params), sort_keys=True, allow_nan=False)
        summary_json = json.dumps(dict(summary), sort_keys=True, allow_nan=False)
        payload = None if result is None else json.dumps(result, allow_nan=False).encode()
    except (TypeError, ValueError) as error:
        raise InvalidValueError(
            f"analysis {name!r}: not JSON ({error}); use null for NaN"
        ) from None
    ref = None if payload is None else blobs.put_bytes(payload).sha256
    row = Analysis(
        id=new_id(),
        kind=kind,
        model_name=model_name,
        model_version=model_version,
        run_id=run_id,
        name=name,
        created_at=utcnow(),
        seed=seed,
        params_json=params_json,
        summary_json=summary_json,
        result_ref=ref,
    )
    with db.session(write=True) as session:
        session.add(row)
        session.commit()
        session.refresh(row)
    return row


def list_analyses(
    db: Database,
    *,
    kind: str | None = None,
    model_name: str | None = None,
    model_version: int | None = None,
    run_id: str | None = None,
    limit: int = 100,
) -> list[Analysis]:
    """Analyses, newest first, optionally of one kind, model (version) or run."""
    query = select(Analysis)
    for column, value in (
        (Analysis.kind, kind),
        (Analysis.model_name, model_name),
        (Analysis.model_version, model_version),
        (Analysis.run_id, run_id),
    ):
        if value is not None:
            query = query.where(column == value)
    query = query.order_by(col(Analysis.created_at).desc(), col(Analysis.id).desc()).limit(limit)
    with db.session() as session:
        return list(session.exec(query))


def get_analysis(db: Database, analysis_id: str) -> Analysis:
    """One analysis by id.

    Raises:
        NotFoundError: no analysis has that id.
    """
    with db.session() as session:
        found = session.get(Analysis, analysis_id)
    if found is None:
        raise NotFoundError(f"no analysis {analysis_id!r}")
    return found


def analysis_result(db: Database, blobs: BlobStore, analysis_id: str) -> Any:
    """The full result of an analysis (None when it stored only a summary)."""
    found = get_analysis(db, analysis_id)
    if found.result_ref is None:
        return None
    return json.loads(blobs.read_bytes(found.result_ref))
