"""``kitchen run`` while an engine serves the home: submit, follow the run's events, summarise.

The view, summary and exit codes are the embedded run's: the run's events arrive over the
engine's event stream instead of from an in-process bus. Ctrl-C asks the engine to cancel the
run (at its next stage boundary); a second Ctrl-C stops following and leaves it to the engine.
"""

from __future__ import annotations

import math
import os
import signal
import time
from collections.abc import Callable, Sequence
from typing import Any

from rich.console import Console

from kitchen import events as ev
from kitchen.engine.client import EngineClient
from kitchen.errors import error_named
from kitchen.launch import RunOutcome
from kitchen.ports.registry import ModelVersionInfo


def run_attached(
    client: EngineClient,
    *,
    recipe: str | None,
    config: dict[str, Any] | None,
    overrides: Sequence[str],
    resume: str | None,
    priority: int,
    detach: bool,
    view: Callable[[ev.Event], None],
    err_console: Console,
) -> RunOutcome | str:
    """Submit (or resume) a run on the engine; the run id when ``detach``, else its outcome."""
    # Subscribe before submitting, so the run's first events cannot be missed.
    with client.stream() as stream:
        if resume is not None:
            run_id = client.resume(resume, priority=priority).run_id
        else:
            assert recipe is not None
            run_id = client.submit(
                recipe, overrides, config=config, priority=priority, workdir=os.getcwd()
            ).run_id
        if detach:
            return run_id
        cancelled = False
        previous = signal.getsignal(signal.SIGINT)

        def on_interrupt(signum: int, frame: Any) -> None:
            nonlocal cancelled
            if cancelled:
                signal.signal(signal.SIGINT, previous)
                raise KeyboardInterrupt
            cancelled = True
            err_console.print(
                "[yellow]asking the engine to cancel at the next stage boundary "
                "(Ctrl-C again to stop following)[/]"
            )
            # A client of its own: the stream's connection is mid-read in this thread.
            with EngineClient(client.info) as other:
                other.cancel(run_id)

        signal.signal(signal.SIGINT, on_interrupt)
        started = time.perf_counter()
        summary = _Summary(run_id)
        try:
            for event in stream:
                if event.run_id != run_id:
                    continue
                view(event)
                summary(event)
                if isinstance(event, ev.RunFinished):
                    break
        finally:
            signal.signal(signal.SIGINT, previous)
    return summary.outcome(client, time.perf_counter() - started)


class _Summary:
    """Collects the summary's numbers from the run's events."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self.recipe = ""
        self.loss = math.nan
        self.baseline: dict[str, float] = {}
        self.evals: dict[str, float] = {}
        self.finished: ev.RunFinished | None = None

    def __call__(self, event: ev.Event) -> None:
        if isinstance(event, ev.RunStarted):
            self.recipe = event.recipe
        elif isinstance(event, ev.Metrics):
            for key, value in event.values.items():
                if key == "train/loss":
                    self.loss = value
                elif key.startswith("eval/"):
                    self.evals[key.removeprefix("eval/")] = value
                elif key.startswith("baseline/"):
                    self.baseline[key.removeprefix("baseline/")] = value
        elif isinstance(event, ev.RunFinished):
            self.finished = event

    def outcome(self, client: EngineClient, duration_s: float) -> RunOutcome:
        finished = self.finished
        if finished is None:  # the stream ended early (engine stopped): ask for the status
            record = client.run(self.run_id).run
            finished = ev.RunFinished(
                self.run_id,
                record.status,  # type: ignore[arg-type]
                record.error_type or "",
                record.error_message or "",
                record.last_step or 0,
            )
        details = client.run(self.run_id)
        model: ModelVersionInfo | None = None
        if details.models and finished.status == "succeeded":
            ref = details.models[-1]
            model = ModelVersionInfo(ref.name, ref.version, self.run_id, "", {})
        error = None
        if finished.status != "succeeded":
            error = error_named(
                finished.error_type or "KitchenError",
                finished.message or finished.status,
                run_id=self.run_id,
            )
        return RunOutcome(
            run_id=self.run_id,
            recipe=self.recipe or details.run.recipe,
            status=finished.status,
            duration_s=duration_s,
            steps=finished.last_step,
            final_loss=self.loss,
            baseline_metrics=self.baseline,
            eval_metrics=self.evals,
            model_version=model,
            error=error,
        )
