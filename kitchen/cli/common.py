"""What every ``kitchen`` command module shares: the consoles, the common options, the error
handling that turns a :class:`~kitchen.errors.KitchenError` into a message and an exit code,
and how a command finds (or starts) the engine serving a home.

Sub-command modules (``kitchen/cli/*.py``) import from here, never from ``kitchen.cli.main``,
which mounts them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from kitchen.errors import KitchenError

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])
HomeOption = Annotated[
    Path | None, typer.Option("--home", help="Kitchen home (default $KITCHEN_HOME or ./.kitchen)")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts")]


def fail(error: KitchenError) -> typer.Exit:
    """Print ``error`` for a person and return the exit to raise."""
    where = f" (stage {error.stage})" if error.stage else ""
    # soft_wrap: the message stays one line, whole, for logs and grep.
    err_console.print(
        f"[bold red]{error.title}{where}:[/] {error.message}", highlight=False, soft_wrap=True
    )
    if error.run_id:
        err_console.print(
            f"[dim]run {error.run_id} is recorded; see `kitchen show {error.run_id}`[/]",
            soft_wrap=True,
        )
    return typer.Exit(error.exit_code)


def friendly(func: F) -> F:
    """Turn Kitchen errors raised by a command into a message and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KitchenError as error:
            raise fail(error) from None

    return wrapper  # type: ignore[return-value]


def engine_client(home: Path | None) -> Any:
    """A client of the engine serving ``home``, or None when none does.

    While an engine serves a home it holds the store, so reads must go through it; without one
    the CLI opens the store read-only itself (cheaper than starting an engine for one read).
    """
    from kitchen.engine.files import read_engine
    from kitchen.home import kitchen_home

    info = read_engine(kitchen_home(home))
    if info is None:
        return None
    from kitchen.engine.client import EngineClient

    return EngineClient(info)


def auto_engine_client(
    home: Path | None, recipe: str | None, overrides: list[str], config_file: Path | None
) -> Any:
    """A client of the engine serving ``home``, started in the background if none does.

    A new recipe's config is validated here first, so a typo never waits for an engine.
    """
    from kitchen.engine.client import EngineClient
    from kitchen.engine.server import ensure_engine

    if recipe is not None:
        from kitchen.launch import plan

        plan(recipe, config_file=config_file, overrides=overrides)
    return EngineClient(ensure_engine(home))
