"""The Kitchen TUI application: views as modes, the live event stream, errors as notices."""

from __future__ import annotations

import time
from collections.abc import Iterable
from functools import partial
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen

from kitchen import events as ev
from kitchen.engine.client import EngineClient
from kitchen.engine.files import EngineInfo
from kitchen.errors import KitchenError
from ui.data import EventPump
from ui.live import LiveState
from ui.screens.base import LiveUpdate
from ui.screens.compare import CompareScreen
from ui.screens.engine import EngineScreen
from ui.screens.launch import LaunchScreen
from ui.screens.modals import HelpScreen
from ui.screens.models import ModelsScreen
from ui.screens.run_detail import RunDetailScreen
from ui.screens.runs import RunsScreen

VIEWS: dict[str, str] = {
    "runs": "Runs: every run, live",
    "launch": "Launch: start a run of a recipe",
    "compare": "Compare: params and curves of runs side by side",
    "models": "Models: versions and aliases",
    "engine": "Engine: queue, slots, CPU, GPU and memory",
}
"""The views ``:`` jumps to, with what each shows."""

ERROR_REPEAT_S = 10.0
"""Quiet time before the same error is shown again."""

DRAIN_S = 0.1
"""How often the event queue is drained and screens told (at most ten redraws a second)."""


class ViewCommands(Provider):
    """The command palette's view list (``:``)."""

    def _views(self) -> Iterable[tuple[str, str]]:
        app = self.app
        assert isinstance(app, KitchenApp)
        for name, help_text in VIEWS.items():
            if name == "launch" and app.read_only:
                continue
            yield name, help_text

    async def discover(self) -> Hits:
        """Every view, before anything is typed."""
        for name, help_text in self._views():
            yield DiscoveryHit(name.title(), partial(self.app.switch_mode, name), help=help_text)

    async def search(self, query: str) -> Hits:
        """Views whose name matches ``query``."""
        matcher = self.matcher(query)
        for name, help_text in self._views():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(name.title()),
                    partial(self.app.switch_mode, name),
                    help=help_text,
                )


class KitchenApp(App[None]):
    """A k9s for training runs, talking to one engine.

    Args:
        info: The engine to talk to.
        read_only: Hide and unbind every action that changes state.
        live: Subscribe to the engine's event stream (tests of static screens turn it off).
    """

    TITLE = "Kitchen"
    COMMAND_PALETTE_BINDING = "colon"
    COMMANDS: ClassVar = {ViewCommands}
    MODES: ClassVar = {
        "runs": RunsScreen,
        "launch": LaunchScreen,
        "compare": CompareScreen,
        "models": ModelsScreen,
        "engine": EngineScreen,
    }
    DEFAULT_MODE = "runs"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("colon", "command_palette", "Views", key_display=":"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
    ]
    CSS = """
    Screen { background: $background; }
    DataTable { height: 1fr; }
    """

    def __init__(self, info: EngineInfo, *, read_only: bool = False, live: bool = True) -> None:
        super().__init__()
        self.info = info
        self.read_only = read_only
        self.client = EngineClient(info)
        self.live = LiveState()
        self.pump: EventPump | None = EventPump(info) if live else None
        self.compare_ids: list[str] = []
        self.recipe_cache: dict[str, object] = {}
        self._errors_shown: dict[str, float] = {}
        if read_only:
            self.remove_mode("launch")  # no way to reach it, not just no button

    @property
    def pump_connected(self) -> bool:
        """Whether the live event stream is open."""
        return self.pump is not None and self.pump.connected

    def on_mount(self) -> None:
        """Start the event stream and its drain."""
        if self.pump is not None:
            self.pump.start()
            self.set_interval(DRAIN_S, self.drain_events)

    def on_unmount(self) -> None:
        """Close the stream and the connection pool."""
        if self.pump is not None:
            self.pump.stop()
        self.client.close()

    def drain_events(self) -> None:
        """Fold the queued events into :attr:`live` and tell the screen what changed."""
        if self.pump is None:
            return
        events = self.pump.drain()
        if not events:
            return
        changed: set[str] = set()
        lifecycle = False
        for event in events:
            changed.add(self.live.apply(event))
            if isinstance(event, ev.RunStarted | ev.RunFinished):
                lifecycle = True
        self.screen.post_message(LiveUpdate(frozenset(changed), lifecycle))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette's system commands, keeping quit and theme only."""
        for command in super().get_system_commands(screen):
            if command.title in ("Quit", "Theme"):
                yield command

    # -- actions -------------------------------------------------------------------------------

    def action_help(self) -> None:
        """Show every binding of the current screen."""
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen, self.read_only))

    def open_run(self, run_id: str, tab: str = "overview") -> None:
        """Open the detail view of ``run_id`` over the current view."""
        self.push_screen(RunDetailScreen(run_id, tab=tab))

    def open_compare(self, run_ids: list[str]) -> None:
        """Compare ``run_ids`` in the Compare view."""
        self.compare_ids = list(run_ids)
        self.switch_mode("compare")  # the view reads ``compare_ids`` when it shows

    def open_launch(self) -> None:
        """The Launch view (not in read-only mode)."""
        if not self.read_only:
            self.switch_mode("launch")

    def report_error(self, error: BaseException) -> None:
        """Show an engine error as a notification with its message (never a crash).

        The same message is shown at most once every ``ERROR_REPEAT_S`` seconds, so a periodic
        refresh against an engine that went away does not bury the screen in notices.
        """
        text = str(error)
        now = time.monotonic()
        if now - self._errors_shown.get(text, -ERROR_REPEAT_S) < ERROR_REPEAT_S:
            return
        self._errors_shown[text] = now
        if isinstance(error, KitchenError):
            self.notify(error.message, title=error.title, severity="error", timeout=8)
        else:
            self.notify(f"{type(error).__name__}: {error}", title="Error", severity="error")
