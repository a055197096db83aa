"""Modal screens: confirm an action, ask for a word, list every key binding."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, Static


class ConfirmScreen(ModalScreen[bool]):
    """Ask yes or no; dismisses with the answer (``y``/``n``, ``escape`` is no)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 60; max-width: 95%; height: auto; border: thick $warning; padding: 1 2;
        background: $surface;
    }
    ConfirmScreen Horizontal { height: auto; align: right middle; margin-top: 1; }
    ConfirmScreen Button { margin-left: 2; }
    """

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question, id="question")
            with Horizontal():
                yield Button("Yes (y)", id="yes", variant="warning")
                yield Button("No (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """A click answers."""
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        """A key answers."""
        self.dismiss(yes)


class PromptScreen(ModalScreen[str | None]):
    """Ask for one value; dismisses with it (``None`` when escaped or empty)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_none", "Cancel")]
    DEFAULT_CSS = """
    PromptScreen { align: center middle; }
    PromptScreen > Vertical {
        width: 60; max-width: 95%; height: auto; border: thick $primary; padding: 1 2;
        background: $surface;
    }
    """

    def __init__(self, question: str, value: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question)
            yield Input(self.value, id="answer")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter answers."""
        self.dismiss(event.value.strip() or None)

    def action_dismiss_none(self) -> None:
        """Escape answers nothing."""
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    """Every key binding active on the screen below, with what it does."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "close", "Close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 72; max-width: 95%; height: 80%; border: thick $primary; padding: 0 1;
        background: $surface;
    }
    """

    def __init__(self, below: Screen[object], read_only: bool) -> None:
        super().__init__()
        self.below = below
        self.read_only = read_only

    def compose(self) -> ComposeResult:
        lines = [f"[b]Keys — {self.below.title or type(self.below).__name__}[/b]"]
        if self.read_only:
            lines.append("[dim]read-only: actions that change state are off[/dim]")
        # The screen's own map holds the write bindings only when they were added (not read-only).
        for node in (self.below, self.app):
            for key, bindings in node._bindings.key_to_bindings.items():
                for binding in bindings:
                    if binding.description:
                        shown = binding.key_display or self.app.get_key_display(binding) or key
                        lines.append(f"  [b]{shown:>12}[/b]  {binding.description}")
        lines += [
            "",
            "[b]Everywhere[/b]",
            "  the mouse: click rows, tabs, buttons; scroll with the wheel",
            "  [b]:[/b] jump to a view · [b]/[/b] filter · [b]?[/b] this help · [b]q[/b] quit",
        ]
        with VerticalScroll():
            yield Static("\n".join(lines), id="help-text")

    def action_close(self) -> None:
        """Back to the screen below."""
        self.dismiss(None)
