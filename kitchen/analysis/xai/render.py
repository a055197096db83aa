"""Terminal rendering of stored explanations and attribution drift (rich).

Works on the stored JSON (the analysis row and its result), not on live objects, so
``kitchen explain show`` needs neither shap nor torch. Text explanations print each token on a
background whose colour says the sign (green for the explained class, red against) and whose
strength says |attribution| relative to the example's largest.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from kitchen.analysis.xai.drift import AttributionDrift


def print_analysis(console: Console, row: Mapping[str, Any], result: Any, *, top: int = 10) -> None:
    """The analysis header, its checks, its top features and (text) coloured examples."""
    params = _json(row.get("params_json", row.get("params", {})))
    method = params.get("method", "?")
    version = row.get("model_version")
    model = f"{row.get('model_name')}" + (f" v{version}" if version is not None else "")
    console.print(
        f"[bold]{row.get('name')}[/] ({row.get('kind')} {method}) on {model}"
        f"  seed {row.get('seed')}  run {row.get('run_id') or '-'}",
        soft_wrap=True,
    )
    if not isinstance(result, Mapping):
        console.print("[dim]no stored result[/]")
        return
    if "curves" in result:
        _print_pdp(console, result)
        return
    if result.get("background"):
        bg = result["background"]
        console.print(f"background: {bg['description']} (sha256 {bg['sha256'][:12]})")
    checks = result.get("checks") or {}
    if checks:
        console.print(
            "checks: " + ", ".join(f"{k} {_fmt(v)}" for k, v in sorted(checks.items())),
            soft_wrap=True,
        )
    table = Table("feature", "mean |attribution|", title=f"top {top} features")
    for name, value in list((result.get("global_importance") or {}).items())[:top]:
        table.add_row(str(name), _fmt(value))
    console.print(table)
    examples = result.get("examples") or []
    if examples and examples[0].get("text") is not None:
        for example in examples[:top]:
            console.print(token_line(example))


def token_line(example: Mapping[str, Any]) -> Text:
    """One text example: ``[target p=…]`` then its tokens coloured by attribution."""
    values = [0.0 if v is None else float(v) for v in example["values"]]
    scale = max((abs(v) for v in values), default=0.0) or 1.0
    line = Text()
    output = example.get("output")
    line.append(f"[class {example.get('target')}" + (f" p={output:.3f}] " if output else "] "))
    for token, value in zip(example["features"], values, strict=True):
        if token in ("", "[CLS]", "[SEP]", "[PAD]"):
            continue
        strength = int(40 + 160 * abs(value) / scale)
        colour = f"rgb(0,{strength},0)" if value > 0 else f"rgb({strength},0,0)"
        style = f"on {colour}" if abs(value) > 0.05 * scale else ""
        line.append(token.strip(), style=style)
        line.append(" ")
    return line


def print_drift(console: Console, drift: AttributionDrift, analysis_id: str) -> None:
    """The drift figures and the features whose share of importance moved most."""
    console.print(
        f"attribution drift {analysis_id}: spearman {_fmt(drift.spearman)}, "
        f"kendall {_fmt(drift.kendall)}, top-{drift.top_k} overlap {drift.top_k_overlap:.2f}, "
        f"L1 {drift.l1_distance:.3f}"
        + (
            f", per-example spearman {drift.per_example_spearman:.3f}"
            if drift.per_example_spearman is not None
            else ""
        ),
        soft_wrap=True,
    )
    table = Table("feature", "share before", "share after", title="moved most")
    for item in drift.changed:
        table.add_row(str(item["feature"]), _fmt(item["before"]), _fmt(item["after"]))
    console.print(table)


def _print_pdp(console: Console, result: Mapping[str, Any]) -> None:
    table = Table("feature", "grid", "PDP min", "PDP max", "ICE heterogeneity", title="PDP / ICE")
    for curve in result["curves"]:
        grid, average = curve["grid"], curve["average"]
        table.add_row(
            curve["feature"],
            f"{_fmt(grid[0])} … {_fmt(grid[-1])}",
            _fmt(min(average)),
            _fmt(max(average)),
            _fmt(curve["heterogeneity"]),
        )
    console.print(table)


def _json(value: Any) -> dict[str, Any]:
    loaded = json.loads(value) if isinstance(value, str) else value
    return dict(loaded or {})


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
