"""Open the store for an embedded run and hand out the pieces ``kitchen.launch`` needs."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kitchen.adapters.duckdb.blobs import StoreBlobs
from kitchen.adapters.duckdb.metrics import StoreMetrics
from kitchen.adapters.duckdb.recorder import StoreRecorder
from kitchen.adapters.duckdb.registry import StoreRegistry
from kitchen.context import Ports
from kitchen.errors import NotFoundError, ResumeError, StoreAccessError
from kitchen.launch import resume_log
from store import NotFoundError as StoreNotFound
from store import Store, StoreError, StoreLockedError, open_store


@dataclass(frozen=True, slots=True)
class ResumeRecord:
    """What resuming a run needs: its recipe and config, and its last checkpoint."""

    run_id: str
    recipe: str
    config: Mapping[str, Any]
    checkpoint_ref: str
    position: tuple[tuple[int, int], ...]
    snapshot: Mapping[str, Any]
    step: int
    pending: bool = False


class Recording:
    """The store, opened for one embedded run."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.blobs = StoreBlobs(store.blobs)
        self.metrics = StoreMetrics(store)

    def create_run(
        self,
        recipe: str,
        config: BaseModel,
        *,
        experiment: str,
        name: str,
        seed: int,
        env: Mapping[str, Any],
        priority: int = 0,
    ) -> str:
        run = self.store.create_run(
            recipe=recipe,
            priority=priority,
            experiment=experiment,
            name=name or None,
            config=config.model_dump(mode="json"),
            seed=seed,
            git_commit=str(env.get("git_commit") or "") or None,
            env=env,
        )
        return run.id

    def resume_info(self, run_id: str) -> ResumeRecord:
        """Find the run and its last checkpoint.

        Raises:
            NotFoundError: no such run.
            ResumeError: it succeeded already, or it has no checkpoint.
        """
        try:
            run = self.store.get_run(run_id)
        except StoreNotFound as error:
            raise NotFoundError(str(error)) from None
        if run.status == "succeeded":
            raise ResumeError(f"run {run.id} has already succeeded; nothing to resume")
        if run.status == "running":
            raise ResumeError(f"run {run.id} is running; pause or cancel it before resuming")
        checkpoints = self.store.list_artifacts(run.id, kind="checkpoint")
        if not checkpoints:
            raise ResumeError(
                f"run {run.id} has no checkpoint to resume from (it {run.status} before the "
                "first one; set save_every to checkpoint more often)"
            )
        last = checkpoints[-1]
        meta = json.loads(last.meta_json)
        return ResumeRecord(
            run_id=run.id,
            recipe=run.recipe,
            config=json.loads(run.config_json),
            checkpoint_ref=last.sha256,
            position=tuple((int(a), int(b)) for a, b in meta["position"]),
            snapshot=meta["state"],
            step=int(meta.get("step", meta["state"].get("global_step", 0))),
            pending=bool(meta.get("pending", False)),
        )

    def reopen_run(self, record: ResumeRecord) -> None:
        """Drop what the run logged after its checkpoint, so the history stays unbroken."""
        self.store.truncate_metrics(record.run_id, after_step=record.step)
        self.store.log(record.run_id, "info", resume_log(record.step))

    def default_ports(self, config: BaseModel) -> Ports:
        """The real adapters: torch backend, HF datasets and hub, this store."""
        from kitchen.adapters.duckdb.analyses import StoreAnalyses
        from kitchen.adapters.real import real_ports

        return real_ports(
            config,
            blobs=self.blobs,
            metrics=self.metrics,
            registry=StoreRegistry(self.store),
            analyses=StoreAnalyses(self.store),
        )

    def recorder(self, ports: Ports) -> StoreRecorder:
        return StoreRecorder(self.store, ports.metrics)


@contextmanager
def open_recording(home: Path) -> Iterator[Recording]:
    """Open the store in ``home`` read-write for one run.

    Raises:
        StoreAccessError: another process holds the store, or it cannot be opened.
    """
    try:
        store = open_store(home)
    except StoreLockedError as error:
        from kitchen.engine.files import read_engine

        engine = read_engine(home)
        if engine is not None:
            raise StoreAccessError(
                f"the engine (pid {engine.pid}, {engine.url}) serves this store; run through it "
                "(`kitchen run` without --embedded), or stop it (`kitchen engine stop`) to run "
                "in this process"
            ) from None
        raise StoreAccessError(str(error)) from None
    except StoreError as error:
        raise StoreAccessError(f"cannot open the store in {home}: {error}") from None
    try:
        # This process holds the only write lock, so a run still marked running was left by a
        # process that died (kill -9, power loss): mark it interrupted, resumable.
        for run_id in store.interrupt_running():
            store.log(run_id, "warning", "the process running this run died; marked interrupted")
        yield Recording(store)
    finally:
        store.close()
