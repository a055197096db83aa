"""The report's plots, drawn with matplotlib's object API (no pyplot: no global figure state,
no GUI backend, safe inside the engine's worker threads) and imported lazily.

Each ``draw_*`` function fills one Axes from report records; :func:`svg` turns one drawing
into inline SVG text for HTML and Markdown, and the PDF renderer puts several on a page.
SVG output is deterministic (fixed hash salt, no date), so the same store gives the same bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from kitchen.report.data import ConditionRow, CurveData, HistBin

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

ACCENT = "#2f6fdb"
SECOND = "#e0823d"
MUTED = "#8a94a6"
INK = "#1f2937"
STYLE: dict[str, Any] = {
    "font.size": 8.5,
    "axes.titlesize": 9.5,
    "axes.titleweight": "bold",
    "axes.edgecolor": "#c5cbd6",
    "axes.labelcolor": INK,
    "axes.grid": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "grid.color": "#e6e9ef",
    "grid.linewidth": 0.7,
    "xtick.color": "#4b5563",
    "ytick.color": "#4b5563",
    "axes.axisbelow": True,
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
}
Draw = Callable[["Axes"], None]


def draw_curve(curve: CurveData) -> Draw:
    """A metric over steps."""

    def draw(ax: Axes) -> None:
        ax.plot(curve.steps, curve.values, color=ACCENT, linewidth=1.4)
        if len(curve.steps) <= 30:
            ax.plot(curve.steps, curve.values, "o", color=ACCENT, markersize=2.5)
        ax.set_title(curve.key, loc="left")
        ax.set_xlabel("step")
        if curve.downsampled:
            ax.text(
                1.0,
                1.02,
                f"{len(curve.steps)} of {curve.total_points} points",
                transform=ax.transAxes,
                ha="right",
                va="bottom",
                fontsize=7,
                color=MUTED,
            )

    return draw


def draw_histogram(bins: Sequence[HistBin], title: str) -> Draw:
    """A score distribution: one bar per discrete score, or equal-width bins."""

    def draw(ax: Axes) -> None:
        discrete = all(b.low == b.high for b in bins)
        if discrete:
            labels = [_num(b.low) for b in bins]
            ax.bar(range(len(bins)), [b.count for b in bins], color=ACCENT, width=0.6)
            ax.set_xticks(range(len(bins)), labels)
        else:
            ax.bar(
                [b.low for b in bins],
                [b.count for b in bins],
                width=[b.high - b.low for b in bins],
                align="edge",
                color=ACCENT,
                edgecolor="white",
            )
        ax.set_title(title, loc="left")
        ax.set_xlabel("score")
        ax.set_ylabel("samples")
        ax.grid(axis="x", visible=False)

    return draw


def draw_conditions(conditions: Sequence[ConditionRow], metric: str, best: str | None) -> Draw:
    """Per-condition means with 95% CI error bars, and each seed's value as a dot."""

    def draw(ax: Axes) -> None:
        for i, c in enumerate(conditions):
            colour = SECOND if c.name == best else ACCENT
            if c.mean is None:
                continue  # no seed has a value yet: the axis keeps its place
            if c.ci is not None:
                ax.errorbar(
                    [i],
                    [c.mean],
                    yerr=[[c.mean - c.ci.low], [c.ci.high - c.mean]],
                    fmt="o",
                    color=colour,
                    capsize=5,
                    markersize=6,
                    linewidth=1.6,
                    zorder=3,
                )
            else:
                ax.plot([i], [c.mean], "o", color=colour, markersize=6, zorder=3)
            k = len(c.values)
            offsets = [(j - (k - 1) / 2) * 0.06 for j in range(k)]
            ax.plot(
                [i + 0.18 + o for o in offsets],
                c.values,
                ".",
                color=MUTED,
                markersize=5,
                zorder=2,
            )
        ax.set_xticks(range(len(conditions)), [c.name for c in conditions])
        ax.set_xlim(-0.6, len(conditions) - 0.4)
        ax.set_ylabel(metric)
        ax.set_title(f"{metric} by condition (mean, 95% CI, seeds)", loc="left")
        ax.grid(axis="x", visible=False)
        if len(conditions) > 5:
            for label in ax.get_xticklabels():
                label.set_rotation(30)
                label.set_horizontalalignment("right")

    return draw


def styled(extra: dict[str, Any] | None = None) -> AbstractContextManager[None]:
    """Matplotlib settings of the report's plots (plus ``extra``) for a ``with`` block."""
    import matplotlib

    settings = {**STYLE, **(extra or {})}
    return matplotlib.rc_context(settings)  # type: ignore[arg-type]


def new_figure(width: float, height: float) -> Figure:
    """A figure outside pyplot (nothing global is registered)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def svg(draw: Draw, *, salt: str, width: float = 4.4, height: float = 2.7) -> str:
    """One drawing as an ``<svg>`` element ready to inline (no XML prolog, no DOCTYPE).

    ``salt`` makes the SVG's internal ids unique per plot, so several plots can share one page.
    """
    with styled({"svg.hashsalt": salt}):
        fig = new_figure(width, height)
        draw(fig.add_subplot())
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.find("<svg") :]
    # The metadata block names matplotlib's web site: drop it, a report links nowhere.
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.DOTALL)
    # Ids nothing refers to (figure_1, axes_1 ...) would repeat across a page's plots.
    used = set(re.findall(r"#([A-Za-z_][\w.-]*)", text))
    return re.sub(r'\sid="([^"]*)"', lambda m: m.group(0) if m.group(1) in used else "", text)


def _num(value: float) -> str:
    return f"{value:g}"
