"""``Store``: one object, one DuckDB connection, every store operation as a method.

The methods are thin: each forwards to the module that owns the idea (``runs``, ``metrics``,
``events``, ``artifacts``, ``registry``, ``lineage``, ``queries``). Reads that involve metrics,
events or logs first flush this store's own buffers, so a process always reads its own writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, SupportsFloat, SupportsIndex

from store import (
    analyses,
    artifacts,
    evals,
    events,
    feedback,
    lineage,
    queries,
    registry,
    runs,
    summary,
)
from store.blobs import BlobStore
from store.db import DB_FILENAME, Database
from store.errors import ReadOnlyStoreError
from store.metrics import DEFAULT_FLUSH_ROWS, MetricBuffer
from store.migrate import migrate, require_current
from store.models import (
    Analysis,
    Artifact,
    ArtifactKind,
    Experiment,
    LineageEdge,
    LogLevel,
    LogLine,
    Model,
    ModelAlias,
    ModelStage,
    ModelVersion,
    Run,
    RunStatus,
    StageEvent,
    StageEventKind,
)
from store.records import (
    Curve,
    LineageGraph,
    ModelSummary,
    RunComparison,
    RunCount,
    RunRow,
)

BLOBS_DIRNAME = "blobs"


class Store:
    """The Kitchen store of one home folder: ``<home>/kitchen.duckdb`` plus ``<home>/blobs``.

    Use ``open_store`` to make one; close it (or use it as a context manager) to flush buffered
    metrics and release the file, which no other process can open until then. A long-lived UI
    process should open a read-only store per read and close it again: even a read-only
    connection locks every writer out for as long as it lives.

    Args:
        home: The Kitchen home folder.
        read_only: Open without writing (fails while another process has the file open).
        flush_rows: Metric points buffered before a flush.
        background_flush: Flush metrics on a background thread.
        flush_interval_s: Flush buffered metrics, events and logs at least this often while
            they keep coming; ``None`` for size-triggered flushes only.
    """

    def __init__(
        self,
        home: Path,
        *,
        read_only: bool = False,
        flush_rows: int = DEFAULT_FLUSH_ROWS,
        background_flush: bool = True,
        flush_interval_s: float | None = 1.0,
    ) -> None:
        self.home = home
        self.read_only = read_only
        if not read_only:
            home.mkdir(parents=True, exist_ok=True)
        self.db = Database(home / DB_FILENAME, read_only=read_only)
        try:
            with self.db.connection() as con:
                if read_only:
                    require_current(con)
                else:
                    migrate(con)
        except BaseException:
            self.db.close()
            raise
        self.blobs = BlobStore(home / BLOBS_DIRNAME, read_only=read_only)
        self._metrics: MetricBuffer | None = None
        self._events: events.EventBuffer | None = None
        if not read_only:
            self._metrics = MetricBuffer(
                self.db,
                flush_rows=flush_rows,
                max_age_s=flush_interval_s,
                background=background_flush,
            )
            self._events = events.EventBuffer(self.db, max_age_s=flush_interval_s)

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The DuckDB file."""
        return self.db.path

    def flush(self) -> int:
        """Write buffered metrics, stage events and logs now; returns the rows written."""
        if self._metrics is None or self._events is None:
            return 0
        return self._metrics.flush() + self._events.flush()

    def close(self) -> None:
        """Flush, stop the background flusher and close the file. Idempotent."""
        if self.db.closed:
            return
        try:
            if self._metrics is not None:
                self._metrics.close()
        finally:
            try:
                if self._events is not None:
                    self._events.flush()
            finally:
                self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- experiments, runs, params -----------------------------------------------------------

    def ensure_experiment(self, name: str) -> Experiment:
        """The experiment called ``name``, created if new."""
        return runs.ensure_experiment(self.db, name)

    def list_experiments(self) -> list[Experiment]:
        """Every experiment, newest first."""
        return runs.list_experiments(self.db)

    def create_run(
        self,
        *,
        recipe: str,
        experiment: str = runs.DEFAULT_EXPERIMENT,
        name: str | None = None,
        config: Mapping[str, Any] | None = None,
        seed: int | None = None,
        git_commit: str | None = None,
        env: Mapping[str, Any] | None = None,
        parent_run_id: str | None = None,
        priority: int = 0,
    ) -> Run:
        """Record a queued run; see ``store.runs.create_run``."""
        return runs.create_run(
            self.db,
            recipe=recipe,
            experiment=experiment,
            name=name,
            config=config,
            seed=seed,
            git_commit=git_commit,
            env=env,
            parent_run_id=parent_run_id,
            priority=priority,
        )

    def get_run(self, id_or_prefix: str) -> Run:
        """A run by id or unique id prefix."""
        return runs.get_run(self.db, id_or_prefix)

    def set_run_status(
        self,
        run_id: str,
        status: RunStatus,
        *,
        error_type: str | None = None,
        error_message: str | None = None,
    ) -> Run:
        """Move a run to ``status``; see ``store.runs.set_status``."""
        if status != "running":
            self.flush()  # a finished run's numbers are complete when its status says so
        return runs.set_status(
            self.db, run_id, status, error_type=error_type, error_message=error_message
        )

    def delete_run(self, run_id: str) -> Run:
        """Delete a finished run and its rows; see ``store.runs.delete_run``."""
        self.flush()  # buffered points of the run must not land after its rows are gone
        return runs.delete_run(self.db, run_id)

    def queued_runs(self) -> list[Run]:
        """Runs left ``queued``, in the order the engine starts them."""
        return runs.queued_runs(self.db)

    def interrupt_running(self) -> list[str]:
        """Mark runs left ``running`` by a dead engine as ``interrupted``; returns their ids."""
        return runs.interrupt_running(self.db)

    def log_params(self, run_id: str, params: Mapping[str, Any]) -> None:
        """Add or overwrite parameters of a run."""
        runs.log_params(self.db, run_id, params)

    def get_params(self, run_id: str) -> dict[str, Any]:
        """A run's parameters."""
        return runs.get_params(self.db, run_id)

    # -- metrics, stage events, logs ---------------------------------------------------------

    @property
    def metrics(self) -> MetricBuffer:
        """The metric buffer, for callers that append in a hot loop.

        Raises:
            ReadOnlyStoreError: The store is read-only.
        """
        if self._metrics is None:
            raise ReadOnlyStoreError(f"{self.path} is open read-only; metrics cannot be logged")
        return self._metrics

    def log_metric(
        self,
        run_id: str,
        key: str,
        step: SupportsIndex,
        value: SupportsFloat,
        wall_time: float | None = None,
    ) -> None:
        """Buffer one metric point; see ``MetricBuffer.append``."""
        self.metrics.append(run_id, key, step, value, wall_time)

    def log_metrics(
        self,
        run_id: str,
        step: SupportsIndex,
        values: Mapping[str, SupportsFloat],
        wall_time: float | None = None,
    ) -> None:
        """Buffer several metrics of one step; see ``MetricBuffer.append_many``."""
        self.metrics.append_many(run_id, step, values, wall_time)

    def log_stage_event(
        self,
        run_id: str,
        stage_path: str,
        stage: str,
        event: StageEventKind,
        *,
        wall_time: float | None = None,
        duration_s: float | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Buffer a stage event; see ``EventBuffer.stage_event``."""
        self._event_buffer().stage_event(
            run_id,
            stage_path,
            stage,
            event,
            wall_time=wall_time,
            duration_s=duration_s,
            detail=detail,
        )

    def log(
        self,
        run_id: str,
        level: LogLevel | str,
        message: str,
        *,
        stage: str | None = None,
        wall_time: float | None = None,
    ) -> None:
        """Buffer a log line; see ``EventBuffer.log``."""
        self._event_buffer().log(run_id, level, message, stage=stage, wall_time=wall_time)

    def stage_events(self, run_id: str) -> list[StageEvent]:
        """A run's stage events in order."""
        self.flush()
        return events.stage_events(self.db, run_id)

    def logs(
        self,
        run_id: str,
        *,
        after_seq: int = -1,
        limit: int = 1000,
        min_level: LogLevel | None = None,
        tail: bool = False,
    ) -> list[LogLine]:
        """A run's log lines after ``after_seq``; see ``store.events.logs``."""
        self.flush()
        return events.logs(
            self.db, run_id, after_seq=after_seq, limit=limit, min_level=min_level, tail=tail
        )

    # -- artifacts ---------------------------------------------------------------------------

    def log_artifact(
        self,
        run_id: str | None,
        path: Path,
        *,
        kind: ArtifactKind,
        name: str | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> Artifact:
        """Store a file or folder as an artifact; see ``store.artifacts.log_artifact``."""
        return artifacts.log_artifact(
            self.db, self.blobs, run_id=run_id, path=path, kind=kind, name=name, meta=meta
        )

    def log_artifact_bytes(
        self,
        run_id: str | None,
        data: bytes,
        *,
        name: str,
        kind: ArtifactKind,
        meta: Mapping[str, Any] | None = None,
    ) -> Artifact:
        """Store bytes as a one-file artifact."""
        return artifacts.log_artifact_bytes(
            self.db, self.blobs, run_id=run_id, data=data, name=name, kind=kind, meta=meta
        )

    def get_artifact(self, artifact_id: str) -> Artifact:
        """An artifact by id."""
        return artifacts.get_artifact(self.db, artifact_id)

    def list_artifacts(self, run_id: str, *, kind: ArtifactKind | None = None) -> list[Artifact]:
        """A run's artifacts, oldest first."""
        return artifacts.list_artifacts(self.db, run_id, kind=kind)

    def record_blob_artifact(
        self,
        run_id: str | None,
        *,
        sha256: str,
        kind: ArtifactKind,
        name: str,
        meta: Mapping[str, Any] | None = None,
    ) -> Artifact:
        """Record a blob already in the blob store as an artifact (no second copy)."""
        return artifacts.record_blob(
            self.db, self.blobs, run_id=run_id, sha256=sha256, kind=kind, name=name, meta=meta
        )

    def truncate_metrics(self, run_id: str, *, after_step: int) -> int:
        """Delete a run's metric points past ``after_step`` (before resuming it), and its
        evaluations at or after it (a resumed run evaluates again from that checkpoint)."""
        self.flush()
        with self.db.transaction() as con:
            con.execute(
                "DELETE FROM eval_samples WHERE run_id = ? AND phase = 'eval' AND step >= ?",
                [run_id, after_step],
            )
            return summary.truncate_run(con, run_id, after_step)

    # -- evaluation samples ------------------------------------------------------------------

    def log_eval_samples(
        self,
        run_id: str,
        rows: Sequence[Mapping[str, Any]],
        *,
        phase: str,
        task: str,
        step: int,
    ) -> int:
        """Store one evaluation's per-sample rows (see :func:`store.evals.insert_eval_samples`)."""
        return evals.insert_eval_samples(
            self.db, run_id, phase=phase, task=task, step=step, rows=rows
        )

    def eval_samples(
        self,
        run_ids: str | Sequence[str],
        *,
        phase: str | None = None,
        task: str | None = None,
        step: int | None = None,
        columns: Sequence[str] | None = None,
    ) -> Any:
        """Per-sample rows as a ``pyarrow.Table`` (``.to_pandas()`` for a DataFrame)."""
        ids = [run_ids] if isinstance(run_ids, str) else list(run_ids)
        return evals.eval_samples(self.db, ids, phase=phase, task=task, step=step, columns=columns)

    def eval_summaries(self, run_id: str) -> list[evals.EvalSummary]:
        """Every evaluation a run stored, with its size and mean score."""
        return evals.eval_summaries(self.db, run_id)

    def paired_scores(
        self, run_a: str, run_b: str, *, task: str | None = None, phase: str = "eval"
    ) -> evals.PairedScores:
        """Two runs' scores on the samples both evaluated, matched by sample and epoch."""
        return evals.paired_scores(self.db, run_a, run_b, task=task, phase=phase)

    def materialize_artifact(self, artifact_id: str, dest: Path, *, link: bool = False) -> Path:
        """Copy (or hard-link) an artifact out to ``dest``."""
        return artifacts.materialize_artifact(self.db, self.blobs, artifact_id, dest, link=link)

    # -- feedback and analyses ---------------------------------------------------------------

    def log_feedback(
        self,
        rows: Sequence[Mapping[str, Any]],
        *,
        batch_id: str | None = None,
        source: str | None = None,
    ) -> tuple[str, int]:
        """Store redacted, checked feedback events (see :func:`store.feedback.insert_feedback`)."""
        return feedback.insert_feedback(self.db, rows, batch_id=batch_id, source=source)

    def feedback_events(self, **filters: Any) -> Any:
        """Feedback events as a ``pyarrow.Table``, oldest first (filters: model_name,
        model_version, since, until, limit, columns)."""
        return feedback.feedback_events(self.db, **filters)

    def feedback_summaries(self) -> list[feedback.FeedbackSummary]:
        """Per model version: event counts, time span, flags, signal and latency."""
        return feedback.feedback_summaries(self.db)

    def log_analysis(self, **fields: Any) -> Analysis:
        """Store an analysis (see :func:`store.analyses.log_analysis`)."""
        return analyses.log_analysis(self.db, self.blobs, **fields)

    def list_analyses(self, **filters: Any) -> list[Analysis]:
        """Analyses, newest first (filters: kind, model_name, model_version, run_id, limit)."""
        return analyses.list_analyses(self.db, **filters)

    def get_analysis(self, analysis_id: str) -> Analysis:
        """One analysis by id."""
        return analyses.get_analysis(self.db, analysis_id)

    def analysis_result(self, analysis_id: str) -> Any:
        """An analysis's full result (None when it stored only a summary)."""
        return analyses.analysis_result(self.db, self.blobs, analysis_id)

    # -- model registry ----------------------------------------------------------------------

    def create_model(self, name: str, description: str = "") -> Model:
        """Register a model name."""
        return registry.create_model(self.db, name, description)

    def register_model_version(
        self,
        model_name: str,
        *,
        run_id: str | None = None,
        artifact_id: str | None = None,
        metrics: Mapping[str, float] | None = None,
        stage: ModelStage = "none",
    ) -> ModelVersion:
        """Add the next version of a model; see ``store.registry.register_version``."""
        return registry.register_version(
            self.db,
            model_name,
            run_id=run_id,
            artifact_id=artifact_id,
            metrics=metrics,
            stage=stage,
        )

    def set_alias(self, model_name: str, alias: str, version: int) -> ModelAlias:
        """Point an alias (``champion`` / ``@champion``) at a version."""
        return registry.set_alias(self.db, model_name, alias, version)

    def remove_alias(self, model_name: str, alias: str) -> None:
        """Delete an alias."""
        registry.remove_alias(self.db, model_name, alias)

    def set_model_stage(
        self, model_name: str, version: int, stage: ModelStage, *, archive_others: bool = False
    ) -> ModelVersion:
        """Move a version to a stage; see ``store.registry.set_stage``."""
        return registry.set_stage(
            self.db, model_name, version, stage, archive_others=archive_others
        )

    def get_model_version(self, model_name: str, ref: int | str) -> ModelVersion:
        """A version by number, alias or ``latest``."""
        return registry.get_model_version(self.db, model_name, ref)

    def list_model_versions(self, model_name: str) -> list[ModelVersion]:
        """A model's versions, lowest first."""
        return registry.list_versions(self.db, model_name)

    def list_models(self) -> list[ModelSummary]:
        """Every model with its latest version and aliases."""
        return registry.list_models(self.db)

    # -- lineage -----------------------------------------------------------------------------

    def link(
        self, src_kind: str, src_id: str, dst_kind: str, dst_id: str, relation: str
    ) -> LineageEdge:
        """Record that ``dst`` was made from ``src``; raises ``LineageCycleError`` on a cycle."""
        return lineage.link(self.db, src_kind, src_id, dst_kind, dst_id, relation)

    def lineage(
        self, kind: str, node_id: str, *, max_depth: int = lineage.DEFAULT_MAX_DEPTH
    ) -> LineageGraph:
        """Edges upstream and downstream of a node."""
        return lineage.lineage(self.db, kind, node_id, max_depth=max_depth)

    # -- queries for the UIs -----------------------------------------------------------------

    def runs_table(
        self,
        *,
        limit: int = 100,
        offset: int = 0,
        status: str | Sequence[str] | None = None,
        experiment: str | None = None,
        recipe: str | None = None,
        summary_keys: Sequence[str] = queries.DEFAULT_SUMMARY_KEYS,
    ) -> list[RunRow]:
        """One page of runs, newest first; see ``store.queries.runs_table``."""
        self.flush()
        return queries.runs_table(
            self.db,
            limit=limit,
            offset=offset,
            status=status,
            experiment=experiment,
            recipe=recipe,
            summary_keys=summary_keys,
        )

    def metric_curve(self, run_id: str, key: str, *, max_points: int = 1000) -> Curve:
        """One metric of one run, at most ``max_points`` (min/max per step bucket, ends kept)."""
        self.flush()
        return queries.metric_curve(self.db, run_id, key, max_points=max_points)

    def metric_curves(
        self, run_ids: Sequence[str], key: str, *, max_points: int = 1000
    ) -> dict[str, Curve]:
        """One metric of several runs in one query."""
        self.flush()
        return queries.metric_curves(self.db, run_ids, key, max_points=max_points)

    def last_values(
        self, run_ids: Sequence[str], keys: Sequence[str] | None = None
    ) -> dict[str, dict[str, float]]:
        """The last value of metrics of several runs."""
        self.flush()
        return queries.last_values(self.db, run_ids, keys)

    def metric_keys(self, run_id: str) -> list[str]:
        """The metrics a run has logged."""
        self.flush()
        return queries.metric_keys(self.db, run_id)

    def run_counts(self) -> list[RunCount]:
        """Runs grouped by status, recipe and experiment."""
        return queries.run_counts(self.db)

    def compare_runs(self, run_a: str, run_b: str) -> RunComparison:
        """Two runs' params and final metrics side by side."""
        self.flush()
        return queries.compare_runs(self.db, run_a, run_b)

    def _event_buffer(self) -> events.EventBuffer:
        if self._events is None:
            raise ReadOnlyStoreError(f"{self.path} is open read-only; events cannot be logged")
        return self._events


def open_store(
    home: Path | str,
    *,
    read_only: bool = False,
    flush_rows: int = DEFAULT_FLUSH_ROWS,
    background_flush: bool = True,
    flush_interval_s: float | None = 1.0,
) -> Store:
    """Open (creating and migrating when needed) the store in ``home``.

    Args:
        home: The Kitchen home folder; ``<home>/kitchen.duckdb`` is the database.
        read_only: Open without write access; the schema must be current already.
        flush_rows: Metric points buffered before a flush.
        background_flush: Flush metrics on a background thread.
        flush_interval_s: Flush buffers at least this often while data keeps coming.

    Raises:
        StoreLockedError: Another process has the file open.
        NotFoundError: ``read_only`` and there is no store in ``home``.
        SchemaVersionError: The file's schema is newer than this Kitchen, or older and
            ``read_only``.
    """
    return Store(
        Path(home),
        read_only=read_only,
        flush_rows=flush_rows,
        background_flush=background_flush,
        flush_interval_s=flush_interval_s,
    )
