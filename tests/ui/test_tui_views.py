"""Every view through Pilot, on a seeded store served by a real engine; screens snapshotted."""

from __future__ import annotations

from typing import Any

from conftest import Served, assert_snapshot, run_async, settle, wait_for
from textual.command import CommandList
from textual.widgets import DataTable, Input, Static

from kitchen.engine.client import EngineClient
from ui.app import KitchenApp
from ui.screens.compare import CompareScreen
from ui.screens.engine import EngineScreen
from ui.screens.launch import LaunchScreen
from ui.screens.modals import ConfirmScreen, HelpScreen, PromptScreen
from ui.screens.models import ModelsScreen
from ui.screens.run_detail import RunDetailScreen
from ui.screens.runs import RunsScreen
from ui.widgets.chart import LineChart
from ui.widgets.config_form import ConfigForm

SMALL = (80, 24)
LARGE = (200, 50)


def table_ids(app: KitchenApp) -> list[str]:
    """Run ids in the runs table, top to bottom."""
    table = app.screen.query_one("#runs", DataTable)
    return [str(key.value) for key in table.rows]


async def started(pilot: Any) -> None:
    """Wait for the first screen's data and the live stream."""
    app: KitchenApp = pilot.app
    await wait_for(pilot, lambda: app.pump_connected)
    await settle(pilot)
    await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen) and app.screen.loaded)
    for bar in app.screen.query("TopBar"):
        bar.update_bar()  # type: ignore[attr-defined]
    await pilot.pause()


def test_runs_view_lists_runs_newest_first(served: Served) -> None:
    async def go() -> None:
        app = KitchenApp(served.info)
        async with app.run_test(size=SMALL) as pilot:
            await started(pilot)
            ids = table_ids(app)
            assert ids[-2:] == [served.b, served.a]
            await assert_snapshot(pilot, app, "runs_80x24", served)
        app = KitchenApp(served.info)
        async with app.run_test(size=LARGE) as pilot:
            await started(pilot)
            await settle(pilot)
            table = app.screen.query_one("#runs", DataTable)
            assert "model" in {str(k.value) for k in table.columns}  # more columns when wide
            await assert_snapshot(pilot, app, "runs_200x50", served)

    run_async(go())


def test_filter_and_sort(served: Served) -> None:
    async def go() -> None:
        app = KitchenApp(served.info)
        async with app.run_test(size=SMALL) as pilot:
            await started(pilot)
            await pilot.press("slash")
            assert isinstance(app.focused, Input)
            await pilot.press(*"failed")
            await pilot.pause()
            assert table_ids(app) == [served.b]
            await pilot.press("escape")
            await pilot.pause()
            assert len(table_ids(app)) == 5
            screen = app.screen
            assert isinstance(screen, RunsScreen)
            while screen.sort_key != "loss":
                await pilot.press("s")
            await pilot.pause()
            assert table_ids(app)[:2] == [served.a, served.b]  # lowest loss first
            await pilot.click("#runs", offset=(60, 0))  # a click on a header sorts too
            await pilot.pause()

    run_async(go())


def test_run_detail_shows_stages_charts_logs_params_artifacts_lineage(served: Served) -> None:
    async def go() -> None:
        app = KitchenApp(served.info)
        async with app.run_test(size=SMALL) as pilot:
            await started(pilot)
            table = app.screen.query_one("#runs", DataTable)
            table.move_cursor(row=table_ids(app).index(served.a))
            await pilot.press("enter")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, RunDetailScreen) and screen.details is not None
            assert "succeeded" in str(screen.query_one("#summary", Static).render())
            assert len(screen.query_one("#stages").rows) > 10  # type: ignore[attr-defined]
            await assert_snapshot(pilot, app, "detail_stages_80x24", served)
            await pilot.press("g")
            await pilot.pause()
            loss = screen.query_one("#chart-0", LineChart)
            assert loss.series and len(loss.series[0].steps) == 20
            await assert_snapshot(pilot, app, "detail_charts_80x24", served)
            await pilot.press("a")
            await pilot.pause()
            params = screen.query_one("#params-table", DataTable)
            assert params.row_count == 2
            assert screen.query_one("#artifacts-table", DataTable).row_count == 1
            lineage = screen.query_one("#lineage-table", DataTable)
            relations = {str(lineage.get_row_at(i)[1]) for i in range(lineage.row_count)}
            assert {"trained_on", "registered"} <= relations
            await pilot.press("escape")
            assert isinstance(app.screen, RunsScreen)

    run_async(go())


