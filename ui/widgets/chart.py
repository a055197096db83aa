"""A braille line chart: several series overlaid, axes labelled, redrawn at any size."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.widget import Widget

from ui.format import number

PALETTE = ("cyan", "magenta", "yellow", "green", "red", "blue", "bright_white")
"""Colours of the series, in order."""

# Dot bits of a braille cell, indexed [x][y] within the 2x4 cell.
_DOTS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))


@dataclass(frozen=True, slots=True)
class Series:
    """One line of a chart."""

    label: str
    steps: Sequence[int]
    values: Sequence[float]


def _finite(values: Sequence[float]) -> list[float]:
    return [v for v in values if v == v and v not in (float("inf"), float("-inf"))]


def plot(series: Sequence[Series], width: int, height: int, title: str = "") -> Text:
    """Draw ``series`` as braille lines in a ``width`` x ``height`` cell box.

    The first row holds the title and legend, the last the step range; the left columns the
    value range.
    """
    text = Text(no_wrap=True, overflow="crop")
    head = Text(title, style="bold")
    for i, s in enumerate(series):
        if len(series) > 1 or s.label != title:
            head.append(" ━ ", style=PALETTE[i % len(PALETTE)])
            head.append(s.label)
    head.truncate(width)
    text.append_text(head)
    ys = [v for s in series for v in _finite(s.values)]
    xs = [x for s in series for x in s.steps]
    if height < 3 or not ys:
        text.append("\n" + "no data yet".center(max(width, 0))[:width], style="dim")
        return text
    y_lo, y_hi = min(ys), max(ys)
    if y_hi == y_lo:
        y_lo, y_hi = y_lo - 0.5, y_hi + 0.5
    top, bottom = number(y_hi), number(y_lo)
    label_w = max(len(top), len(bottom), 4)
    rows = height - 2
    cols = width - label_w - 1
    if cols < 2:
        return text
    x_lo, x_hi = min(xs), max(xs)
    x_span = max(x_hi - x_lo, 1)
    px_w, px_h = cols * 2, rows * 4
    masks = [[0] * cols for _ in range(rows)]
    owner = [[-1] * cols for _ in range(rows)]
    for index, s in enumerate(series):
        points = list(zip(s.steps, s.values, strict=False))
        stride = max(1, len(points) // (px_w * 2))
        if stride > 1:
            points = points[::stride] + points[-1:]
        last: tuple[int, int] | None = None
        for step, value in points:
            if value != value or value in (float("inf"), float("-inf")):
                last = None
                continue
            px = round((step - x_lo) / x_span * (px_w - 1))
            py = round((y_hi - value) / (y_hi - y_lo) * (px_h - 1))
            for x, y in _line(last, (px, py)):
                cx, cy = x // 2, y // 4
                masks[cy][cx] |= _DOTS[x % 2][y % 4]
                owner[cy][cx] = index
            last = (px, py)
    for r in range(rows):
        label = top if r == 0 else bottom if r == rows - 1 else ""
        text.append("\n" + label.rjust(label_w) + "│", style="dim")
        for c in range(cols):
            mask = masks[r][c]
            if mask:
                text.append(chr(0x2800 + mask), style=PALETTE[owner[r][c] % len(PALETTE)])
            else:
                text.append(" ")
    left, right = f"step {x_lo}", str(x_hi)
    gap = max(1, cols - len(left) - len(right))
    text.append("\n" + " " * (label_w + 1) + left + " " * gap + right, style="dim")
    return text


def _line(start: tuple[int, int] | None, end: tuple[int, int]) -> list[tuple[int, int]]:
    """The pixels from ``start`` to ``end`` (Bresenham); just ``end`` with no start."""
    if start is None:
        return [end]
    (x0, y0), (x1, y1) = start, end
    dx, dy = abs(x1 - x0), -abs(y1 - y0)
    sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
    err = dx + dy
    out = []
    while True:
        out.append((x0, y0))
        if x0 == x1 and y0 == y1:
            return out
        e2 = 2 * err
        if e2 >= dy:
            err += dy
            x0 += sx
        if e2 <= dx:
            err += dx
            y0 += sy


class LineChart(Widget):
    """A titled chart of one or more series; call :meth:`set_series` to redraw."""

    DEFAULT_CSS = """
    LineChart { height: 10; min-height: 5; }
    """

    def __init__(self, title: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.title = title
        self.series: list[Series] = []

    def set_series(self, series: Sequence[Series]) -> None:
        """Replace the lines and redraw."""
        self.series = list(series)
        self.refresh()

    def render(self) -> Text:
        """The chart at the widget's current size."""
        return plot(self.series, self.size.width, self.size.height, self.title)
