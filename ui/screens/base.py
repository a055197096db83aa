"""What every Kitchen view shares: the top bar, live updates, and read-only bindings."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

if TYPE_CHECKING:
    from ui.app import KitchenApp


class LiveUpdate(Message):
    """Runs changed on the event stream since the last drain (sent at most ten times a second).

    Attributes:
        run_ids: The runs that changed.
        lifecycle: Whether a run started or finished (the runs table should be read again).
    """

    def __init__(self, run_ids: frozenset[str], lifecycle: bool) -> None:
        super().__init__()
        self.run_ids = run_ids
        self.lifecycle = lifecycle


class TopBar(Static):
    """One line: the view, the engine it talks to, the stream's state, read-only."""

    DEFAULT_CSS = """
    TopBar { height: 1; background: $primary-background; color: $text; padding: 0 1; }
    """

    def __init__(self, view: str) -> None:
        super().__init__()
        self.view = view

    def on_mount(self) -> None:
        self.update_bar()
        self.set_interval(1.0, self.update_bar)

    def update_bar(self) -> None:
        """Redraw from the app's state."""
        app = cast("KitchenApp", self.app)
        stream = "[green]●[/] live" if app.pump_connected else "[red]●[/] offline"
        mode = "  [b reverse] read-only [/]" if app.read_only else ""
        self.update(
            f"[b]Kitchen[/b] ▸ {self.view}  [dim]engine {app.info.address}[/dim]  {stream}{mode}"
        )


class KitchenScreen(Screen[None]):
    """A view of the TUI.

    ``WRITE_BINDINGS`` are the bindings of actions that change state: they are added only when
    the app is not read-only (so in read-only mode the keys do nothing and the footer and help
    never show them), and their actions refuse to run in read-only mode as well.
    """

    WRITE_BINDINGS: ClassVar[list[Binding]] = []
    VIEW = "view"

    def __init__(self) -> None:
        super().__init__()
        self.title = self.VIEW
        if not self.kitchen.read_only:
            for binding in self.WRITE_BINDINGS:
                self._bindings.bind(
                    binding.key,
                    binding.action,
                    binding.description,
                    show=binding.show,
                    key_display=binding.key_display,
                )

    @property
    def kitchen(self) -> KitchenApp:
        """The app, typed."""
        return cast("KitchenApp", self.app)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Write actions are off in read-only mode."""
        return not (self.kitchen.read_only and any(b.action == action for b in self.WRITE_BINDINGS))

    def on_live_update(self, message: LiveUpdate) -> None:
        """Override to follow the event stream."""
