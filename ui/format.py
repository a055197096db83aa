"""Small text formatters shared by the screens: ages, durations, sizes, numbers, statuses."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from kitchen.display import short_id as short_id  # the one definition, shared with the CLI

STATUS_STYLES: dict[str, str] = {
    "queued": "yellow",
    "running": "bold cyan",
    "paused": "magenta",
    "succeeded": "green",
    "failed": "bold red",
    "cancelled": "dim",
    "interrupted": "red",
}
"""Rich style of each run status."""

ACTIVE_STATUSES = frozenset({"queued", "running", "paused"})
"""Statuses of runs that are not over yet."""


def status_markup(status: str) -> str:
    """``status`` in its colour, as Rich markup."""
    style = STATUS_STYLES.get(status, "")
    return f"[{style}]{status}[/]" if style else status


def age(when: datetime | None, now: datetime | None = None) -> str:
    """How long ago ``when`` was, in one short unit (``45s``, ``12m``, ``3h``, ``5d``)."""
    if when is None:
        return "-"
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    seconds = max(0.0, (now - when).total_seconds())
    return duration(seconds, coarse=True)


def duration(seconds: float | None, *, coarse: bool = False) -> str:
    """A duration: ``4.2s``, ``3m05s``, ``2h10m``; ``coarse`` keeps only the largest unit."""
    if seconds is None or math.isnan(seconds):
        return "-"
    if seconds < 60:
        return f"{seconds:.0f}s" if coarse else f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m" if coarse else f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h" if coarse else f"{hours}h{minutes:02d}m"
    return f"{hours // 24}d"


def size(num_bytes: float | None) -> str:
    """A byte count in binary units: ``512 B``, ``1.5 KiB``, ``3.2 GiB``."""
    if num_bytes is None:
        return "-"
    value = float(num_bytes)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"  # pragma: no cover - the loop always returns


def number(value: float | None) -> str:
    """A metric value in at most 6 significant digits (``-`` for none, ``nan`` kept)."""
    if value is None:
        return "-"
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
        return f"{value:.3e}"
    return f"{value:.4g}"


def progress_bar(done: int, total: int, width: int = 10) -> str:
    """A text progress bar with the percentage, e.g. ``█████░░░░░  50%``."""
    if total <= 0:
        return "-"
    frac = min(1.0, max(0.0, done / total))
    filled = round(frac * width)
    return "█" * filled + "░" * (width - filled) + f" {frac * 100:3.0f}%"
