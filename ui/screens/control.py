"""Run control shared by the views: cancel, pause or resume, delete (each confirmed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kitchen.engine.wire_runs import RunControlOut
from ui import format as fmt
from ui.data import call
from ui.screens.modals import ConfirmScreen

if TYPE_CHECKING:
    from ui.screens.base import KitchenScreen

PAUSABLE = frozenset({"running", "queued"})
RESUMABLE = frozenset({"paused", "cancelled", "failed", "interrupted"})


def _done(screen: KitchenScreen, verb: str) -> Callable[[RunControlOut], None]:
    def done(result: RunControlOut) -> None:
        screen.notify(f"{verb} {fmt.short_id(result.run_id)}: now {result.status}", timeout=3)
        refresh = getattr(screen, "refresh_rows", None) or getattr(screen, "reload", None)
        if refresh is not None:
            refresh()

    return done


def confirm_cancel(screen: KitchenScreen, run_id: str) -> None:
    """Ask, then cancel ``run_id`` (at its next stage boundary when it is running)."""
    if screen.kitchen.read_only:
        return
    client = screen.kitchen.client

    def answered(yes: bool | None) -> None:
        if yes:
            call(screen, lambda: client.cancel(run_id), _done(screen, "cancel"), group="control")

    screen.app.push_screen(
        ConfirmScreen(f"Cancel run {fmt.short_id(run_id)}? It stops at its next stage boundary."),
        answered,
    )


def pause_or_resume(screen: KitchenScreen, run_id: str, status: str) -> None:
    """Pause ``run_id`` when it runs or waits, resume it when it is paused or stopped."""
    if screen.kitchen.read_only:
        return
    client = screen.kitchen.client
    if status in PAUSABLE:
        call(screen, lambda: client.pause(run_id), _done(screen, "pause"), group="control")
    elif status in RESUMABLE:
        call(screen, lambda: client.resume(run_id), _done(screen, "resume"), group="control")
    else:
        screen.notify(f"a {status} run can be neither paused nor resumed", severity="warning")


def confirm_delete(screen: KitchenScreen, run_id: str) -> None:
    """Ask, then delete ``run_id`` with its metrics and logs."""
    if screen.kitchen.read_only:
        return
    client = screen.kitchen.client

    def deleted(_: None) -> None:
        screen.notify(f"deleted {fmt.short_id(run_id)}", timeout=3)
        refresh = getattr(screen, "refresh_rows", None)
        if refresh is not None:
            refresh()

    def answered(yes: bool | None) -> None:
        if yes:
            call(screen, lambda: client.delete(run_id), deleted, group="control")

    screen.app.push_screen(
        ConfirmScreen(f"Delete run {fmt.short_id(run_id)} and everything it logged?"), answered
    )