def test_compare_two_runs(served: Served) -> None:
    async def go() -> None:
        app = KitchenApp(served.info)
        async with app.run_test(size=SMALL) as pilot:
            await started(pilot)
            table = app.screen.query_one("#runs", DataTable)
            ids = table_ids(app)
            for run_id in (served.b, served.a):
                table.move_cursor(row=ids.index(run_id))
                await pilot.press("space")
            await pilot.press("d")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, CompareScreen)
            assert set(screen.run_ids) == {served.a, served.b}
            diff = screen.query_one("#params-diff", DataTable)
            first = diff.get_row_at(0)
            assert first[0] == "dataset" or first[0] == "lr"
            chart = screen.query_one("#overlay", LineChart)
            assert len(chart.series) == 2
            await assert_snapshot(pilot, app, "compare_80x24", served)

    run_async(go())


def test_models_view_promotes_after_confirming(served: Served) -> None:
    async def go() -> None:
        app = KitchenApp(served.info)
        async with app.run_test(size=SMALL) as pilot:
            await started(pilot)
            await app.switch_mode("models")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ModelsScreen)
            assert [m.name for m in screen.models] == ["tiny"]
            assert [v.version for v in screen.versions] == [1]
            await assert_snapshot(pilot, app, "models_80x24", served)
            screen.query_one("#versions", DataTable).focus()
            await pilot.press("a")
            assert isinstance(app.screen, PromptScreen)
            await pilot.press("ctrl+u", *"prod", "enter")
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("y")
            await settle(pilot)
            with EngineClient(served.info) as client:
                assert client.model_version("tiny", "prod").version == 1

    run_async(go())


def test_engine_view_shows_queue_and_machine(served: Served) -> None:
    async def go() -> None:
        app = KitchenApp(served.info)
        async with app.run_test(size=SMALL) as pilot:
            await started(pilot)
            await app.switch_mode("engine")
            await settle(pilot)
            assert isinstance(app.screen, EngineScreen)
            status = str(app.screen.query_one("#status", Static).render())
            assert f"pid {served.info.pid}" in status and "slots" in status and "memory" in status
            queue = app.screen.query_one("#queue", DataTable)
            assert "nothing running" in str(queue.get_row_at(0)[1])

    run_async(go())


def test_launch_form_shows_field_errors_inline(served: Served) -> None:
    async def go() -> None:
        app = KitchenApp(served.info)
        async with app.run_test(size=SMALL) as pilot:
            await started(pilot)
            await pilot.press("n")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, LaunchScreen)
            await wait_for(pilot, lambda: screen.form is not None)
            await settle(pilot)
            form = screen.form
            assert form is not None and "epochs" in {f.name for f in form.fields}
            await assert_snapshot(pilot, app, "launch_80x24", served)
            form.query_one("#input-epochs", Input).value = "0"
            form.query_one("#input-learning_rate", Input).value = "5"

            def field_errors() -> dict[str, str]:
                return {
                    name: str(form.query_one(f"#error-{name}", Static).render())
                    for name in ("epochs", "learning_rate", "batch_size")
                }

            # the check is debounced and answered by the engine: wait for it, not a fixed time
            await wait_for(
                pilot, lambda: bool(field_errors()["epochs"] and field_errors()["learning_rate"])
            )
            await settle(pilot)
            errors = field_errors()
            assert "1" in errors["epochs"] and errors["learning_rate"] and not errors["batch_size"]
            assert "problem" in str(screen.query_one("#problems", Static).render())
            assert sorted(form.overrides()) == ["epochs=0", "learning_rate=5"]
            await pilot.press("ctrl+s")  # refused by the engine: a notice, no crash, no run
            await settle(pilot)
            assert any(n.severity == "error" for n in app._notifications)
            assert isinstance(app.screen, LaunchScreen)

    run_async(go())


