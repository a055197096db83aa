"""The engine's scheduler: a priority queue of runs and one worker process per running run.

One thread owns the queue and the workers; routes talk to it through methods that take its
lock. Runs start highest priority first, then in submission order, while fewer than ``slots``
run. A worker reports the run's whole life through ingest; the scheduler only steps in when a
worker dies without reporting its end (marked ``failed`` with the exit code), and when a
cancelled worker outlives the grace period (killed, marked ``cancelled``).

The queue is the store's: a queued run is ``queued`` in the runs table with its priority, so an
engine that restarts queues again what its predecessor had not started (:meth:`restore`).
Signals to a worker: SIGINT cancels at the next stage boundary, SIGUSR1 pauses at the next
loop boundary (checkpoint, then exit, freeing the GPU).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kitchen.events import RunFinished

if TYPE_CHECKING:
    from kitchen.engine.app import EngineState

# Environment variables that carry a worker's connection and job; never argv, which any local
# user can read in the process list.
ENV_URL = "KITCHEN_ENGINE_URL"
ENV_TOKEN = "KITCHEN_ENGINE_TOKEN"
ENV_JOB = "KITCHEN_WORKER_JOB"
WORKERS_DIRNAME = "workers"
DEFAULT_GRACE_S = 30.0
TICK_S = 0.05
_UNFINISHED = ("queued", "running")


@dataclass(order=True)
class Job:
    """A queued run: what the worker will do with it."""

    sort_key: tuple[int, int]
    run_id: str = field(compare=False)
    recipe: str = field(compare=False, default="")
    config: dict[str, Any] | None = field(compare=False, default=None)
    resume: bool = field(compare=False, default=False)
    workdir: str | None = field(compare=False, default=None)


@dataclass
class Worker:
    """A running worker process and, once cancelled, when it gets killed."""

    job: Job
    proc: subprocess.Popen[bytes]
    kill_at: float | None = None


class Scheduler:
    """Queues runs and runs each in a ``python -m kitchen.engine.worker`` process.

    Args:
        state: The engine's shared state (the store and its lock).
        home: The Kitchen home; worker logs go to ``<home>/workers/<run id>.log``.
        url: The engine's address, handed to workers.
        token: The engine's token, handed to workers.
        slots: How many runs may execute at once.
        grace_s: How long a cancelled worker gets to stop before it is killed.
    """

    def __init__(
        self,
        state: EngineState,
        home: Path,
        url: str,
        token: str,
        *,
        slots: int = 1,
        grace_s: float = DEFAULT_GRACE_S,
    ) -> None:
        self.state = state
        self.home = home
        self.url = url
        self.token = token
        self.slots = max(1, slots)
        self.grace_s = grace_s
        self._queue: list[Job] = []
        self._running: dict[str, Worker] = {}
        self._seq = itertools.count()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="engine-scheduler", daemon=True)

    def start(self) -> None:
        """Start the scheduling thread."""
        self._thread.start()

    # -- requests from routes ------------------------------------------------------------------

    def submit(
        self,
        run_id: str,
        *,
        recipe: str = "",
        config: dict[str, Any] | None = None,
        priority: int = 0,
        resume: bool = False,
        workdir: str | None = None,
    ) -> None:
        """Queue run ``run_id``: a new run of ``recipe`` with ``config``, or one to resume.

        Its worker starts in ``workdir`` (the submitter's folder) when that still exists.
        """
        job = Job((-priority, next(self._seq)), run_id, recipe, config, resume, workdir)
        with self._lock:
            # A resume may be queued while the run's last worker is still exiting: it starts
            # once that one is reaped (see ``_launch``).
            busy = run_id in self._running and not resume
            if busy or any(j.run_id == run_id for j in self._queue):
                from kitchen.errors import ResumeError

                raise ResumeError(f"run {run_id} is already queued or running")
            heapq.heappush(self._queue, job)

    def cancel(self, run_id: str) -> str:
        """Cancel a queued run at once, or ask a running one to stop.

        Returns:
            ``"dequeued"``, ``"signalled"``, or ``""`` when the scheduler does not hold it.
        """
        with self._lock:
            for job in self._queue:
                if job.run_id == run_id:
                    self._queue.remove(job)
                    heapq.heapify(self._queue)
                    return "dequeued"
            worker = self._running.get(run_id)
            if worker is None:
                return ""
            if worker.kill_at is None:
                worker.kill_at = time.monotonic() + self.grace_s
                _signal(worker.proc, signal.SIGINT)  # the worker sets its CancelToken
            return "signalled"

    def pause(self, run_id: str) -> str:
        """Take a queued run out of the queue, or ask a running one to pause.

        Returns:
            ``"held"`` (it was queued), ``"signalled"`` (its worker will checkpoint at the next
            loop boundary and exit), or ``""`` when the scheduler does not hold it.
        """
        with self._lock:
            for job in self._queue:
                if job.run_id == run_id:
                    self._queue.remove(job)
                    heapq.heapify(self._queue)
                    return "held"
            worker = self._running.get(run_id)
            if worker is None:
                return ""
            if worker.kill_at is None:
                _signal(worker.proc, signal.SIGUSR1)
            return "signalled"

    def restore(self) -> list[str]:
        """Queue again the runs the store holds as ``queued`` (left by a previous engine).

        A queued run with a checkpoint resumes from it; one without starts afresh from its
        stored config. Returns their ids in queue order.
        """
        with self.state.lock:
            store = self.state.store
            found = [
                (run, bool(store.list_artifacts(run.id, kind="checkpoint")))
                for run in store.queued_runs()
            ]
        for run, resume in found:
            self.submit(
                run.id,
                recipe=run.recipe,
                config=json.loads(run.config_json),
                priority=run.priority,
                resume=resume,
                workdir=json.loads(run.env_json).get("cwd") or None,
            )
        return [run.id for run, _ in found]

    def queued(self) -> list[str]:
        """Queued run ids in the order they will start."""
        with self._lock:
            return [job.run_id for job in sorted(self._queue)]

    def running(self) -> list[str]:
        """Ids of the runs whose workers are alive."""
        with self._lock:
            return list(self._running)

    def stop(self, timeout_s: float | None = None) -> None:
        """Cancel every running worker, wait for them (killing stragglers), end the thread.

        Queued runs stay ``queued`` in the store: the next engine queues them again.
        """
        with self._lock:
            self._queue.clear()
            for worker in self._running.values():
                if worker.kill_at is None:
                    worker.kill_at = time.monotonic() + (timeout_s or self.grace_s)
                    _signal(worker.proc, signal.SIGINT)
        deadline = time.monotonic() + (timeout_s or self.grace_s) + 5
        while self.running() and time.monotonic() < deadline:
            time.sleep(TICK_S)
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self._reap()  # whatever the thread had no time for

    # -- the thread ----------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._reap()
                self._escalate()
                self._launch()
            except Exception as error:  # the scheduler must outlive one bad run
                print(f"scheduler: {type(error).__name__}: {error}", file=sys.stderr)
            self._stop.wait(TICK_S)

    def _launch(self) -> None:
        while True:
            with self._lock:
                if len(self._running) >= self.slots or self._stop.is_set():
                    return
                ready = [j for j in self._queue if j.run_id not in self._running]
                if not ready:
                    return
                job = min(ready)
                self._queue.remove(job)
                heapq.heapify(self._queue)
                self._running[job.run_id] = Worker(job, self._spawn(job))

    def _spawn(self, job: Job) -> subprocess.Popen[bytes]:
        logs = self.home / WORKERS_DIRNAME
        logs.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env[ENV_URL] = self.url
        env[ENV_TOKEN] = self.token
        env[ENV_JOB] = json.dumps(
            {"recipe": job.recipe, "config": job.config, "resume": job.resume}
        )
        env["KITCHEN_HOME"] = str(self.home)
        with open(logs / f"{job.run_id}.log", "ab") as log:
            # A session of its own: a Ctrl-C aimed at a foreground engine must not hit the
            # workers directly; the engine cancels them itself, gracefully.
            return subprocess.Popen(
                [sys.executable, "-m", "kitchen.engine.worker", job.run_id],
                stdin=subprocess.DEVNULL,
                cwd=job.workdir if job.workdir and os.path.isdir(job.workdir) else None,
                stdout=log,
                stderr=log,
                env=env,
                start_new_session=True,
            )

    def _escalate(self) -> None:
        now = time.monotonic()
        with self._lock:
            late = [w for w in self._running.values() if w.kill_at is not None and now > w.kill_at]
        for worker in late:
            _signal(worker.proc, signal.SIGKILL)

    def _reap(self) -> None:
        with self._lock:
            done = [w for w in self._running.values() if w.proc.poll() is not None]
            for worker in done:
                del self._running[worker.job.run_id]
            # A run queued again (resumed) once its worker had reported its end is not this
            # worker's to mark.
            requeued = {job.run_id for job in self._queue}
        done = [w for w in done if w.job.run_id not in requeued]
        for worker in done:
            code = worker.proc.returncode
            if worker.kill_at is not None:
                self._mark(worker.job.run_id, "cancelled", "cancelled; the worker was stopped")
            else:
                self._mark(
                    worker.job.run_id,
                    "failed",
                    f"the worker exited with code {code} before reporting the run's end"
                    f"{self._log_tail(worker.job.run_id)}",
                )

    def _mark(self, run_id: str, status: str, message: str) -> None:
        # Only a run the worker left unfinished: a reported end is the truth.
        with self.state.lock:
            store = self.state.store
            run = store.get_run(run_id)
            if run.status not in _UNFINISHED:
                return
            self.state.recorders.pop(run_id, None)
            store.flush()
            error_type = "WorkerDied" if status == "failed" else "RunCancelled"
            run = store.set_run_status(
                run_id,
                status,  # type: ignore[arg-type]
                error_type=error_type,
                error_message=message,
            )
            store.log(run_id, "warning" if status == "cancelled" else "error", message)
        # Followers (an attached `kitchen run`, the TUI) learn the end the worker never sent.
        finished = RunFinished(run_id, status, error_type, message, run.last_step or 0)  # type: ignore[arg-type]
        self.state.hub.publish_threadsafe([finished])

    def _log_tail(self, run_id: str) -> str:
        try:
            lines = (self.home / WORKERS_DIRNAME / f"{run_id}.log").read_text(errors="replace")
        except OSError:
            return ""
        tail = [line for line in lines.strip().splitlines() if line.strip()][-1:]
        return f": {tail[0][:300]}" if tail else ""


def _signal(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    # It may have just exited; the reaper will see it.
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(sig)
