"""Reading an experiment's runs: from an open store, or through the engine serving the home.

While an engine serves a home it holds the store, so readers go through its API; otherwise
the store is opened read-only (DESIGN.md §2). Both readers give the same records.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from kitchen.experiments.plan import parse_run_name
from kitchen.experiments.policy import ACTIVE, interrupted
from kitchen.experiments.records import ExperimentRun, read_record
from kitchen.experiments.spec import ExperimentSpec
from kitchen.launch import RESUME_LOG_PREFIX

if TYPE_CHECKING:
    from kitchen.engine.client import EngineClient
    from store import Store

# The most runs one experiment is read with (the engine's page limit).
MAX_RUNS = 10_000
# Log lines read per request when counting an interrupted run's resumes, from the second line
# on: the engine answers ``after_seq=-1`` with the newest lines, and a run's first line is
# never a resume's (every resume follows the line that recorded the interruption).
_LOG_PAGE = 5_000
_FIRST_SEQ = 0


@dataclass(frozen=True)
class HistoryRun:
    """An earlier succeeded run, for time estimates: its config and how long it took."""

    config: dict[str, Any]
    duration_s: float


class ExperimentSource(Protocol):
    """Where an experiment's runs are read from."""

    @property
    def home(self) -> Path: ...

    def experiment_runs(self, name: str, keys: Sequence[str]) -> list[ExperimentRun]: ...

    def history(self, recipe: str, limit: int) -> list[HistoryRun]: ...

    def free_slots(self) -> int | None: ...


@dataclass(frozen=True)
class _Ending:
    """What a run that ended without success left behind (read once per ending)."""

    error_type: str = ""
    message: str = ""
    resumable: bool = False
    resumes: int = 0


def _rows_to_runs(rows: Sequence[Any], endings: dict[Any, _Ending]) -> list[ExperimentRun]:
    runs = []
    for row in rows:
        parsed = parse_run_name(row.name)
        if parsed is None:
            continue  # a run someone added to the experiment by hand
        condition, seed, attempt = parsed
        ending = endings.get(_ending_key(row), _Ending())
        error_type, message = ending.error_type, ending.message
        runs.append(
            ExperimentRun(
                run_id=row.id,
                condition=condition,
                seed=seed,
                attempt=attempt,
                status=str(row.status),
                metrics={k: float(v) for k, v in row.metrics.items()},
                duration_s=row.duration_s,
                error=f"{error_type or row.status}: {message}" if error_type or message else None,
                error_type=error_type or None,
                resumable=ending.resumable,
                resumes=ending.resumes,
            )
        )
    runs.sort(key=lambda r: (r.condition, r.seed, r.attempt))
    return runs


def _needs_error(status: str) -> bool:
    return status not in (*ACTIVE, "succeeded")


def _ending_key(row: Any) -> tuple[str, str, Any]:
    """A resumed run that ends again has a new ending: the cache must not keep the old one."""
    return (row.id, str(row.status), row.finished_at)


def _count_resumes(read_page: Callable[[int], Sequence[Any]]) -> int:
    """How often a run went on from a checkpoint: its resume lines, read page by page
    (``read_page(after_seq)`` gives the log lines numbered above ``after_seq``)."""
    resumes, after = 0, _FIRST_SEQ
    while page := read_page(after):
        resumes += sum(1 for line in page if line.message.startswith(RESUME_LOG_PREFIX))
        after = page[-1].seq
    return resumes


