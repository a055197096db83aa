"""The Models view: registered models, their versions and aliases; promote with confirmation."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from kitchen.engine.wire import ModelOut
from kitchen.engine.wire_runs import ModelVersionOut
from ui import format as fmt
from ui.data import call
from ui.screens.base import KitchenScreen, TopBar
from ui.screens.modals import ConfirmScreen, PromptScreen

DEFAULT_ALIAS = "champion"


class ModelsScreen(KitchenScreen):
    """Models above, the versions of the one under the cursor below."""

    VIEW = "Models"
    AUTO_FOCUS = "#models"
    BINDINGS: ClassVar = [
        Binding("enter", "open_run", "Open run"),
        Binding("r", "reload", "Refresh"),
        Binding("escape", "back", "Back to runs"),
    ]
    WRITE_BINDINGS: ClassVar = [Binding("a", "promote", "Promote (alias)")]
    DEFAULT_CSS = """
    ModelsScreen #models { height: 2fr; }
    ModelsScreen #versions { height: 3fr; }
    ModelsScreen .caption { padding: 0 1; height: 1; color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.models: list[ModelOut] = []
        self.versions: list[ModelVersionOut] = []
        self.current: str | None = None

    def compose(self) -> ComposeResult:
        yield TopBar(self.VIEW)
        yield DataTable(id="models", cursor_type="row", zebra_stripes=True)
        yield Static("versions", id="versions-caption", classes="caption")
        yield DataTable(id="versions", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        models = self.query_one("#models", DataTable)
        models.add_columns("model", "latest", "versions", "aliases", "created")
        versions = self.query_one("#versions", DataTable)
        versions.add_columns("version", "aliases", "run", "metrics")
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the models (in a worker)."""
        call(self, self.kitchen.client.models, self.got_models, group="models")

    def got_models(self, models: list[ModelOut]) -> None:
        """Draw the models; show the versions of the first (or the current)."""
        self.models = models
        table = self.query_one("#models", DataTable)
        table.clear()
        for m in models:
            aliases = " ".join(f"@{a}→v{v}" for a, v in sorted(m.aliases.items()))
            latest = "-" if m.latest_version is None else f"v{m.latest_version}"
            table.add_row(
                m.name, latest, str(m.versions), aliases, fmt.age(m.created_at), key=m.name
            )
        if not models:
            self.query_one("#versions-caption", Static).update("no registered models yet")
            return
        names = [m.name for m in models]
        name = self.current if self.current in names else names[0]
        table.move_cursor(row=names.index(name))
        self.load_versions(name)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Moving over a model shows its versions."""
        if event.data_table.id == "models" and event.row_key.value is not None:
            name = str(event.row_key.value)
            if name != self.current:
                self.load_versions(name)

    def load_versions(self, name: str) -> None:
        """Read every version of model ``name`` (in a worker)."""
        self.current = name
        model = next((m for m in self.models if m.name == name), None)
        if model is None:
            return
        client = self.kitchen.client
        count = model.versions

        def read() -> list[ModelVersionOut]:
            return [client.model_version(name, str(v)) for v in range(count, 0, -1)]

        call(self, read, self.got_versions, group="versions")

    def got_versions(self, versions: list[ModelVersionOut]) -> None:
        """Draw the versions, newest first."""
        self.versions = versions
        self.query_one("#versions-caption", Static).update(
            f"versions of [b]{self.current}[/b]"
            + ("" if self.kitchen.read_only else " — a: promote")
        )
        table = self.query_one("#versions", DataTable)
        table.clear()
        for v in versions:
            metrics = ", ".join(f"{k}={fmt.number(x)}" for k, x in sorted(v.metrics.items())[:4])
            aliases = " ".join(f"@{a}" for a in v.aliases)
            table.add_row(
                f"v{v.version}", aliases, fmt.short_id(v.run_id), metrics, key=str(v.version)
            )

    def selected_version(self) -> ModelVersionOut | None:
        """The version under the cursor of the versions table."""
        table = self.query_one("#versions", DataTable)
        if not self.versions or not table.row_count:
            return None
        return self.versions[min(table.cursor_row, len(self.versions) - 1)]

    def action_open_run(self) -> None:
        """Open the run that made the version under the cursor."""
        version = self.selected_version()
        if version is not None:
            self.kitchen.open_run(version.run_id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter or a click on a version opens its run; on a model, moves to its versions."""
        if event.data_table.id == "versions":
            self.action_open_run()
        else:
            self.query_one("#versions", DataTable).focus()

    def action_reload(self) -> None:
        """Read again."""
        self.reload()

    def action_back(self) -> None:
        """Back to the runs."""
        self.kitchen.switch_mode("runs")

    def action_promote(self) -> None:
        """Point an alias at the version under the cursor, after confirming."""
        if self.kitchen.read_only:
            return
        version, name = self.selected_version(), self.current
        if version is None or name is None:
            self.notify("pick a version first", severity="warning")
            return
        client = self.kitchen.client

        def promoted(result: ModelVersionOut) -> None:
            self.notify(f"{name} v{result.version} is now @{', @'.join(result.aliases)}")
            self.reload()

        def confirmed(alias: str, yes: bool | None) -> None:
            if yes:
                call(
                    self,
                    lambda: client.set_alias(name, alias, version.version),
                    promoted,
                    group="promote",
                )

        def named(alias: str | None) -> None:
            if not alias:
                return
            alias = alias.lstrip("@")
            model = next((m for m in self.models if m.name == name), None)
            before = model.aliases.get(alias) if model else None
            moving = f" (now on v{before})" if before is not None else ""
            self.app.push_screen(
                ConfirmScreen(f"Point {name}@{alias}{moving} at v{version.version}?"),
                lambda yes: confirmed(alias, yes),
            )

        self.app.push_screen(
            PromptScreen(f"Alias for {name} v{version.version}:", DEFAULT_ALIAS), named
        )
