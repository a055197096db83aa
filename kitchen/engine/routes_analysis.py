"""Feedback and analysis routes: ingest production events (redacted and checked here, before
anything is stored), read them back, and store / list / read persisted analyses."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool

from kitchen.engine.app import EngineState, engine_state
from kitchen.engine.wire_analysis import (
    AnalysisIn,
    AnalysisOut,
    FeedbackEventOut,
    FeedbackIn,
    FeedbackIngestOut,
    FeedbackSummaryOut,
)
from store.models import Analysis

router = APIRouter()
State = Annotated[EngineState, Depends(engine_state)]


@router.post("/feedback", response_model=FeedbackIngestOut, status_code=201, tags=["feedback"])
async def ingest_feedback(body: FeedbackIn, state: State) -> FeedbackIngestOut:
    """Redact PII, run the quality checks and store the events as one batch (all or none)."""
    return await run_in_threadpool(_ingest, state, body)


def _ingest(state: EngineState, body: FeedbackIn) -> FeedbackIngestOut:
    from kitchen.analysis.feedback import prepare_events

    prepared = prepare_events(body.events, source=body.source or "api")
    with state.lock:
        batch_id, count = state.store.log_feedback(prepared.rows, source=body.source or "api")
    return FeedbackIngestOut(
        batch_id=batch_id,
        count=count,
        redacted_events=prepared.redacted_events,
        redactions=dict(prepared.redactions),
        flagged=dict(prepared.flagged),
    )


@router.get("/feedback/summary", response_model=list[FeedbackSummaryOut], tags=["feedback"])
def feedback_summary(state: State) -> list[FeedbackSummaryOut]:
    """Per model version: event counts, time span, flagged and redacted counts, signal."""
    with state.lock:
        found = state.store.feedback_summaries()
    return [FeedbackSummaryOut.model_validate(s, from_attributes=True) for s in found]


@router.get("/feedback", response_model=list[FeedbackEventOut], tags=["feedback"])
def feedback_events(
    state: State,
    model_name: str | None = None,
    model_version: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1_000_000)] = 10_000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[FeedbackEventOut]:
    """Events oldest first, optionally of one model (version) and time window."""
    with state.lock:
        table = state.store.feedback_events(
            model_name=model_name,
            model_version=model_version,
            since=since,
            until=until,
            limit=limit + offset,
        )
    return [event_out(row) for row in table.slice(offset, limit).to_pylist()]


def event_out(row: dict[str, Any]) -> FeedbackEventOut:
    """A stored event row as the wire model."""
    row = dict(row)
    row["features"] = json.loads(row.pop("features_json") or "{}")
    flags = row.pop("quality_flags") or ""
    row["quality_flags"] = [f for f in flags.split(",") if f]
    row.pop("ingested_at", None)
    return FeedbackEventOut.model_validate(row)


@router.post("/analyses", response_model=AnalysisOut, status_code=201, tags=["analyses"])
def log_analysis(body: AnalysisIn, state: State) -> AnalysisOut:
    """Store an analysis computed by a command or a worker."""
    with state.lock:
        found = state.store.log_analysis(**body.model_dump())
    return analysis_out(found)


@router.get("/analyses", response_model=list[AnalysisOut], tags=["analyses"])
def list_analyses(
    state: State,
    kind: str | None = None,
    model_name: str | None = None,
    model_version: int | None = None,
    run_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> list[AnalysisOut]:
    """Analyses, newest first (without their full results)."""
    with state.lock:
        found = state.store.list_analyses(
            kind=kind,
            model_name=model_name,
            model_version=model_version,
            run_id=run_id,
            limit=limit,
        )
    return [analysis_out(a) for a in found]


@router.get("/analyses/{analysis_id}", response_model=AnalysisOut, tags=["analyses"])
def get_analysis(state: State, analysis_id: str, result: bool = True) -> AnalysisOut:
    """One analysis, with its full result unless ``result=false``."""
    with state.lock:
        found = state.store.get_analysis(analysis_id)
        payload = state.store.analysis_result(analysis_id) if result else None
    return analysis_out(found, payload)


def analysis_out(found: Analysis, result: Any = None) -> AnalysisOut:
    """A stored analysis as the wire model."""
    return AnalysisOut(
        id=found.id,
        kind=found.kind,
        name=found.name,
        model_name=found.model_name,
        model_version=found.model_version,
        run_id=found.run_id,
        created_at=found.created_at,
        seed=found.seed,
        params=json.loads(found.params_json),
        summary=json.loads(found.summary_json),
        has_result=found.result_ref is not None,
        result=result,
    )