class StoreSource:
    """Reads an open store (read-only is enough)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._endings: dict[Any, _Ending] = {}

    @property
    def home(self) -> Path:
        """The store's Kitchen home."""
        return Path(self.store.home)

    def experiment_runs(self, name: str, keys: Sequence[str]) -> list[ExperimentRun]:
        """Every run of experiment ``name`` the harness named, with the last value of ``keys``."""
        rows = self.store.runs_table(experiment=name, limit=MAX_RUNS, summary_keys=list(keys))
        for row in rows:
            key = _ending_key(row)
            if _needs_error(row.status) and key not in self._endings:
                self._endings[key] = self._ending(row.id)
        return _rows_to_runs(rows, self._endings)

    def _ending(self, run_id: str) -> _Ending:
        run = self.store.get_run(run_id)
        error_type = run.error_type or ""
        if not interrupted(run.status, error_type):
            return _Ending(error_type, run.error_message or "")
        resumable = bool(self.store.list_artifacts(run_id, kind="checkpoint"))
        resumes = _count_resumes(
            lambda after: self.store.logs(run_id, after_seq=after, limit=_LOG_PAGE)
        )
        return _Ending(error_type, run.error_message or "", resumable, resumes)

    def history(self, recipe: str, limit: int) -> list[HistoryRun]:
        """The newest ``limit`` succeeded runs of ``recipe`` with their configs."""
        rows = self.store.runs_table(
            recipe=recipe, status="succeeded", limit=limit, summary_keys=[]
        )
        out = []
        for row in rows:
            if row.duration_s is not None:
                config = json.loads(self.store.get_run(row.id).config_json)
                out.append(HistoryRun(config, float(row.duration_s)))
        return out

    def free_slots(self) -> int | None:
        """None: without an engine nothing runs."""
        return None


class EngineSource:
    """Reads through the engine's API (the one way while an engine serves the home)."""

    def __init__(self, client: EngineClient, home: Path | None = None) -> None:
        self.client = client
        self._home = home
        self._endings: dict[Any, _Ending] = {}

    @property
    def home(self) -> Path:
        """The home of the store the engine serves."""
        return self._home or Path(self.client.info.store).parent

    def experiment_runs(self, name: str, keys: Sequence[str]) -> list[ExperimentRun]:
        """Every run of experiment ``name`` the harness named, with the last value of ``keys``."""
        rows = self.client.runs(experiment=name, limit=MAX_RUNS, summary_keys=list(keys))
        for row in rows:
            key = _ending_key(row)
            if _needs_error(row.status) and key not in self._endings:
                self._endings[key] = self._ending(row.id, str(row.status))
        return _rows_to_runs(rows, self._endings)

    def _ending(self, run_id: str, status: str) -> _Ending:
        from kitchen.errors import KitchenError

        record = self.client.run(run_id).run
        error_type = record.error_type or ""
        if not interrupted(status, error_type):
            return _Ending(error_type, record.error_message or "")
        try:
            self.client.resume_info(run_id)
            resumable = True
        except KitchenError:  # no checkpoint (the engine says why)
            resumable = False
        resumes = _count_resumes(
            lambda after: self.client.logs(run_id, tail=_LOG_PAGE, after_seq=after)
        )
        return _Ending(error_type, record.error_message or "", resumable, resumes)

    def history(self, recipe: str, limit: int) -> list[HistoryRun]:
        """The newest ``limit`` succeeded runs of ``recipe`` with their configs."""
        rows = self.client.runs(recipe=recipe, status="succeeded", limit=limit)
        return [
            HistoryRun(self.client.run(row.id).run.config, float(row.duration_s))
            for row in rows
            if row.duration_s is not None
        ]

    def free_slots(self) -> int | None:
        """The engine's slots not running anything now (at least 1)."""
        status = self.client.engine_status()
        return max(1, status.slots - len(status.running))


def as_source(source: Any) -> ExperimentSource:
    """A :class:`store.Store`, an :class:`~kitchen.engine.client.EngineClient` or a source."""
    from kitchen.engine.client import EngineClient

    if isinstance(source, EngineClient):
        return EngineSource(source)
    if hasattr(source, "experiment_runs"):
        return source  # type: ignore[no-any-return]
    return StoreSource(source)


def load_experiment(source: Any, name: str) -> tuple[ExperimentSpec, list[ExperimentRun]]:
    """The saved spec of experiment ``name`` and every attempt of its runs.

    Args:
        source: An open :class:`store.Store` (read-only is enough), an
            :class:`~kitchen.engine.client.EngineClient` of the engine serving the home, or an
            :class:`ExperimentSource`.
        name: The experiment's name.

    Raises:
        NotFoundError: the experiment was never run from this home.
    """
    reader = as_source(source)
    spec = read_record(reader.home, name).spec
    return spec, reader.experiment_runs(name, metric_keys(spec))


def metric_keys(spec: ExperimentSpec) -> list[str]:
    """The metrics read for each run: the compared one, and the training loss for context."""
    return list(dict.fromkeys([spec.metric, "train/loss"]))
