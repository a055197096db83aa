"""Plotly figures for the stored analyses: adversarial robustness and explanations.

Inputs are the JSON results the analysis modules store (``RobustnessReport.to_dict``,
``Explanation.to_dict``, ``PartialDependence.to_dict``, ``AttributionDrift.to_dict``) or the
matrix :func:`kitchen.analysis.adversary.robustness_matrix` builds from their summaries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from dashboard.charts import tidy
from kitchen.analysis.adversary.persist import RobustnessMatrix


def success_matrix(matrix: RobustnessMatrix) -> go.Figure:
    """Heatmap: attack success rate per attack (rows) and model version (columns)."""
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    for attack in matrix.attacks:
        row: list[float | None] = []
        labels: list[str] = []
        for version in matrix.versions:
            cell = matrix.cell(attack, version)
            rate = None if cell is None else cell.success_rate
            row.append(rate)
            labels.append("—" if rate is None else f"{rate:.0%}")
        z.append(row)
        text.append(labels)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[f"v{v}" for v in matrix.versions],
            y=list(matrix.attacks),
            text=text,
            texttemplate="%{text}",
            colorscale="Reds",
            zmin=0,
            zmax=1,
            colorbar={"title": "success"},
            hovertemplate="%{y} on %{x}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(xaxis_title="model version", yaxis={"autorange": "reversed"})
    return tidy(fig, height=max(240, 40 * len(matrix.attacks) + 120))


def drop_by_severity(report: Mapping[str, Any]) -> go.Figure:
    """Accuracy drop against severity, one line per attack of one report."""
    fig = go.Figure()
    for attack in report.get("attacks", []):
        levels = attack.get("levels", [])
        fig.add_scatter(
            x=[level["severity"] for level in levels],
            y=[level["accuracy_drop"] for level in levels],
            mode="lines+markers",
            name=attack["name"],
            text=[level.get("drop_severity") for level in levels],
            hovertemplate="severity %{x}: drop %{y:.3f} (%{text})",
        )
    fig.update_layout(xaxis_title="severity", yaxis_title="accuracy drop")
    return tidy(fig, height=340)


def importance_bars(importance: Mapping[str, float], *, top: int = 20) -> go.Figure:
    """Horizontal bars of the ``top`` largest global importances (mean |attribution|)."""
    items = sorted(importance.items(), key=lambda kv: -(kv[1] or 0.0))[:top]
    fig = go.Figure(
        go.Bar(
            x=[v for _, v in items],
            y=[k for k, _ in items],
            orientation="h",
            marker_color="#1565c0",
        )
    )
    fig.update_layout(xaxis_title="mean |attribution|", yaxis={"autorange": "reversed"})
    return tidy(fig, height=max(220, 24 * len(items) + 80))


def example_bars(features: Sequence[str], values: Sequence[float], *, top: int = 15) -> go.Figure:
    """Signed attribution bars of one example's ``top`` largest features."""
    order = sorted(range(len(values)), key=lambda i: -abs(values[i] or 0.0))[:top]
    fig = go.Figure(
        go.Bar(
            x=[values[i] for i in order],
            y=[features[i] for i in order],
            orientation="h",
            marker_color=["#c62828" if (values[i] or 0) >= 0 else "#1565c0" for i in order],
        )
    )
    fig.update_layout(xaxis_title="attribution", yaxis={"autorange": "reversed"})
    return tidy(fig, height=max(220, 24 * len(order) + 80))


def pdp_ice(curve: Mapping[str, Any], *, max_lines: int = 60) -> go.Figure:
    """One feature's ICE lines (thin, grey; at most ``max_lines``) under its PDP (thick)."""
    fig = go.Figure()
    grid = curve["grid"]
    for index, line in enumerate(curve.get("individual", [])[:max_lines]):
        fig.add_scatter(
            x=grid,
            y=line,
            mode="lines",
            line={"color": "rgba(90,90,90,0.45)", "width": 1},
            name="ICE",
            legendgroup="ice",
            showlegend=index == 0,
            hoverinfo="skip",
        )
    fig.add_scatter(
        x=grid, y=curve["average"], mode="lines", line={"color": "#c62828", "width": 3}, name="PDP"
    )
    fig.update_layout(xaxis_title=curve["feature"], yaxis_title="model response")
    return tidy(fig, height=320)


