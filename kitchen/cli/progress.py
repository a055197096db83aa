"""A rich progress bar fed by run events: stage, step, loss, tokens/s and ETA."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from kitchen import events as ev


class ProgressView:
    """Subscribe an instance to a run's events to draw its progress in the terminal."""

    def __init__(self, console: Console | None = None, *, quiet: bool = False) -> None:
        self.console = console or Console(stderr=True)
        self.quiet = quiet
        self._progress = Progress(
            TextColumn("[bold]{task.fields[stage]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]}"),
            TextColumn("{task.fields[tps]} tok/s"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=self.console,
            transient=False,
        )
        self._task: TaskID | None = None
        self._stage = ""

    def __call__(self, event: ev.Event) -> None:
        if self.quiet:
            return
        if isinstance(event, ev.RunStarted):
            verb = "resuming" if event.resumed else "starting"
            self.console.print(f"[bold cyan]{verb}[/] run [bold]{event.run_id}[/] ({event.recipe})")
            self._progress.start()
        elif isinstance(event, ev.StageStarted) and event.depth == 0:
            self._stage = event.stage
            if self._task is not None:
                self._progress.update(self._task, stage=event.stage)
            else:
                self.console.print(f"[dim]· {event.stage}[/]")
        elif isinstance(event, ev.Progress):
            self._on_progress(event)
        elif isinstance(event, ev.Log) and event.level in ("info", "warning", "error"):
            style = {"info": "dim", "warning": "yellow", "error": "red"}[event.level]
            self.console.print(f"[{style}]  {event.message}[/]")
        elif isinstance(event, ev.RunFinished):
            self._progress.stop()

    def _on_progress(self, event: ev.Progress) -> None:
        loss = event.info.get("loss")
        tps = event.info.get("tokens_per_s")
        loss_text = f"{loss:.4f}" if loss is not None else "-"
        tps_text = f"{tps:,.0f}" if tps is not None else "-"
        if self._task is None:
            self._task = self._progress.add_task(
                "train", total=event.total, stage="train", loss=loss_text, tps=tps_text
            )
        self._progress.update(
            self._task,
            total=event.total,
            completed=event.done,
            stage="train",
            loss=loss_text,
            tps=tps_text,
        )
