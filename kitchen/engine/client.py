"""The typed Python client of the engine: the one way the CLI, TUI and dashboard reach it.

Methods mirror the routes and return the records of :mod:`kitchen.engine.wire`; failures come
back as Kitchen errors (``NotFoundError`` for a 404, ``StoreAccessError`` when the engine cannot
be reached, ``KitchenError`` with the engine's message otherwise), never as HTTP exceptions.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import TypeAdapter

from kitchen import events as ev
from kitchen.engine.files import EngineInfo, read_engine
from kitchen.engine.wire import (
    ComparisonOut,
    CurveOut,
    EvalSampleOut,
    EvalSummaryOut,
    Health,
    IngestResult,
    LineageGraphOut,
    ModelOut,
    RunCountOut,
    RunDetails,
    RunRowOut,
    from_wire,
    to_wire,
)
from kitchen.engine.wire_analysis import (
    AnalysisIn,
    AnalysisOut,
    FeedbackEventOut,
    FeedbackIn,
    FeedbackIngestOut,
    FeedbackSummaryOut,
)
from kitchen.engine.wire_runs import (
    AliasIn,
    CheckOut,
    EngineStatusOut,
    LogOut,
    ModelVersionOut,
    RecipeDetailOut,
    RecipeOut,
    RegisterIn,
    ReopenIn,
    ResumeInfoOut,
    RunControlOut,
    StageEventOut,
    SubmitIn,
)
from kitchen.errors import KitchenError, NotFoundError, StoreAccessError, error_named
from kitchen.home import kitchen_home

T = TypeVar("T")
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=2.0)


class EngineClient:
    """Talks to one running engine.

    Args:
        info: Where the engine listens and its token (from the engine file).
        timeout: Per-request timeout; streams wait for events without one.
    """

    def __init__(self, info: EngineInfo, *, timeout: httpx.Timeout = DEFAULT_TIMEOUT) -> None:
        self.info = info
        self._http = httpx.Client(
            base_url=f"{info.url}/v1",
            headers={"Authorization": f"Bearer {info.token}"},
            timeout=timeout,
        )

    @classmethod
    def for_home(cls, home: Path | str | None = None) -> EngineClient:
        """A client of the engine serving ``home``.

        Raises:
            StoreAccessError: no engine serves it.
        """
        root = kitchen_home(home)
        info = read_engine(root)
        if info is None:
            raise StoreAccessError(
                f"no engine serves {root}; start one with `kitchen engine start`"
            )
        return cls(info)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> EngineClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ----------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as error:
            raise StoreAccessError(
                f"the engine at {self.info.address} (pid {self.info.pid}) is unreachable: {error}"
            ) from None
        _raise_for(response)
        return response

    def _get(self, path: str, into: type[T], **params: Any) -> T:
        params = {k: v for k, v in params.items() if v is not None}
        response = self._request("GET", path, params=params)
        return TypeAdapter(into).validate_json(response.content)

    # -- reads -------------------------------------------------------------------------------

    def health(self) -> Health:
        """The engine's pid, store and uptime."""
        return self._get("/health", Health)

    def runs(
        self,
        *,
        limit: int = 100,
        offset: int = 0,
        status: str | Sequence[str] | None = None,
        experiment: str | None = None,
        recipe: str | None = None,
        summary_keys: Sequence[str] | None = None,
    ) -> list[RunRowOut]:
        """One page of the runs table, newest first."""
        statuses = [status] if isinstance(status, str) else status
        return self._get(
            "/runs",
            list[RunRowOut],
            limit=limit,
            offset=offset,
            status=statuses,
            experiment=experiment,
            recipe=recipe,
            summary_keys=list(summary_keys) if summary_keys else None,
        )

    def run(self, run_id: str) -> RunDetails:
        """One run by id or unique prefix, with params, metrics, artifacts, lineage, models."""
        return self._get(f"/runs/{run_id}", RunDetails)

    def metric_keys(self, run_id: str) -> list[str]:
        """The metric keys a run has logged."""
        return self._get(f"/runs/{run_id}/metrics", list[str])

    def curve(self, run_id: str, key: str, *, max_points: int = 1000) -> CurveOut:
        """One metric of one run."""
        return self._get(f"/runs/{run_id}/metrics/{key}", CurveOut, max_points=max_points)

    def curves(
        self, run_ids: Sequence[str], key: str, *, max_points: int = 1000
    ) -> dict[str, CurveOut]:
        """One metric of several runs, keyed by run id."""
        return self._get(
            "/curves", dict[str, CurveOut], run_ids=list(run_ids), key=key, max_points=max_points
        )

    def compare(self, a: str, b: str) -> ComparisonOut:
        """Two runs side by side."""
        return self._get("/compare", ComparisonOut, a=a, b=b)

    def compare_scores(self, a: str, b: str, *, task: str | None = None) -> dict[str, Any]:
        """Two runs' evaluations compared sample by sample (see ``kitchen compare``)."""
        found: dict[str, Any] = self._get("/compare/scores", dict[str, Any], a=a, b=b, task=task)
        return found

    def evals(self, run_id: str) -> list[EvalSummaryOut]:
        """Every evaluation a run stored."""
        return self._get(f"/runs/{run_id}/evals", list[EvalSummaryOut])

    def eval_samples(
        self,
        run_id: str,
        *,
        phase: str | None = None,
        task: str | None = None,
        step: int | None = None,
        limit: int = 1000,
        offset: int = 0,
    ) -> list[EvalSampleOut]:
        """A page of a run's scored samples."""
        return self._get(
            f"/runs/{run_id}/samples",
            list[EvalSampleOut],
            phase=phase,
            task=task,
            step=step,
            limit=limit,
            offset=offset,
        )

    def report(
        self,
        target: str,
        fmt: str = "html",
        *,
        compare: str | None = None,
        max_samples: int = 50,
        timeout: float = 300.0,
    ) -> bytes:
        """A run's or an experiment's report (html, md, json or pdf) as bytes, built by the
        engine from its store; a big report with many plots may take a while."""
        params: dict[str, Any] = {"format": fmt, "max_samples": max_samples}
        if compare is not None:
            params["compare"] = compare
        response = self._request(
            "GET", f"/reports/{quote(target, safe='')}", params=params, timeout=timeout
        )
        return response.content

    def ingest_feedback(
        self, events: Sequence[Mapping[str, Any]], *, source: str | None = None
    ) -> FeedbackIngestOut:
        """Send production events; the engine redacts PII and checks them before storing."""
        body = FeedbackIn(events=[dict(e) for e in events], source=source)
        return self._post("/feedback", FeedbackIngestOut, body)

    def feedback_summary(self) -> list[FeedbackSummaryOut]:
        """Per model version: event counts, time span, flags, signal and latency."""
        return self._get("/feedback/summary", list[FeedbackSummaryOut])

    def feedback_events(
        self,
        *,
        model_name: str | None = None,
        model_version: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 10_000,
        offset: int = 0,
    ) -> list[FeedbackEventOut]:
        """Stored events, oldest first."""
        return self._get(
            "/feedback",
            list[FeedbackEventOut],
            model_name=model_name,
            model_version=model_version,
            since=since.isoformat() if since else None,
            until=until.isoformat() if until else None,
            limit=limit,
            offset=offset,
        )

    def log_analysis(self, **fields: Any) -> AnalysisOut:
        """Store an analysis (fields as :class:`~kitchen.engine.wire_analysis.AnalysisIn`)."""
        return self._post("/analyses", AnalysisOut, AnalysisIn(**fields))

    def analyses(
        self,
        *,
        kind: str | None = None,
        model_name: str | None = None,
        model_version: int | None = None,
        run_id: str | None = None,
        limit: int = 100,
    ) -> list[AnalysisOut]:
        """Stored analyses, newest first, without their full results."""
        return self._get(
            "/analyses",
            list[AnalysisOut],
            kind=kind,
            model_name=model_name,
            model_version=model_version,
            run_id=run_id,
            limit=limit,
        )

    def analysis(self, analysis_id: str, *, result: bool = True) -> AnalysisOut:
        """One analysis, with its full result unless ``result=False``."""
        return self._get(f"/analyses/{analysis_id}", AnalysisOut, result=result)

    def analysis_result(self, analysis_id: str) -> Any:
        """The full result of one analysis (None when it stored only a summary)."""
        return self.analysis(analysis_id).result

    def run_counts(self) -> list[RunCountOut]:
        """Runs grouped by status, recipe and experiment."""
        return self._get("/run-counts", list[RunCountOut])

    def model_lineage(self, model: str, *, max_depth: int = 8) -> LineageGraphOut:
        """The lineage graph around every version of ``model``, its nodes named."""
        return self._get(
            f"/models/{quote(model, safe='')}/lineage", LineageGraphOut, max_depth=max_depth
        )

    def models(self) -> list[ModelOut]:
        """The registered models."""
        return self._get("/models", list[ModelOut])

    def engine_status(self) -> EngineStatusOut:
        """The engine's queue and slots, and the machine's CPU, memory and GPUs."""
        return self._get("/engine", EngineStatusOut)

    def recipes(self) -> list[RecipeOut]:
        """The recipes the engine can run."""
        return self._get("/recipes", list[RecipeOut])

    def recipe(self, name: str) -> RecipeDetailOut:
        """A recipe's stage tree, config schema and defaults."""
        return self._get(f"/recipes/{name}", RecipeDetailOut)

    def logs(self, run_id: str, *, tail: int = 200, after_seq: int = -1) -> list[LogOut]:
        """A run's last ``tail`` log lines (or those after ``after_seq``), oldest first."""
        return self._get(f"/runs/{run_id}/logs", list[LogOut], tail=tail, after_seq=after_seq)

    def stage_events(self, run_id: str) -> list[StageEventOut]:
        """A run's stage events in order."""
        return self._get(f"/runs/{run_id}/stages", list[StageEventOut])

    # -- writes and control ------------------------------------------------------------------

    def ingest(self, run_id: str, events: Sequence[ev.Event]) -> int:
        """Send a batch of events of one run; returns how many the engine applied."""
        body = json.dumps([to_wire(e) for e in events], default=str)
        response = self._request(
            "POST",
            f"/runs/{run_id}/events",
            content=body,
            headers={"Content-Type": "application/json"},
        )
        return IngestResult.model_validate_json(response.content).accepted

    def _post(self, path: str, kind: type[T], body: Any = None, **params: Any) -> T:
        json_body = body.model_dump(mode="json") if body is not None else None
        response = self._request("POST", path, json=json_body, params=params or None)
        return TypeAdapter(kind).validate_json(response.content)

    def submit(
        self,
        recipe: str,
        overrides: Sequence[str] = (),
        *,
        config: dict[str, Any] | None = None,
        priority: int = 0,
        workdir: str | None = None,
    ) -> RunControlOut:
        """Queue a run of ``recipe``; a bad recipe or config raises with the engine's message.

        ``config`` holds values as a YAML config file does; ``overrides`` go over it.
        ``workdir`` is the folder relative paths in them (a dataset file) are relative to.
        """
        body = SubmitIn(
            recipe=recipe,
            overrides=list(overrides),
            config=config,
            priority=priority,
            workdir=workdir,
        )
        return self._post("/runs", RunControlOut, body)

    def check(
        self, recipe: str, overrides: Sequence[str] = (), *, config: dict[str, Any] | None = None
    ) -> CheckOut:
        """Check a config without queueing it: every field error, or the resolved values."""
        body = SubmitIn(recipe=recipe, overrides=list(overrides), config=config)
        return self._post("/check", CheckOut, body)

    def cancel(self, run_id: str) -> RunControlOut:
        """Cancel a queued run at once, or a running one at its next stage boundary."""
        return self._post(f"/runs/{run_id}/cancel", RunControlOut)

    def pause(self, run_id: str) -> RunControlOut:
        """Pause a queued run at once, or a running one at its next loop boundary."""
        return self._post(f"/runs/{run_id}/pause", RunControlOut)

    def resume(self, run_id: str, *, priority: int = 0) -> RunControlOut:
        """Queue a paused, cancelled, failed or interrupted run to go on from its checkpoint."""
        return self._post(f"/runs/{run_id}/resume", RunControlOut, priority=priority)

    def delete(self, run_id: str) -> None:
        """Delete a finished run and its rows (not one a model version was made from)."""
        self._request("DELETE", f"/runs/{run_id}")

    def resume_info(self, run_id: str) -> ResumeInfoOut:
        """What resuming a run needs (the worker's view of ``Recording.resume_info``)."""
        return self._get(f"/runs/{run_id}/resume-info", ResumeInfoOut)

    def reopen(self, run_id: str, step: int) -> None:
        """Drop a run's metrics past ``step`` before it resumes from that checkpoint."""
        self._post(f"/runs/{run_id}/reopen", RunControlOut, ReopenIn(step=step))

    def register_model(
        self, name: str, *, run_id: str, artifact_ref: str, metrics: dict[str, float]
    ) -> ModelVersionOut:
        """Register a version of ``name`` from a blob run ``run_id`` has logged."""
        body = RegisterIn(run_id=run_id, artifact_ref=artifact_ref, metrics=metrics)
        return self._post(f"/models/{name}/versions", ModelVersionOut, body)

    def model_version(self, name: str, version_or_alias: str) -> ModelVersionOut:
        """One version of a model, by number or alias."""
        return self._get(f"/models/{name}/versions/{version_or_alias}", ModelVersionOut)

    def set_alias(self, name: str, alias: str, version: int) -> ModelVersionOut:
        """Point ``alias`` of model ``name`` at ``version``."""
        body = AliasIn(version=version).model_dump()
        response = self._request("PUT", f"/models/{name}/aliases/{alias}", json=body)
        return ModelVersionOut.model_validate_json(response.content)

    def shutdown(self) -> None:
        """Ask the engine to stop."""
        self._request("POST", "/shutdown")

    def stream(self, run_id: str | None = None, *, max_events: int | None = None) -> EventStream:
        """Live events of one run (or all runs), as :mod:`kitchen.events` objects.

        Use it as a context manager; the subscription is live once ``__enter__`` returns.
        """
        path = "/events" if run_id is None else f"/runs/{run_id}/events"
        params = {} if max_events is None else {"max_events": max_events}
        return EventStream(self, path, params)


