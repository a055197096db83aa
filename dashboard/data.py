"""Every read the pages make: one cached function per engine call.

Pages never talk to the engine (nor, ever, to DuckDB) directly; they call these functions.
The HTTP client is cached as a resource (a connection pool, no store handle: the engine stays
the only process with the DuckDB file open). Answers are cached with ``st.cache_data``, keyed by
the arguments, for a few seconds (things that change: runs, status) up to minutes (things that
never change once written: an analysis result, a finished evaluation's samples).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import streamlit as st

from dashboard.client import engine_for_home
from kitchen.engine.client import EngineClient
from kitchen.engine.files import EngineInfo
from kitchen.engine.wire import (
    ComparisonOut,
    CurveOut,
    EvalSampleOut,
    EvalSummaryOut,
    LineageGraphOut,
    ModelOut,
    RunCountOut,
    RunDetails,
    RunRowOut,
)
from kitchen.engine.wire_analysis import AnalysisOut, FeedbackEventOut, FeedbackSummaryOut
from kitchen.engine.wire_runs import EngineStatusOut, ModelVersionOut, StageEventOut

LIVE_TTL = 5
"""Seconds: the engine's load and queue."""
RUNS_TTL = 15
"""Seconds: run lists, counts and details (runs start and finish)."""
STABLE_TTL = 300
"""Seconds: what is immutable once stored (analysis results, evaluation samples)."""


@st.cache_resource(show_spinner=False)
def _client_for(
    host: str, port: int, pid: int, token: str, started_at: float, store: str
) -> EngineClient:
    return EngineClient(EngineInfo(host, port, pid, token, started_at, store))


def client() -> EngineClient:
    """A client of the engine serving ``$KITCHEN_HOME`` (starting one when none does).

    Cached per engine (address, pid, token): a restarted engine gets a new client.
    """
    return _client_for(*dataclasses.astuple(engine_for_home()))


# -- runs -----------------------------------------------------------------------------------


@st.cache_data(ttl=RUNS_TTL, show_spinner=False)
def run_counts() -> list[RunCountOut]:
    """Runs grouped by status, recipe and experiment."""
    return client().run_counts()


@st.cache_data(ttl=RUNS_TTL, show_spinner=False)
def runs_page(
    *,
    limit: int = 50,
    offset: int = 0,
    status: tuple[str, ...] = (),
    experiment: str | None = None,
    recipe: str | None = None,
    summary_keys: tuple[str, ...] = (),
) -> list[RunRowOut]:
    """One page of the runs table, newest first (server-side filters and paging)."""
    return client().runs(
        limit=limit,
        offset=offset,
        status=list(status) or None,
        experiment=experiment,
        recipe=recipe,
        summary_keys=list(summary_keys) or None,
    )


@st.cache_data(ttl=RUNS_TTL, show_spinner=False)
def run_details(run_id: str) -> RunDetails:
    """One run with params, last metrics, artifacts, lineage and models."""
    return client().run(run_id)


@st.cache_data(ttl=RUNS_TTL, show_spinner=False)
def metric_keys(run_id: str) -> list[str]:
    """The metric keys a run has logged."""
    return client().metric_keys(run_id)


@st.cache_data(ttl=RUNS_TTL, show_spinner=False)
def curves(run_ids: tuple[str, ...], key: str, max_points: int = 800) -> dict[str, CurveOut]:
    """One metric of several runs, downsampled by the engine."""
    return client().curves(list(run_ids), key, max_points=max_points)


@st.cache_data(ttl=RUNS_TTL, show_spinner=False)
def compare(a: str, b: str) -> ComparisonOut:
    """Two runs' params and last metrics side by side."""
    return client().compare(a, b)


@st.cache_data(ttl=RUNS_TTL, show_spinner=False)
def stage_events(run_id: str) -> list[StageEventOut]:
    """A run's stage events."""
    return client().stage_events(run_id)


@st.cache_data(ttl=LIVE_TTL, show_spinner=False)
def engine_status() -> EngineStatusOut:
    """The engine's queue, slots and the machine's load."""
    return client().engine_status()


# -- evaluations ----------------------------------------------------------------------------


@st.cache_data(ttl=RUNS_TTL, show_spinner=False)
def evals(run_id: str) -> list[EvalSummaryOut]:
    """Every evaluation a run stored."""
    return client().evals(run_id)


@st.cache_data(ttl=STABLE_TTL, show_spinner=False)
def eval_samples(
    run_id: str,
    *,
    phase: str | None = None,
    task: str | None = None,
    step: int | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[EvalSampleOut]:
    """A page of one evaluation's scored samples."""
    return client().eval_samples(
        run_id, phase=phase, task=task, step=step, limit=limit, offset=offset
    )


@st.cache_data(ttl=STABLE_TTL, show_spinner=False)
def compare_scores(a: str, b: str, task: str | None = None) -> dict[str, Any]:
    """Two runs' evaluations compared sample by sample (test, bootstrap, verdict)."""
    return client().compare_scores(a, b, task=task)


def report_html(target: str) -> bytes:
    """A run's full HTML report, built by the engine (not cached: built on request)."""
    return client().report(target, "html")


# -- models, lineage ------------------------------------------------------------------------


@st.cache_data(ttl=RUNS_TTL, show_spinner=False)
def models() -> list[ModelOut]:
    """The registered models."""
    return client().models()


@st.cache_data(ttl=RUNS_TTL, show_spinner=False)
def model_version(name: str, version: str) -> ModelVersionOut:
    """One version of a model, by number or alias."""
    return client().model_version(name, version)


@st.cache_data(ttl=RUNS_TTL, show_spinner=False)
def model_lineage(name: str) -> LineageGraphOut:
    """The lineage graph around every version of a model."""
    return client().model_lineage(name)


# -- feedback and analyses ------------------------------------------------------------------


@st.cache_data(ttl=RUNS_TTL, show_spinner=False)
def feedback_summary() -> list[FeedbackSummaryOut]:
    """Per model version: event counts, time span, flags, signal and latency."""
    return client().feedback_summary()


@st.cache_data(ttl=RUNS_TTL, show_spinner=False)
def feedback_events(
    *,
    model_name: str | None = None,
    model_version: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 2000,
    offset: int = 0,
) -> list[FeedbackEventOut]:
    """A window of stored production events, oldest first."""
    return client().feedback_events(
        model_name=model_name,
        model_version=model_version,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )


@st.cache_data(ttl=RUNS_TTL, show_spinner=False)
def analyses(
    kind: str,
    *,
    model_name: str | None = None,
    model_version: int | None = None,
    run_id: str | None = None,
    limit: int = 200,
) -> list[AnalysisOut]:
    """Stored analyses of one kind, newest first, without their results."""
    return client().analyses(
        kind=kind, model_name=model_name, model_version=model_version, run_id=run_id, limit=limit
    )


@st.cache_data(ttl=STABLE_TTL, show_spinner=False)
def analysis(analysis_id: str) -> AnalysisOut:
    """One analysis with its full result (immutable once stored)."""
    return client().analysis(analysis_id)
