"""The Engine view: queue, slots, and the machine's CPU, GPU and memory use."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from ui import format as fmt
from ui.data import call
from ui.screens.base import KitchenScreen, TopBar

REFRESH_S = 2.0


def meter(used: float, total: float, width: int = 20) -> str:
    """``used`` of ``total`` as a bar with the numbers."""
    if total <= 0:
        return "-"
    frac = min(1.0, max(0.0, used / total))
    filled = round(frac * width)
    colour = "green" if frac < 0.7 else "yellow" if frac < 0.9 else "red"
    return f"[{colour}]{'█' * filled}[/][dim]{'░' * (width - filled)}[/] {frac * 100:3.0f}%"


class EngineScreen(KitchenScreen):
    """What the engine is doing and what the machine has left, read every two seconds."""

    VIEW = "Engine"
    AUTO_FOCUS = "#queue"
    BINDINGS: ClassVar = [
        Binding("enter", "open", "Open run"),
        Binding("r", "reload", "Refresh"),
        Binding("escape", "back", "Back to runs"),
    ]
    DEFAULT_CSS = """
    EngineScreen #status { padding: 0 1; height: auto; }
    EngineScreen #queue { height: 1fr; }
    EngineScreen #gpus { height: auto; max-height: 10; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.queue_ids: list[str] = []

    def compose(self) -> ComposeResult:
        yield TopBar(self.VIEW)
        yield Static("reading…", id="status")
        yield DataTable(id="gpus", cursor_type="none")
        yield DataTable(id="queue", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#gpus", DataTable).add_columns("gpu", "name", "memory", "util")
        self.query_one("#queue", DataTable).add_columns("", "run", "status")
        self.reload()
        self.set_interval(REFRESH_S, self.reload)

    def reload(self) -> None:
        """Read the engine's status (in a worker)."""
        call(self, self.kitchen.client.engine_status, self.got_status, group="status")

    def got_status(self, status: Any) -> None:
        """Draw the status."""
        width = 16 if self.size.width < 100 else 30
        lines = [
            f"[b]engine[/b] pid {status.pid} · up {fmt.duration(status.uptime_s)} · "
            f"{len(status.running)}/{status.slots} slots busy · {len(status.queued)} queued",
            f"[dim]{status.store}[/dim]",
            f"CPU     {meter(status.cpu_percent, 100.0, width)}",
            f"memory  {meter(status.memory_used_bytes, status.memory_total_bytes, width)} "
            f"{fmt.size(status.memory_used_bytes)} of {fmt.size(status.memory_total_bytes)}",
            f"engine  {fmt.size(status.process_rss_bytes)} resident",
        ]
        if not status.gpus:
            lines.append("[dim]no GPU[/dim]")
        self.query_one("#status", Static).update("\n".join(lines))
        gpus = self.query_one("#gpus", DataTable)
        gpus.clear()
        gpus.display = bool(status.gpus)
        for gpu in status.gpus:
            util = "-" if gpu.utilization_percent is None else f"{gpu.utilization_percent:.0f}%"
            gpus.add_row(
                str(gpu.index),
                gpu.name,
                f"{meter(gpu.memory_used_bytes, gpu.memory_total_bytes, 10)} "
                f"{fmt.size(gpu.memory_used_bytes)}",
                util,
            )
        queue = self.query_one("#queue", DataTable)
        queue.clear()
        self.queue_ids = [*status.running, *status.queued]
        for i, run_id in enumerate(status.running):
            queue.add_row("▶", run_id, fmt.status_markup("running"), key=f"r{i}")
        for i, run_id in enumerate(status.queued):
            queue.add_row(str(i + 1), run_id, fmt.status_markup("queued"), key=f"q{i}")
        if not self.queue_ids:
            queue.add_row("", "[dim]nothing running or queued[/dim]", "")

    def action_open(self) -> None:
        """Open the run under the cursor."""
        row = self.query_one("#queue", DataTable).cursor_row
        if 0 <= row < len(self.queue_ids):
            self.kitchen.open_run(self.queue_ids[row])

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter or a click opens the run."""
        self.action_open()

    def action_reload(self) -> None:
        """Read again now."""
        self.reload()

    def action_back(self) -> None:
        """Back to the runs."""
        self.kitchen.switch_mode("runs")
