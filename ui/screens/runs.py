"""The Runs view: every run with its status, progress and key metrics, live and sortable."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Input

from kitchen.display import HEADLINE_EVAL_KEYS, LOSS_KEY, headline_eval
from kitchen.engine.wire import RunRowOut
from ui import format as fmt
from ui.data import call
from ui.screens.base import KitchenScreen, LiveUpdate, TopBar
from ui.screens.control import confirm_cancel, confirm_delete, pause_or_resume

SUMMARY_KEYS = (LOSS_KEY, *HEADLINE_EVAL_KEYS)
"""The loss column, and the eval column's headline held-out metric (``headline_eval``)."""
REFRESH_S = 2.0
"""How often the table is read again even with no lifecycle events."""
PAGE = 500
"""Runs read per refresh."""

# (key, label, narrow): narrow columns are shown below 110 columns of terminal.
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("mark", " ", True),
    ("id", "id", True),
    ("status", "status", True),
    ("recipe", "recipe", True),
    ("model", "model", False),
    ("experiment", "experiment", False),
    ("progress", "progress", True),
    ("step", "step", False),
    ("loss", "loss", True),
    ("eval", "eval", True),
    ("duration", "time", False),
    ("age", "age", True),
)
WIDE_AT = 110


class RunsScreen(KitchenScreen):
    """All runs, newest first; ``/`` filters, ``s`` sorts, ``enter`` opens one."""

    VIEW = "Runs"
    AUTO_FOCUS = "#runs"
    BINDINGS: ClassVar = [
        Binding("enter", "open", "Open"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("s", "sort", "Sort"),
        Binding("space", "mark", "Mark", show=False),
        Binding("d", "compare", "Compare"),
        Binding("l", "logs", "Logs"),
        Binding("r", "refresh", "Refresh", show=False),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]
    WRITE_BINDINGS: ClassVar = [
        Binding("n", "new", "New run"),
        Binding("c", "cancel", "Cancel"),
        Binding("p", "pause", "Pause/resume"),
        Binding("x", "delete", "Delete", show=False),
    ]
    DEFAULT_CSS = """
    RunsScreen #filter { display: none; height: 3; }
    RunsScreen #filter.shown { display: block; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[RunRowOut] = []
        self.models: dict[str, str] = {}
        self.marked: set[str] = set()
        self.sort_key = "age"
        self.sort_reverse = False
        self.wide = False
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield TopBar(self.VIEW)
        yield Input(placeholder="filter: id, status, recipe, model… (esc clears)", id="filter")
        table: DataTable[Any] = DataTable(id="runs", cursor_type="row", zebra_stripes=True)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.setup_columns(self.size.width >= WIDE_AT)
        self.refresh_rows()
        self.set_interval(REFRESH_S, self.refresh_rows)

    def on_screen_resume(self) -> None:
        self.refresh_rows()

    def on_resize(self) -> None:
        wide = self.size.width >= WIDE_AT
        if wide != self.wide:
            self.setup_columns(wide)
            self.render_rows()

    @property
    def table(self) -> DataTable[Any]:
        """The runs table."""
        return self.query_one("#runs", DataTable)

    def setup_columns(self, wide: bool) -> None:
        """The columns for this width."""
        self.wide = wide
        table = self.table
        table.clear(columns=True)
        for key, label, narrow in COLUMNS:
            if wide or narrow:
                table.add_column(label, key=key)

    # -- data ----------------------------------------------------------------------------------

    def refresh_rows(self) -> None:
        """Read the runs table from the engine (in a worker)."""
        client = self.kitchen.client
        call(
            self,
            lambda: client.runs(limit=PAGE, summary_keys=SUMMARY_KEYS),
            self.got_rows,
            group="runs",
        )

    def got_rows(self, rows: list[RunRowOut]) -> None:
        """New rows from the engine."""
        self.rows = rows
        self.loaded = True
        self.models.update({r.id: r.model or "-" for r in rows})
        self.render_rows()

    # -- drawing -------------------------------------------------------------------------------

    def filtered(self) -> list[RunRowOut]:
        """The rows the filter keeps, in the chosen order."""
        needle = self.query_one("#filter", Input).value.strip().lower()
        rows = [r for r in self.rows if not needle or needle in self.haystack(r)]
        if self.sort_key != "age":
            rows.sort(key=self.sort_value, reverse=self.sort_reverse)
        elif self.sort_reverse:
            rows.reverse()
        return rows

    def haystack(self, row: RunRowOut) -> str:
        """The text the filter searches in a row."""
        model = self.models.get(row.id, "")
        return " ".join((row.id, row.name, row.status, row.recipe, row.experiment, model)).lower()

    def sort_value(self, row: RunRowOut) -> Any:
        """The value of the sort column of a row (missing values last)."""
        key = self.sort_key
        if key in ("loss", "eval"):
            value = self.metric(row, LOSS_KEY) if key == "loss" else self.eval_metric(row)
            return (value is None, value or 0.0)
        if key == "progress":
            live = self.kitchen.live.runs.get(row.id)
            return (live.done / live.total) if live and live.total else 0.0
        if key == "duration":
            return row.duration_s or 0.0
        if key == "step":
            return row.last_step or 0
        if key == "model":
            return self.models.get(row.id, "")
        return str(getattr(row, key, ""))

    def metric(self, row: RunRowOut, key: str) -> float | None:
        """A metric's latest value, live when the stream has one."""
        live = self.kitchen.live.runs.get(row.id)
        if live is not None and key in live.metrics:
            return live.metrics[key]
        return row.metrics.get(key)

    def eval_metric(self, row: RunRowOut) -> float | None:
        """The run's headline held-out metric, live when the stream has one."""
        live = self.kitchen.live.runs.get(row.id)
        metrics = {**row.metrics, **(live.metrics if live is not None else {})}
        headline = headline_eval(metrics)
        return headline[1] if headline else None

    def cells(self, row: RunRowOut, now: datetime) -> dict[str, Any]:
        """The cells of one row."""
        live = self.kitchen.live.runs.get(row.id)
        status = row.status
        if live is not None and live.status and row.status in fmt.ACTIVE_STATUSES:
            status = live.status if live.status != "running" else row.status
        if live is not None and live.total:
            progress = fmt.progress_bar(live.done, live.total, 6)
        elif status == "succeeded":
            progress = fmt.progress_bar(1, 1, 6)
        else:
            progress = "-"
        step = live.step if live and live.step else row.last_step
        return {
            "mark": "●" if row.id in self.marked else " ",
            "id": fmt.short_id(row.id),
            "status": Text.from_markup(fmt.status_markup(status)),
            "recipe": row.recipe,
            "model": self.models.get(row.id, "…"),
            "experiment": row.experiment,
            "progress": progress,
            "step": "-" if step is None else str(step),
            "loss": fmt.number(self.metric(row, LOSS_KEY)),
            "eval": fmt.number(self.eval_metric(row)),
            "duration": fmt.duration(row.duration_s),
            "age": fmt.age(row.created_at, now),
        }

    def render_rows(self) -> None:
        """Redraw the table, in place when the rows are the same ones in the same order."""
        table = self.table
        rows = self.filtered()
        now = datetime.now(UTC)
        keys = [c for c in table.columns]
        ids = [r.id for r in rows]
        current = [str(k.value) for k in table.rows]
        if ids == current:
            for row in rows:
                cells = self.cells(row, now)
                for key in keys:
                    table.update_cell(row.id, key, cells[str(key.value)], update_width=True)
            return
        cursor = self.cursor_id()
        table.clear()
        for row in rows:
            cells = self.cells(row, now)
            table.add_row(*(cells[str(k.value)] for k in keys), key=row.id)
        if cursor in ids:
            table.move_cursor(row=ids.index(cursor))

    def on_live_update(self, message: LiveUpdate) -> None:
        """Progress, metrics and statuses from the stream; a new or finished run re-reads."""
        if message.lifecycle:
            self.refresh_rows()
        table = self.table
        now = datetime.now(UTC)
        keys = [str(k.value) for k in table.columns]
        by_id = {r.id: r for r in self.rows}
        for run_id in message.run_ids:
            row = by_id.get(run_id)
            if row is None or run_id not in table.rows:
                continue
            cells = self.cells(row, now)
            for key in ("status", "progress", "step", "loss", "eval"):
                if key in keys:
                    table.update_cell(run_id, key, cells[key])

    def cursor_id(self) -> str | None:
        """The run under the cursor."""
        table = self.table
        if not table.row_count:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:
            return None
        return None if key.value is None else str(key.value)

    # -- actions -------------------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter or a click on the selected row opens it."""
        if event.row_key.value is not None:
            self.kitchen.open_run(str(event.row_key.value))

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """A click on a header sorts by it (again: reversed)."""
        key = str(event.column_key.value)
        if key == "mark":
            return
        self.sort_reverse = not self.sort_reverse if key == self.sort_key else key == "loss"
        self.sort_key = key
        self.render_rows()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Typing in the filter filters."""
        self.render_rows()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the filter goes back to the table."""
        self.table.focus()

    def action_open(self) -> None:
        """Open the run under the cursor."""
        run_id = self.cursor_id()
        if run_id:
            self.kitchen.open_run(run_id)

    def action_logs(self) -> None:
        """Open the run under the cursor at its logs."""
        run_id = self.cursor_id()
        if run_id:
            self.kitchen.open_run(run_id, tab="logs")

    def action_filter(self) -> None:
        """Show and focus the filter."""
        box = self.query_one("#filter", Input)
        box.add_class("shown")
        box.focus()

    def action_clear_filter(self) -> None:
        """Clear and hide the filter."""
        box = self.query_one("#filter", Input)
        box.value = ""
        box.remove_class("shown")
        self.table.focus()
        self.render_rows()

    def action_sort(self) -> None:
        """Sort by the next column."""
        order = [k for k, _, narrow in COLUMNS if k != "mark" and (narrow or self.wide)]
        index = order.index(self.sort_key) if self.sort_key in order else -1
        self.sort_key = order[(index + 1) % len(order)]
        self.sort_reverse = self.sort_key == "loss" and False
        self.notify(f"sorted by {self.sort_key}", timeout=1.5)
        self.render_rows()

    def action_mark(self) -> None:
        """Mark the run under the cursor for Compare."""
        run_id = self.cursor_id()
        if run_id is None:
            return
        self.marked.symmetric_difference_update({run_id})
        self.table.update_cell(run_id, "mark", "●" if run_id in self.marked else " ")

    def action_compare(self) -> None:
        """Compare the marked runs (or the two under and below the cursor)."""
        ids = [r.id for r in self.rows if r.id in self.marked]
        if len(ids) < 2:
            cursor = self.cursor_id()
            ids = [r.id for r in self.filtered()]
            start = ids.index(cursor) if cursor in ids else 0
            ids = ids[start : start + 2]
        if len(ids) < 2:
            self.notify("mark two runs with space to compare them", severity="warning")
            return
        self.kitchen.open_compare(ids)

    def action_refresh(self) -> None:
        """Read the table again now."""
        self.refresh_rows()

    def action_new(self) -> None:
        """The Launch view."""
        self.kitchen.open_launch()

    def action_cancel(self) -> None:
        """Cancel the run under the cursor, after confirming."""
        run_id = self.cursor_id()
        if run_id:
            confirm_cancel(self, run_id)

    def action_pause(self) -> None:
        """Pause a running run, or resume a paused or stopped one."""
        run_id = self.cursor_id()
        row = next((r for r in self.rows if r.id == run_id), None)
        if row is not None:
            pause_or_resume(self, row.id, row.status)

    def action_delete(self) -> None:
        """Delete the run under the cursor, after confirming."""
        run_id = self.cursor_id()
        if run_id:
            confirm_delete(self, run_id)
