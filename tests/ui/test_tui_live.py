"""The views follow the engine's event stream: progress, metrics, stages, logs, statuses."""

from __future__ import annotations

from conftest import Served, run_async, settle, wait_for
from textual.widgets import DataTable, RichLog

from kitchen import events as ev
from kitchen.engine.client import EngineClient
from ui.app import KitchenApp
from ui.screens.run_detail import RunDetailScreen
from ui.widgets.chart import LineChart


def cell(app: KitchenApp, run_id: str, column: str) -> str:
    """The text of one cell of the runs table."""
    return str(app.screen.query_one("#runs", DataTable).get_cell(run_id, column))


def test_runs_table_and_detail_follow_streamed_events(served: Served) -> None:
    run_id = served.live[0]

    async def go() -> None:
        app = KitchenApp(served.info)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: app.pump_connected)
            await settle(pilot)
            with EngineClient(served.info) as client:
                client.ingest(run_id, [ev.RunStarted(run_id, "sft", {})])
                client.ingest(
                    run_id,
                    [
                        ev.StageStarted(run_id, "load_dataset", "load_dataset", 0),
                        ev.StageFinished(run_id, "load_dataset", "load_dataset", 0, 0.25),
                        ev.Log(run_id, "info", "hello from the stream", "load_dataset"),
                        *(ev.Metrics(run_id, s, {"train/loss": 4.0 / s}) for s in range(1, 11)),
                        ev.Progress(run_id, 10, 40),
                    ],
                )
                await wait_for(pilot, lambda: "25%" in cell(app, run_id, "progress"))
                await wait_for(pilot, lambda: "running" in cell(app, run_id, "status"))
                assert cell(app, run_id, "loss") == "0.4"

                app.open_run(run_id)
                await settle(pilot)
                screen = app.screen
                assert isinstance(screen, RunDetailScreen)
                chart = screen.query_one("#chart-0", LineChart)
                await wait_for(pilot, lambda: bool(chart.series))
                assert len(chart.series[0].steps) == 10
                client.ingest(
                    run_id,
                    [
                        *(ev.Metrics(run_id, s, {"train/loss": 4.0 / s}) for s in range(11, 21)),
                        ev.StageStarted(run_id, "init_session", "init_session", 0),
                        ev.Log(run_id, "warning", "second line", "init_session"),
                    ],
                )
                await wait_for(pilot, lambda: len(chart.series[0].steps) == 20)
                tree_text = " ".join(str(n.label) for _, n in screen.query_one("#stages").rows)  # type: ignore[attr-defined]
                assert "✓ load_dataset" in tree_text and "▶ init_session" in tree_text
                await pilot.press("l")  # a log in a hidden tab renders once shown
                log = screen.query_one("#log", RichLog)
                await wait_for(pilot, lambda: len(log.lines) >= 2)
                client.ingest(run_id, [ev.RunFinished(run_id, "succeeded", last_step=20)])
                await wait_for(
                    pilot, lambda: "succeeded" in str(screen.query_one("#summary").render())
                )

    run_async(go())


def test_an_eval_runs_task_accuracy_fills_the_eval_column(served: Served) -> None:
    run_id = served.live[1]

    async def go() -> None:
        app = KitchenApp(served.info)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: app.pump_connected)
            await settle(pilot)
            with EngineClient(served.info) as client:
                client.ingest(run_id, [ev.RunStarted(run_id, "eval", {})])
                client.ingest(
                    run_id, [ev.Metrics(run_id, 0, {"eval/arithmetic/accuracy": 0.375})]
                )  # live, from the stream
                await wait_for(pilot, lambda: cell(app, run_id, "eval") == "0.375")
                client.ingest(run_id, [ev.RunFinished(run_id, "succeeded", last_step=0)])
        app = KitchenApp(served.info, live=False)  # the store's summary alone
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await wait_for(pilot, lambda: cell(app, run_id, "eval") == "0.375")

    run_async(go())