def importance_shift(changed: Sequence[Mapping[str, Any]]) -> go.Figure:
    """Grouped bars: each feature's normalised importance before and after."""
    names = [c["feature"] for c in changed]
    fig = go.Figure()
    fig.add_bar(x=names, y=[c["before"] for c in changed], name="before", marker_color="#90a4ae")
    fig.add_bar(x=names, y=[c["after"] for c in changed], name="after", marker_color="#c62828")
    fig.update_layout(barmode="group", yaxis_title="share of importance")
    return tidy(fig, height=320)


def drift_timeline(points: Sequence[Mapping[str, Any]], *, threshold: float | None) -> go.Figure:
    """Share of drifted features per stored check over the end of its window; red markers
    for the checks that drifted, the window-level threshold as a dashed line.

    Args:
        points: ``{"when", "share", "drifted", "name"}`` per check.
        threshold: The share at which a window drifts.
    """
    fig = go.Figure(
        go.Scatter(
            x=[p["when"] for p in points],
            y=[p["share"] for p in points],
            mode="lines+markers",
            marker={
                "size": 11,
                "color": ["#c62828" if p["drifted"] else "#2e7d32" for p in points],
            },
            text=[p["name"] for p in points],
            hovertemplate="%{text}<br>%{y:.0%} of features drifted<extra></extra>",
            name="drifted share",
        )
    )
    if threshold is not None:
        fig.add_hline(y=threshold, line_dash="dash", line_color="#9e9e9e")
    fig.update_layout(xaxis_title="end of the current window", yaxis_title="drifted share")
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%")
    return tidy(fig, height=280)


def numeric_histograms(
    name: str, reference: Sequence[float], current: Sequence[float]
) -> go.Figure:
    """Reference and current values of one numeric feature as overlaid density histograms
    (the reference is the sketch's reservoir sample; plotly bins both the same way)."""
    fig = go.Figure()
    for label, values, colour in (
        ("reference", reference, "#90a4ae"),
        ("current", current, "#c62828"),
    ):
        fig.add_histogram(
            x=list(values),
            name=label,
            histnorm="probability density",
            opacity=0.6,
            marker_color=colour,
            bingroup="shared",
            nbinsx=30,
        )
    fig.update_layout(barmode="overlay", xaxis_title=name, yaxis_title="density")
    return tidy(fig, height=300)


def category_bars(
    name: str, reference: Mapping[str, int], current: Sequence[str | None]
) -> go.Figure:
    """Reference category frequencies (from the sketch) beside the current window's."""
    total = sum(reference.values()) or 1
    fig = go.Figure()
    fig.add_bar(
        x=list(reference),
        y=[count / total for count in reference.values()],
        name="reference",
        marker_color="#90a4ae",
    )
    fig.add_histogram(
        x=[c if c is not None else "(missing)" for c in current],
        histnorm="probability",
        name="current",
        marker_color="#c62828",
    )
    fig.update_layout(barmode="group", xaxis_title=name, yaxis_title="share")
    return tidy(fig, height=300)


def embedding_drift(rows: Sequence[Mapping[str, Any]]) -> go.Figure:
    """Centroid cosine distance and squared MMD per text feature (embeddings)."""
    names = [r["name"] for r in rows]
    fig = go.Figure()
    fig.add_bar(
        x=names,
        y=[r["statistics"].get("centroid_distance") for r in rows],
        name="centroid distance",
        marker_color="#1565c0",
    )
    fig.add_bar(
        x=names, y=[r["statistics"].get("mmd2") for r in rows], name="MMD²", marker_color="#c62828"
    )
    fig.update_layout(barmode="group", yaxis_title="distance")
    return tidy(fig, height=280)
