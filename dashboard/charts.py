"""Plotly figures for the run, evaluation, feedback and lineage pages.

Each function turns engine records into a figure and nothing else: no statistics are computed
here (binning a histogram is plotly's job in the browser). Drift, adversary and XAI figures
live in :mod:`dashboard.analysis_charts`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from kitchen.display import short_id
from kitchen.engine.wire import CurveOut, EvalSummaryOut, LineageGraphOut
from kitchen.engine.wire_analysis import FeedbackEventOut

STATUS_COLOURS = {
    "succeeded": "#2e7d32",
    "failed": "#c62828",
    "running": "#1565c0",
    "queued": "#757575",
    "paused": "#f9a825",
    "cancelled": "#6d4c41",
    "interrupted": "#ef6c00",
}
KIND_COLOURS = {
    "dataset": "#6a1b9a",
    "run": "#1565c0",
    "artifact": "#757575",
    "model_version": "#2e7d32",
}


def tidy(fig: go.Figure, *, height: int = 360, title: str | None = None) -> go.Figure:
    """A compact layout shared by every figure."""
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        title=title,
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def runs_by_status(counts: Mapping[tuple[str, str], int]) -> go.Figure:
    """Stacked bars: runs per recipe, one colour per status."""
    recipes = sorted({recipe for recipe, _ in counts})
    statuses = sorted({status for _, status in counts})
    fig = go.Figure()
    for status in statuses:
        fig.add_bar(
            name=status,
            x=recipes,
            y=[counts.get((recipe, status), 0) for recipe in recipes],
            marker_color=STATUS_COLOURS.get(status),
        )
    fig.update_layout(barmode="stack", xaxis_title="recipe", yaxis_title="runs")
    return tidy(fig, height=300)


def overlaid_curves(curves: Mapping[str, CurveOut], labels: Mapping[str, str]) -> go.Figure:
    """One metric of several runs on one set of axes."""
    fig = go.Figure()
    for run_id, curve in curves.items():
        suffix = " (downsampled)" if curve.downsampled else ""
        fig.add_scatter(
            x=curve.steps,
            y=curve.values,
            mode="lines",
            name=labels.get(run_id, short_id(run_id)) + suffix,
        )
    key = next(iter(curves.values())).key if curves else ""
    fig.update_layout(xaxis_title="step", yaxis_title=key)
    return tidy(fig)


def eval_scores(summaries: Sequence[EvalSummaryOut]) -> go.Figure:
    """Mean score per task over steps, one line per task and phase."""
    series: dict[str, list[EvalSummaryOut]] = defaultdict(list)
    for summary in summaries:
        series[f"{summary.task} · {summary.phase}"].append(summary)
    fig = go.Figure()
    for name, points in series.items():
        points.sort(key=lambda s: s.step)
        fig.add_scatter(
            x=[p.step for p in points],
            y=[p.mean_score for p in points],
            mode="lines+markers",
            name=name,
            text=[f"n={p.n}" for p in points],
        )
    fig.update_layout(xaxis_title="step", yaxis_title="mean score")
    return tidy(fig, height=320)


def stage_durations(stages: Mapping[str, float]) -> go.Figure:
    """Horizontal bars: seconds per stage."""
    fig = go.Figure(go.Bar(x=list(stages.values()), y=list(stages), orientation="h"))
    fig.update_layout(xaxis_title="seconds", yaxis={"autorange": "reversed"})
    return tidy(fig, height=max(160, 28 * len(stages)))


def feedback_flags(events: Sequence[FeedbackEventOut]) -> go.Figure:
    """Events over time, stacked by quality flag (``ok`` for unflagged events)."""
    xs: dict[str, list[object]] = defaultdict(list)
    for event in events:
        for flag in event.quality_flags or ["ok"]:
            xs[flag].append(event.ts)
    fig = go.Figure()
    for flag in sorted(xs, key=lambda f: (f == "ok", f)):
        fig.add_histogram(x=xs[flag], name=flag, nbinsx=40)
    fig.update_layout(barmode="stack", xaxis_title="time", yaxis_title="events")
    return tidy(fig, height=300)


def feedback_redactions(events: Sequence[FeedbackEventOut]) -> go.Figure:
    """PII redactions over time (the sum of each event's redaction count per bin)."""
    fig = go.Figure(
        go.Histogram(
            x=[e.ts for e in events],
            y=[e.redactions for e in events],
            histfunc="sum",
            nbinsx=40,
            marker_color="#8e24aa",
            name="redactions",
        )
    )
    fig.update_layout(xaxis_title="time", yaxis_title="redactions")
    return tidy(fig, height=260)


def lineage(graph: LineageGraphOut, *, highlight: str | None = None) -> go.Figure:
    """The lineage DAG, left to right: each node's column is its longest path from a source.

    Args:
        graph: Nodes (``kind:id`` keys) and edges.
        highlight: A node key drawn larger (the deep-linked model version).
    """
    keys = [f"{n.kind}:{n.id}" for n in graph.nodes]
    parents: dict[str, list[str]] = defaultdict(list)
    for edge in graph.edges:
        parents[edge.dst].append(edge.src)
    depth: dict[str, int] = {}

    def column(key: str, seen: frozenset[str] = frozenset()) -> int:
        if key not in depth:
            ups = [p for p in parents.get(key, []) if p not in seen]
            depth[key] = 1 + max((column(p, seen | {key}) for p in ups), default=-1)
        return depth[key]

    rows: Counter[int] = Counter()
    position: dict[str, tuple[float, float]] = {}
    for key in keys:
        x = column(key)
        position[key] = (x, -rows[x])
        rows[x] += 1
    fig = go.Figure()
    for edge in graph.edges:
        (x0, y0), (x1, y1) = position[edge.src], position[edge.dst]
        fig.add_annotation(
            x=x1,
            y=y1,
            ax=x0,
            ay=y0,
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            showarrow=True,
            arrowhead=2,
            arrowsize=1.2,
            arrowcolor="#9e9e9e",
            standoff=12,
            startstandoff=12,
            hovertext=edge.relation,
        )
    by_kind: dict[str, list[int]] = defaultdict(list)
    for index, node in enumerate(graph.nodes):
        by_kind[node.kind].append(index)
    for kind, indexes in by_kind.items():
        nodes = [graph.nodes[i] for i in indexes]
        fig.add_scatter(
            x=[position[keys[i]][0] for i in indexes],
            y=[position[keys[i]][1] for i in indexes],
            mode="markers+text",
            name=kind,
            text=[n.label for n in nodes],
            textposition="top center",
            hovertext=[f"{n.kind} {n.id}" for n in nodes],
            hoverinfo="text",
            marker={
                "size": [22 if keys[i] == highlight else 14 for i in indexes],
                "color": KIND_COLOURS.get(kind, "#455a64"),
                "line": {"width": [3 if keys[i] == highlight else 0 for i in indexes]},
            },
        )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    height = max(260, 90 * (max(rows.values(), default=1) + 1))
    tidy(fig, height=height)
    # Room above the top row, so no label sits under plotly's toolbar.
    fig.update_layout(margin={"t": 60, "l": 40, "r": 40})
    return fig
