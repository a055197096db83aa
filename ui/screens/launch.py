"""The Launch view: pick a recipe, edit its config in a generated form or load a YAML, submit."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import yaml
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.timer import Timer
from textual.widgets import Button, Footer, Input, Select, Static, Switch

from kitchen.errors import ConfigError
from ui import format as fmt
from ui.data import call
from ui.screens.base import KitchenScreen, TopBar
from ui.widgets.config_form import ConfigForm, as_text, fields_of

CHECK_DELAY_S = 0.4
"""Quiet time after an edit before the config is checked."""


class LaunchScreen(KitchenScreen):
    """Start a run: recipe, config form with inline validation, YAML file, submit."""

    VIEW = "Launch"
    AUTO_FOCUS = "#recipe"
    BINDINGS: ClassVar = [
        Binding("ctrl+s", "submit", "Submit"),
        Binding("ctrl+o", "focus_yaml", "Load YAML"),
        Binding("escape", "back", "Back to runs"),
    ]
    DEFAULT_CSS = """
    LaunchScreen #top { height: auto; }
    LaunchScreen #recipe { width: 30; }
    LaunchScreen #yaml-path { width: 1fr; }
    LaunchScreen #about { padding: 0 1; height: auto; }
    LaunchScreen #problems { color: $error; padding: 0 1; height: auto; }
    LaunchScreen #buttons { height: auto; }
    LaunchScreen Button { margin: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.recipe: str | None = None
        self.defaults: dict[str, Any] = {}
        self.yaml_config: dict[str, Any] | None = None
        self.check_timer: Timer | None = None
        self.form_ready = False

    def compose(self) -> ComposeResult:
        yield TopBar(self.VIEW)
        with Horizontal(id="top"):
            yield Select[str]([], prompt="recipe", id="recipe", allow_blank=True)
            yield Input(placeholder="path/to/config.yaml", id="yaml-path")
            yield Button("Load", id="load")
        yield Static("", id="about")
        yield Static("", id="problems")
        yield VerticalScroll(id="form-box")
        with Horizontal(id="buttons"):
            yield Button("Submit (ctrl+s)", id="submit", variant="success", disabled=True)
            yield Button("Check", id="check")
        yield Footer()

    def on_mount(self) -> None:
        client = self.kitchen.client
        call(self, client.recipes, self.got_recipes, group="recipes")

    def got_recipes(self, recipes: list[Any]) -> None:
        """Fill the recipe picker; choose the first."""
        select = self.query_one("#recipe", Select)
        select.set_options([(r.name, r.name) for r in recipes])
        if recipes:
            select.value = recipes[0].name

    def on_select_changed(self, event: Select.Changed) -> None:
        """A new recipe builds its form; any other pick re-checks."""
        if event.select.id == "recipe":
            if event.value is not Select.BLANK and event.value != self.recipe:
                self.choose(str(event.value))
        else:
            self.schedule_check()

    def choose(self, name: str) -> None:
        """Read a recipe's schema and defaults, then build its form."""
        self.recipe = name
        self.yaml_config = None
        self.form_ready = False
        client = self.kitchen.client
        call(self, lambda: client.recipe(name), self.got_recipe, group="recipe")

    def got_recipe(self, detail: Any) -> None:
        """Build the form of ``detail`` (a recipe with its config schema)."""
        if detail.name != self.recipe:
            return
        self.defaults = dict(detail.defaults)
        stages = sum(1 for s in detail.stages if s.get("kind") == "stage")
        self.query_one("#about", Static).update(
            f"[b]{detail.name}[/b]: {detail.description} [dim]({stages} stages)[/dim]"
        )
        box = self.query_one("#form-box", VerticalScroll)
        box.remove_children()
        fields = fields_of(detail.config_schema)
        form = ConfigForm(fields, id="form")
        for f in fields:  # the engine's defaults win over the schema's
            if f.name in self.defaults:
                form.baseline[f.name] = as_text(self.defaults[f.name])
        box.mount(form)
        self.form_ready = True
        self.query_one("#submit", Button).disabled = False
        self.query_one("#problems", Static).update("")

    @property
    def form(self) -> ConfigForm | None:
        """The current form, once built."""
        forms = self.query("#form").results(ConfigForm)
        return next(iter(forms), None)

    # -- validation ----------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        """Edits are checked after a short pause."""
        if event.input.id != "yaml-path":
            self.schedule_check()

    def on_switch_changed(self, event: Switch.Changed) -> None:
        """Switches too."""
        self.schedule_check()

    def schedule_check(self) -> None:
        """Check the config once edits pause."""
        if not self.form_ready:
            return
        if self.check_timer is not None:
            self.check_timer.stop()
        self.check_timer = self.set_timer(CHECK_DELAY_S, self.check)

    def check(self) -> None:
        """Ask the engine whether the config is valid (in a worker)."""
        form, recipe = self.form, self.recipe
        if form is None or recipe is None:
            return
        overrides, config = form.overrides(), self.yaml_config
        client = self.kitchen.client
        call(
            self,
            lambda: client.check(recipe, overrides, config=config),
            self.got_check,
            group="check",
        )

    def got_check(self, result: Any) -> None:
        """Show field errors under their fields; the rest above the form."""
        form = self.form
        if form is None:
            return
        names = {f.name for f in form.fields}
        by_field: dict[str, str] = {}
        other = []
        for error in result.errors:
            head = str(error.field).split(".")[0]
            if head in names:
                by_field.setdefault(head, error.message)
            else:
                other.append(f"{error.field}: {error.message}" if error.field else error.message)
        form.show_errors(by_field)
        problems = self.query_one("#problems", Static)
        if result.ok:
            problems.update("[green]✓ valid[/green]")
        else:
            count = len(result.errors)
            lines = [f"{count} problem{'s' if count != 1 else ''} in the config", *other]
            problems.update("\n".join(lines))

    # -- YAML and submit -----------------------------------------------------------------------

    def action_focus_yaml(self) -> None:
        """Focus the YAML path."""
        self.query_one("#yaml-path", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the YAML path loads it."""
        if event.input.id == "yaml-path":
            self.load_yaml(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Load, Check or Submit."""
        if event.button.id == "load":
            self.load_yaml(self.query_one("#yaml-path", Input).value)
        elif event.button.id == "check":
            self.check()
        elif event.button.id == "submit":
            self.action_submit()

    def load_yaml(self, path_text: str) -> None:
        """Read a YAML config file into the form."""
        path = Path(path_text.strip()).expanduser()
        try:
            mapping = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            self.notify(f"cannot read {path}: {error}", title="YAML", severity="error")
            return
        if not isinstance(mapping, dict):
            self.notify(f"{path} is not a mapping of config keys", severity="error")
            return
        form = self.form
        if form is None:
            return
        unknown = form.load(mapping)
        self.yaml_config = mapping
        self.notify(f"loaded {path.name}", timeout=2)
        if unknown:
            self.notify(f"unknown keys: {', '.join(unknown)}", severity="warning")
        self.check()

    def action_submit(self) -> None:
        """Queue the run; field errors stay in the form."""
        if self.kitchen.read_only:
            return
        form, recipe = self.form, self.recipe
        if form is None or recipe is None:
            return
        overrides, config = form.overrides(), self.yaml_config
        client = self.kitchen.client

        def failed(error: BaseException) -> None:
            self.kitchen.report_error(error)
            if isinstance(error, ConfigError):
                self.check()

        call(
            self,
            lambda: client.submit(recipe, overrides, config=config),
            self.submitted,
            group="submit",
            failed=failed,
        )

    def submitted(self, result: Any) -> None:
        """Say so and follow the new run."""
        self.notify(f"queued run {fmt.short_id(result.run_id)} ({result.status})", timeout=3)
        self.kitchen.switch_mode("runs")
        self.kitchen.open_run(result.run_id)

    def action_back(self) -> None:
        """Back to the runs."""
        self.kitchen.switch_mode("runs")
