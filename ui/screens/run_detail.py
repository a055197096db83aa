"""The Run detail view: stage tree, live charts, log tail, params, artifacts, lineage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.widgets import DataTable, Footer, RichLog, Static, TabbedContent, TabPane

from kitchen.engine.wire import RunDetails
from ui import format as fmt
from ui.data import call
from ui.live import LogLine, RunLive, StageState, stage_key
from ui.screens.base import KitchenScreen, LiveUpdate, TopBar
from ui.screens.control import confirm_cancel, pause_or_resume
from ui.widgets.chart import LineChart, Series
from ui.widgets.stage_tree import StageTree

CHARTS: tuple[tuple[str, str], ...] = (
    ("loss", "train/loss"),
    ("learning rate", "train/lr"),
    ("tokens/s", "train/tokens_per_s"),
    ("reward", "train/reward"),
    ("eval", "eval/"),
)
"""Each chart's title and the metric keys it draws (exact, else containing or prefixed)."""
CURVE_POINTS = 1000
LOG_TAIL = 200
LEVEL_STYLES = {"debug": "dim", "info": "", "warning": "yellow", "error": "bold red"}


def chart_keys(pattern: str, keys: list[str]) -> list[str]:
    """The metric keys a chart draws: ``pattern`` itself, or those that start with or hold it."""
    if pattern in keys:
        return [pattern]
    if pattern.endswith("/"):  # scores, not counts (``eval/n``)
        return [k for k in keys if k.startswith(pattern) and not k.endswith("/n")]
    if pattern == "train/reward":
        # What a run is rewarded with while it trains: RL's rollout rewards, DPO's implicit
        # rewards of the chosen and rejected replies and their margin.
        return [
            k
            for k in keys
            if k in ("rl/reward_mean", "train/margin")
            or (k.startswith(("train/", "rl/")) and k.endswith("_reward"))
        ]
    return [k for k in keys if pattern in k]


@dataclass(frozen=True)
class Loaded:
    """What the view reads from the engine when it opens."""

    details: RunDetails
    stages: list[dict[str, Any]]
    stage_events: list[Any]
    logs: list[Any]
    curves: dict[str, tuple[list[int], list[float]]]


