"""``kitchen tui``: start (or find) the engine serving a home, then run the TUI on it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def tui(
    home: Annotated[
        Path | None,
        typer.Option("--home", help="Kitchen home (default $KITCHEN_HOME or ./.kitchen)"),
    ] = None,
    read_only: Annotated[
        bool, typer.Option("--read-only", help="Hide and unbind every action that changes state")
    ] = False,
) -> None:
    """The terminal UI: runs, live curves and logs, launch, compare, models, engine."""
    from kitchen.engine.server import ensure_engine
    from kitchen.errors import KitchenError

    try:
        info = ensure_engine(home)
    except KitchenError as error:
        typer.echo(f"{error.title}: {error.message}", err=True)
        raise typer.Exit(8) from None
    from ui.app import KitchenApp

    KitchenApp(info, read_only=read_only).run()


def register(app: typer.Typer) -> None:
    """Add the ``tui`` command to ``app`` (the ``kitchen`` CLI)."""
    app.command("tui")(tui)


def main() -> None:
    """``python -m ui``: the ``tui`` command on its own."""
    typer.run(tui)
