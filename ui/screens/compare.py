"""The Compare view: two or more runs, their params diff and their curves overlaid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Input, Select, Static

from kitchen.engine.wire import CurveOut, RunDetails
from ui import format as fmt
from ui.data import call
from ui.screens.base import KitchenScreen, LiveUpdate, TopBar
from ui.widgets.chart import LineChart, Series

DEFAULT_KEY = "train/loss"
CURVE_POINTS = 800
CURVE_REFRESH_S = 2.0


@dataclass(frozen=True)
class Compared:
    """The runs read for a comparison."""

    runs: list[RunDetails]
    keys: list[str]


def params_diff(runs: list[RunDetails], *, only_diff: bool) -> list[tuple[str, list[str], bool]]:
    """Each param key with every run's value and whether they differ."""
    keys = sorted({k for r in runs for k in r.params})
    rows = []
    for key in keys:
        values = [str(r.params.get(key, "—")) for r in runs]
        differs = len(set(values)) > 1
        if differs or not only_diff:
            rows.append((key, values, differs))
    return rows


class CompareScreen(KitchenScreen):
    """Params diff and overlaid curves of the runs marked in the Runs view."""

    VIEW = "Compare"
    AUTO_FOCUS = "#params-diff"
    BINDINGS: ClassVar = [
        Binding("a", "toggle_all", "All params"),
        Binding("m", "focus_metric", "Metric"),
        Binding("escape", "back", "Back to runs"),
    ]
    DEFAULT_CSS = """
    CompareScreen #ids { width: 1fr; }
    CompareScreen #metric { width: 30; }
    CompareScreen #controls { height: auto; }
    CompareScreen #body { height: 1fr; }
    CompareScreen #params-diff { height: 1fr; }
    CompareScreen #overlay { height: 1fr; min-height: 8; }
    CompareScreen #body.wide { layout: horizontal; }
    CompareScreen #body.wide #params-diff { width: 1fr; height: 1fr; }
    CompareScreen #body.wide #overlay { width: 1fr; height: 1fr; }
    CompareScreen #hint { padding: 0 1; height: auto; color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.run_ids: list[str] = []
        self.runs: list[RunDetails] = []
        self.only_diff = True
        self.key = DEFAULT_KEY
        self.live_dirty = False

    def compose(self) -> ComposeResult:
        yield TopBar(self.VIEW)
        with Horizontal(id="controls"):
            yield Input(placeholder="run ids, space separated (enter)", id="ids")
            yield Select[str]([], prompt="metric", id="metric", allow_blank=True)
        yield Static("mark runs with space in Runs, then press d", id="hint")
        with Vertical(id="body"):
            yield DataTable(id="params-diff", cursor_type="row", zebra_stripes=True)
            yield LineChart(DEFAULT_KEY, id="overlay")
        yield Footer()

    def on_mount(self) -> None:
        self.on_resize()
        if self.kitchen.compare_ids:
            self.load(self.kitchen.compare_ids)
        self.set_interval(CURVE_REFRESH_S, self.refresh_live)

    def on_resize(self) -> None:
        self.query_one("#body").set_class(self.size.width >= 140, "wide")

    def load(self, run_ids: list[str]) -> None:
        """Compare ``run_ids`` (ids or unique prefixes)."""
        self.run_ids = list(run_ids)
        self.query_one("#ids", Input).value = " ".join(fmt.short_id(r) for r in run_ids)
        client = self.kitchen.client

        def read() -> Compared:
            runs = [client.run(r) for r in run_ids]
            keys = sorted({k for r in runs for k in client.metric_keys(r.run.id)})
            return Compared(runs, keys)

        call(self, read, self.got_runs, group="compare")

    def got_runs(self, compared: Compared) -> None:
        """Draw the params diff and pick a metric."""
        self.runs = compared.runs
        self.run_ids = [r.run.id for r in compared.runs]
        select = self.query_one("#metric", Select)
        select.set_options([(k, k) for k in compared.keys])
        if self.key not in compared.keys and compared.keys:
            self.key = compared.keys[0]
        if compared.keys:
            select.value = self.key
        self.draw_params()
        self.query_one("#hint", Static).update(
            "  ".join(
                f"[{c}]━[/] {fmt.short_id(r.run.id)} {fmt.status_markup(r.run.status)}"
                for c, r in zip(
                    ("cyan", "magenta", "yellow", "green", "red", "blue"), self.runs, strict=False
                )
            )
        )
        self.read_curves()

    def draw_params(self) -> None:
        """The params table: differing params, or all with ``a``."""
        table = self.query_one("#params-diff", DataTable)
        table.clear(columns=True)
        table.add_column("param", key="param")
        for run in self.runs:
            table.add_column(fmt.short_id(run.run.id), key=run.run.id)
        for key, values, differs in params_diff(self.runs, only_diff=self.only_diff):
            style = "bold yellow" if differs else ""
            cells = [f"[{style}]{v}[/]" if style else v for v in values]
            table.add_row(key, *cells)
        if not table.row_count:
            table.add_row("(no differing params: press a for all)", *["" for _ in self.runs])

    def read_curves(self) -> None:
        """Read the chosen metric of every run (in a worker)."""
        if not self.run_ids:
            return
        client, ids, key = self.kitchen.client, list(self.run_ids), self.key
        call(
            self,
            lambda: client.curves(ids, key, max_points=CURVE_POINTS),
            self.got_curves,
            group="curves",
        )

    def got_curves(self, curves: dict[str, CurveOut]) -> None:
        """Overlay the curves."""
        chart = self.query_one("#overlay", LineChart)
        chart.title = self.key
        chart.set_series(
            [
                Series(fmt.short_id(run_id), curves[run_id].steps, curves[run_id].values)
                for run_id in self.run_ids
                if run_id in curves
            ]
        )

    def refresh_live(self) -> None:
        """Re-read curves when a compared run logged something."""
        if self.live_dirty:
            self.live_dirty = False
            self.read_curves()

    def on_live_update(self, message: LiveUpdate) -> None:
        """Note that compared runs changed."""
        if message.run_ids & set(self.run_ids):
            self.live_dirty = True

    def on_screen_resume(self) -> None:
        if self.kitchen.compare_ids and self.kitchen.compare_ids != self.run_ids:
            self.load(self.kitchen.compare_ids)

    def on_select_changed(self, event: Select.Changed) -> None:
        """Another metric."""
        if event.value is not Select.BLANK and event.value != self.key:
            self.key = str(event.value)
            self.read_curves()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Typed run ids."""
        ids = event.value.split()
        if len(ids) < 2:
            self.notify("give two or more run ids", severity="warning")
            return
        self.kitchen.compare_ids = ids
        self.load(ids)

    def action_toggle_all(self) -> None:
        """All params, or only those that differ."""
        self.only_diff = not self.only_diff
        self.draw_params()

    def action_focus_metric(self) -> None:
        """Pick the metric to overlay."""
        self.query_one("#metric", Select).focus()

    def action_back(self) -> None:
        """Back to the runs."""
        self.kitchen.switch_mode("runs")