def test_launch_loads_a_yaml_config(served: Served, tmp_path: Any) -> None:
    path = tmp_path / "small.yaml"
    path.write_text("epochs: 2\nlimit: 200\nlr_schedule: linear\n", encoding="utf-8")

    async def go() -> None:
        app = KitchenApp(served.info)
        async with app.run_test(size=SMALL) as pilot:
            await started(pilot)
            await app.switch_mode("launch")
            screen = app.screen
            assert isinstance(screen, LaunchScreen)
            await wait_for(pilot, lambda: screen.form is not None)
            await pilot.press("ctrl+o", *str(path), "enter")
            await settle(pilot)
            form = screen.form
            assert isinstance(form, ConfigForm)
            assert form.value_text("epochs") == "2" and form.value_text("lr_schedule") == "linear"
            assert form.overrides() == [] and screen.yaml_config == {
                "epochs": 2,
                "limit": 200,
                "lr_schedule": "linear",
            }
            assert "valid" in str(screen.query_one("#problems", Static).render())

    run_async(go())


def test_help_lists_every_binding_and_palette_jumps(served: Served) -> None:
    async def go() -> None:
        app = KitchenApp(served.info)
        async with app.run_test(size=SMALL) as pilot:
            await started(pilot)
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            text = str(app.screen.query_one("#help-text", Static).render())
            for word in ("Filter", "Open", "New run", "Cancel", "Pause/resume", "Logs", "Quit"):
                assert word in text
            await assert_snapshot(pilot, app, "help_80x24", served)
            await pilot.press("escape")
            await pilot.press("colon")
            await pilot.press(*"engine")
            # the palette searches in the background: wait for its answer, not a fixed time
            await wait_for(pilot, lambda: app.screen.query_one(CommandList).option_count > 0)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, EngineScreen)

    run_async(go())


def test_read_only_removes_every_action_that_changes_state(served: Served) -> None:
    async def go() -> None:
        app = KitchenApp(served.info, read_only=True)
        async with app.run_test(size=SMALL) as pilot:
            await started(pilot)
            keys = set(app.screen._bindings.key_to_bindings)
            assert not {"n", "c", "p", "x"} & keys
            await pilot.press("c", "n", "p", "x")
            await pilot.pause()
            assert isinstance(app.screen, RunsScreen)  # no confirm, no launch view
            assert "launch" not in app._modes
            await pilot.press("question_mark")
            text = str(app.screen.query_one("#help-text", Static).render())
            assert "Cancel" not in text and "New run" not in text and "read-only" in text
            await pilot.press("escape")
            await app.switch_mode("models")
            await settle(pilot)
            assert "a" not in app.screen._bindings.key_to_bindings

    run_async(go())


def test_engine_errors_are_notices_not_crashes(served: Served) -> None:
    async def go() -> None:
        app = KitchenApp(served.info)
        async with app.run_test(size=SMALL) as pilot:
            await started(pilot)
            table = app.screen.query_one("#runs", DataTable)
            table.move_cursor(row=table_ids(app).index(served.a))
            await pilot.press("c")
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("y")
            await settle(pilot)
            app.open_run("no-such-run")
            await settle(pilot)
            messages = [n.message for n in app._notifications]
            assert any("no-such-run" in m for m in messages), messages
            assert app.is_running

    run_async(go())