class RunDetailScreen(KitchenScreen):
    """One run; follows the event stream while it is open."""

    VIEW = "Run"
    AUTO_FOCUS = "#stages"
    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back"),
        Binding("t", "tab('overview')", "Stages"),
        Binding("g", "tab('charts')", "Charts"),
        Binding("l", "tab('logs')", "Logs"),
        Binding("a", "tab('params')", "Params", show=False),
        Binding("r", "reload", "Reload", show=False),
    ]
    WRITE_BINDINGS: ClassVar = [
        Binding("c", "cancel", "Cancel"),
        Binding("p", "pause", "Pause/resume"),
    ]
    DEFAULT_CSS = """
    RunDetailScreen #summary { height: auto; padding: 0 1; }
    RunDetailScreen TabbedContent { height: 1fr; }
    RunDetailScreen TabPane { padding: 0; }
    RunDetailScreen #charts { grid-size: 1; grid-rows: 10; height: auto; }
    RunDetailScreen #charts.wide { grid-size: 2; grid-rows: 12; }
    RunDetailScreen RichLog { height: 1fr; }
    """

    def __init__(self, run_id: str, *, tab: str = "overview") -> None:
        super().__init__()
        self.run_id = run_id
        self.start_tab = tab
        self.details: RunDetails | None = None
        self.metric_keys: list[str] = []
        self.logs_shown = 0

    def compose(self) -> ComposeResult:
        yield TopBar(f"Run {fmt.short_id(self.run_id)}")
        yield Static("loading…", id="summary")
        with TabbedContent(initial=self.start_tab):
            with TabPane("Stages", id="overview"):
                yield StageTree(id="stages")
            with TabPane("Charts", id="charts-tab"), VerticalScroll(), Grid(id="charts"):
                for index, (title, _) in enumerate(CHARTS):
                    yield LineChart(title, id=f"chart-{index}")
            with TabPane("Logs", id="logs"):
                yield RichLog(id="log", max_lines=2000, wrap=True, markup=False)
            with TabPane("Params", id="params"):
                yield DataTable(id="params-table", cursor_type="row")
            with TabPane("Artifacts", id="artifacts"):
                yield DataTable(id="artifacts-table", cursor_type="row")
            with TabPane("Lineage", id="lineage"):
                yield DataTable(id="lineage-table", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#params-table", DataTable).add_columns("param", "value")
        self.query_one("#artifacts-table", DataTable).add_columns("kind", "name", "size", "id")
        self.query_one("#lineage-table", DataTable).add_columns("from", "relation", "to")
        self.on_resize()
        self.reload()
        self.set_interval(5.0, self.reload_details)

    def on_resize(self) -> None:
        self.query_one("#charts", Grid).set_class(self.size.width >= 120, "wide")

    @property
    def live(self) -> RunLive:
        """This run's live record."""
        return self.kitchen.live.run(self.run_id)

    # -- loading -------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read everything about the run (in a worker)."""
        client = self.kitchen.client
        cache = self.kitchen.recipe_cache
        run_id = self.run_id

        def load() -> Loaded:
            details = client.run(run_id)
            recipe = details.run.recipe
            stages = cache.get(recipe)
            if stages is None:
                stages = cache[recipe] = client.recipe(recipe).stages
            keys = client.metric_keys(run_id)
            wanted = {k for _, pattern in CHARTS for k in chart_keys(pattern, keys)}
            curves = {}
            for key in sorted(wanted):
                curve = client.curve(run_id, key, max_points=CURVE_POINTS)
                curves[key] = (curve.steps, curve.values)
            return Loaded(
                details=details,
                stages=list(stages),  # type: ignore[call-overload]
                stage_events=client.stage_events(run_id),
                logs=client.logs(run_id, tail=LOG_TAIL),
                curves=curves,
            )

        call(self, load, self.loaded, group="load")

    def reload_details(self) -> None:
        """Read the run's record again (status, metrics, artifacts)."""
        client = self.kitchen.client
        call(self, lambda: client.run(self.run_id), self.got_details, group="details")

    def loaded(self, data: Loaded) -> None:
        """Draw what was read."""
        live = self.live
        states: dict[str, StageState] = {}
        for event in data.stage_events:
            state = states.setdefault(stage_key(event.path), StageState())
            if event.event == "started":
                state.started(event.path)
            elif event.event == "finished":
                state.ended(event.path, event.duration_s or 0.0)
            else:
                state.failed(event.path, event.error or "failed")
        live.stages = states
        live.logs.clear()
        live.log_total = 0
        for log in data.logs:
            live.add_log(LogLine(log.time.timestamp(), log.level, log.stage, log.message))
        self.logs_shown = 0
        self.query_one("#log", RichLog).clear()
        for key, (steps, values) in data.curves.items():
            live.curve(key).merge(steps, values)
        self.metric_keys = sorted(set(data.curves) | set(live.curves))
        self.query_one("#stages", StageTree).set_stages(data.stages)
        self.got_details(data.details)
        self.redraw()

    def got_details(self, details: RunDetails) -> None:
        """The run's record: summary line and the static tabs."""
        self.details = details
        self.run_id = details.run.id  # a prefix opens the run too
        self.draw_summary()
        params = self.query_one("#params-table", DataTable)
        params.clear()
        for key, value in sorted(details.params.items()):
            params.add_row(key, str(value))
        artifacts = self.query_one("#artifacts-table", DataTable)
        artifacts.clear()
        for artifact in details.artifacts:
            artifacts.add_row(
                artifact.kind, artifact.name, fmt.size(artifact.size_bytes), artifact.id[:12]
            )
        lineage = self.query_one("#lineage-table", DataTable)
        lineage.clear()
        for edge in details.lineage:
            lineage.add_row(
                f"{edge.src_kind} {edge.src_id[:24]}",
                edge.relation,
                f"{edge.dst_kind} {edge.dst_id[:24]}",
            )
        for model in details.models:
            aliases = " ".join(f"@{a}" for a in model.aliases)
            lineage.add_row("run", "registered", f"model {model.name} v{model.version} {aliases}")

    # -- drawing -------------------------------------------------------------------------------

    def status(self) -> str:
        """The run's status, live when the stream knows better."""
        record = self.details.run.status if self.details else "?"
        live = self.live.status
        if live and live != "running" and record in fmt.ACTIVE_STATUSES:
            return live
        return record

    def draw_summary(self) -> None:
        """The line under the top bar: what, how far, how long."""
        if self.details is None:
            return
        run = self.details.run
        live = self.live
        parts = [
            f"[b]{fmt.short_id(run.id)}[/b] {run.recipe}",
            fmt.status_markup(self.status()),
            f"model {run.config.get('model', '-')}",
        ]
        if live.total:
            parts.append(f"step {live.done}/{live.total} {fmt.progress_bar(live.done, live.total)}")
        elif run.last_step is not None:
            parts.append(f"step {run.last_step}")
        loss = live.metrics.get("train/loss", self.details.metrics.get("train/loss"))
        if loss is not None:
            parts.append(f"loss {fmt.number(loss)}")
        end = run.finished_at or datetime.now(UTC)
        if run.started_at is not None:
            start = run.started_at if run.started_at.tzinfo else run.started_at.replace(tzinfo=UTC)
            end = end if end.tzinfo else end.replace(tzinfo=UTC)
            parts.append(fmt.duration((end - start).total_seconds()))
        line = " · ".join(parts)
        if run.error_message:
            line += f"\n[red]{run.error_type}: {run.error_message}[/red]"
        self.query_one("#summary", Static).update(line)

    def redraw(self) -> None:
        """Stage states, charts and new log lines from the live record."""
        live = self.live
        self.query_one("#stages", StageTree).update_states(live.stages)
        keys = sorted(set(self.metric_keys) | set(live.curves))
        for index, (_, pattern) in enumerate(CHARTS):
            chart = self.query_one(f"#chart-{index}", LineChart)
            series = []
            for key in chart_keys(pattern, keys):
                curve = live.curves.get(key)
                if curve is not None and curve.steps:
                    series.append(Series(key, curve.steps, curve.values))
            chart.set_series(series)
        new = min(live.log_total - self.logs_shown, len(live.logs))
        if new > 0:
            log = self.query_one("#log", RichLog)
            for line in list(live.logs)[-new:]:
                log.write(self.log_text(line))
        self.logs_shown = live.log_total

    @staticmethod
    def log_text(line: LogLine) -> Text:
        """One log line: time, level, stage, message."""
        when = datetime.fromtimestamp(line.time).strftime("%H:%M:%S")
        style = LEVEL_STYLES.get(line.level, "")
        return Text.assemble(
            (f"{when} ", "dim"),
            (f"{line.level[:4]:<4} ", style),
            (f"{line.stage + ' ' if line.stage else ''}", "cyan"),
            (line.message, style),
        )

    def on_live_update(self, message: LiveUpdate) -> None:
        """Follow this run on the stream."""
        if self.run_id not in message.run_ids and not any(
            r.startswith(self.run_id) for r in message.run_ids
        ):
            return
        if message.lifecycle:
            self.reload_details()
        self.draw_summary()
        self.redraw()

    # -- actions -------------------------------------------------------------------------------

    def action_back(self) -> None:
        """Back to the list."""
        self.app.pop_screen()

    def action_tab(self, tab: str) -> None:
        """Show a tab."""
        self.query_one(TabbedContent).active = "charts-tab" if tab == "charts" else tab

    def action_reload(self) -> None:
        """Read everything again."""
        self.reload()

    def action_cancel(self) -> None:
        """Cancel this run, after confirming."""
        confirm_cancel(self, self.run_id)

    def action_pause(self) -> None:
        """Pause or resume this run."""
        pause_or_resume(self, self.run_id, self.status())

    def refresh_rows(self) -> None:
        """After a control action: read the record again."""
        self.reload_details()