class EventStream:
    """An open server-sent-event stream; iterate it for events."""

    def __init__(self, client: EngineClient, path: str, params: dict[str, Any]) -> None:
        self._client = client
        self._path = path
        self._params = params
        self._response: httpx.Response | None = None

    def __enter__(self) -> EventStream:
        http = self._client._http
        request = http.build_request("GET", self._path, params=self._params, timeout=None)
        try:
            self._response = http.send(request, stream=True)
        except httpx.TransportError as error:
            raise StoreAccessError(f"cannot open the event stream: {error}") from None
        if not self._response.is_success:
            self._response.read()
            _raise_for(self._response)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._response is not None:
            self._response.close()

    def __iter__(self) -> Iterator[ev.Event]:
        if self._response is None:
            raise RuntimeError("use the stream as a context manager: `with client.stream():`")
        data: list[str] = []
        for line in self._response.iter_lines():
            if line.startswith("data:"):
                data.append(line[5:].lstrip())
            elif not line and data:
                payload = json.loads("\n".join(data))
                data.clear()
                if isinstance(payload, dict) and "type" in payload:
                    yield from_wire(payload)


def _raise_for(response: httpx.Response) -> None:
    if response.is_success:
        return
    error_type = ""
    try:
        body = response.json()
        detail: Any = body.get("detail")
        error_type = str(body.get("error_type") or "")
    except (ValueError, AttributeError):
        detail = response.text
    if isinstance(detail, list):
        # FastAPI's validation errors: name the field of the first one.
        first = detail[0] if detail else {}
        where = ".".join(str(p) for p in first.get("loc", []))
        detail = f"{where}: {first.get('msg', '')}"
    message = f"{detail} (HTTP {response.status_code})"
    if response.status_code == 404:
        raise NotFoundError(str(detail))
    if response.status_code == 401:
        raise StoreAccessError(f"the engine refused the token: {message}")
    if error_type and response.status_code in (409, 422):
        # A user's mistake the engine named (bad config, unknown recipe, not resumable).
        raise error_named(error_type, str(detail))
    raise KitchenError(message, title="Engine error")


__all__ = ["EngineClient", "EventStream"]
