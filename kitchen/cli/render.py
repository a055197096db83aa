"""How the CLI draws plans, stage trees, outcomes and runs with rich."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from kitchen.config import type_label
from kitchen.display import short_id
from kitchen.launch import RunOutcome
from kitchen.recipes.base import Recipe
from kitchen.workflow import describe

_KIND_STYLE = {"loop": "bold magenta", "branch": "bold yellow", "parallel": "bold blue"}


def stage_tree(recipe: Recipe) -> Tree:
    """The recipe's workflow as a rich tree with each stage's requires → provides."""
    root = Tree(f"[bold]{recipe.name}[/] — {recipe.description}")
    parents: list[Tree] = [root]
    for line in describe(recipe.workflow):
        del parents[line.depth + 1 :]
        if line.stage is not None:
            req = ", ".join(line.stage.requires) or "—"
            prov = ", ".join(line.stage.provides) or "—"
            label = f"[green]{line.name}[/]  [dim]{req} → {prov}[/]"
        else:
            label = f"[{_KIND_STYLE[line.kind]}]{line.kind} {line.name}[/]"
        node = parents[-1].add(label)
        parents.append(node)
    return root


def config_table(config_type: type[BaseModel], values: BaseModel | None = None) -> Table:
    """Each config knob with its type, default (or value) and description."""
    table = Table(title="config", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("key", style="bold", no_wrap=True)
    table.add_column("type", max_width=22, overflow="fold")
    table.add_column("value" if values is not None else "default", no_wrap=True, max_width=22)
    table.add_column("description", style="dim")
    for name, info in config_type.model_fields.items():
        shown = (
            getattr(values, name)
            if values is not None
            else info.get_default(call_default_factory=True)
        )
        table.add_row(
            name,
            escape(type_label(info.annotation)),
            escape(repr(shown)),
            escape(info.description or ""),
        )
    return table


def print_describe(console: Console, recipe: Recipe) -> None:
    console.print(stage_tree(recipe))
    console.print(config_table(recipe.config_type))


def print_plan(console: Console, recipe: Recipe, config: BaseModel) -> None:
    console.print("[bold green]config is valid[/] — this is what would run:")
    console.print(stage_tree(recipe))
    console.print(config_table(type(config), config))


def print_outcome(console: Console, outcome: RunOutcome) -> None:
    """The end-of-run summary: status, loss, before/after eval, model version, next steps."""
    colour = {"succeeded": "green", "cancelled": "yellow"}.get(outcome.status, "red")
    table = Table(title=f"run {outcome.run_id}", show_header=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("status", f"[{colour}]{outcome.status}[/]")
    table.add_row("time", f"{outcome.duration_s:.1f} s")
    table.add_row("steps", str(outcome.steps))
    if outcome.tokens_seen:
        rate = outcome.tokens_seen / max(outcome.duration_s, 1e-9)
        table.add_row("tokens", f"{outcome.tokens_seen:,} ({rate:,.0f}/s overall)")
    if outcome.steps:
        table.add_row("final loss", f"{outcome.final_loss:.4f}")
    for key in sorted(set(outcome.baseline_metrics) | set(outcome.eval_metrics)):
        if key == "n" or key.endswith(_DETAIL_SUFFIXES):
            continue  # in the store and the report; the summary keeps the scores
        before = outcome.baseline_metrics.get(key)
        after = outcome.eval_metrics.get(key)
        show = _pct if _is_rate(key) else _num
        if before is None:
            table.add_row(f"eval {key}", show(after))
        else:
            table.add_row(f"held-out {key}", f"{show(before)} → {show(after)}")
    if outcome.model_version is not None:
        mv = outcome.model_version
        table.add_row("model", f"{mv.name} v{mv.version} (@latest)")
    console.print(table)
    if outcome.status in ("succeeded", "cancelled", "failed"):
        console.print(
            f"next: [bold]kitchen show {outcome.run_id}[/]   [bold]kitchen runs[/]"
            + (
                f"   [bold]kitchen run --resume {outcome.run_id}[/]"
                if outcome.status != "succeeded"
                else ""
            )
        )


# A task evaluation's bookkeeping metrics, left out of the end-of-run table.
_DETAIL_SUFFIXES = (
    "/n",
    "/epochs",
    "/stderr",
    "/input_tokens",
    "/output_tokens",
    "/mean_latency_s",
    "/output_tokens_per_s",
    "/samples_per_s",
)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


def _is_rate(key: str) -> bool:
    """Whether a metric is a share of samples (shown as a percentage)."""
    return key.endswith(("accuracy", "exact_match", "match", "rate", "pass@1")) or "@" in key


def _time(value: Any) -> str:
    """A timestamp (datetime, epoch seconds or ISO text) in local time, to the second."""
    if value is None or value == "":
        return "—"
    if isinstance(value, int | float):
        value = dt.datetime.fromtimestamp(value, tz=dt.UTC)
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return str(value)
    if isinstance(value, dt.datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return stamp.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def print_runs(console: Console, rows: list[dict[str, Any]]) -> None:
    if not rows:
        console.print("no runs yet — try [bold]kitchen run sft[/]")
        return
    table = Table(title="runs", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("id", no_wrap=True)
    for col in ("recipe", "status", "started", "time", "step", "loss", "eval"):
        table.add_column(col, no_wrap=True)
    colours = {"succeeded": "green", "failed": "red", "cancelled": "yellow", "running": "cyan"}
    for row in rows:
        loss, duration = row.get("loss"), row.get("duration_s")
        score, score_key = row.get("eval"), row.get("eval_key") or ""
        if not isinstance(score, int | float):
            shown = "—"
        else:
            shown = _pct(score) if _is_rate(score_key) else _num(score)
        status = row.get("status") or ""
        table.add_row(
            short_id(row["id"]),
            row.get("recipe") or "",
            f"[{colours.get(status, 'white')}]{status}[/]",
            _time(row.get("started_at"))[5:16],
            f"{duration:.0f}s" if isinstance(duration, int | float) else "—",
            str(row.get("last_step") or 0),
            f"{loss:.3f}" if isinstance(loss, int | float) else "—",
            shown,
        )
    console.print(table)


def print_run(console: Console, details: Mapping[str, Any]) -> None:
    run = details["run"]
    console.print(f"[bold]run {run['id']}[/]  {run.get('name') or ''}  [{run.get('status')}]")
    started, finished = _time(run.get("started_at")), _time(run.get("finished_at"))
    console.print(f"recipe {run.get('recipe')}  started {started}  finished {finished}")
    if run.get("error_message"):
        console.print(f"[red]{run.get('error_type')}: {run.get('error_message')}[/]")
    params = Table(title="params")
    params.add_column("key", style="bold")
    params.add_column("value")
    for key, value in sorted(details.get("params", {}).items()):
        params.add_row(key, repr(value))
    console.print(params)
    metrics = Table(title="final metrics")
    metrics.add_column("metric", style="bold")
    metrics.add_column("value")
    for key, value in sorted(details.get("metrics", {}).items()):
        metrics.add_row(key, f"{value:.6g}")
    console.print(metrics)
    if details.get("evals"):
        evals = Table(title="evaluations (kitchen compare / kitchen report for more)")
        for col in ("phase", "task", "step", "samples", "epochs", "mean score"):
            evals.add_column(col)
        for e in details["evals"]:
            evals.add_row(
                e["phase"],
                e["task"],
                str(e["step"]),
                str(e["n"]),
                str(e["epochs"]),
                f"{e['mean_score']:.4g}",
            )
        console.print(evals)
    artifacts = Table(title="artifacts")
    for col in ("kind", "name", "sha256", "size"):
        artifacts.add_column(col)
    for art in details.get("artifacts", []):
        artifacts.add_row(art["kind"], art["name"], art["sha256"][:12], f"{art['size_bytes']:,}")
    console.print(artifacts)
    lineage = details.get("lineage", [])
    names = {a["id"]: f"{a['kind']}/{a['name']}" for a in details.get("artifacts", [])}
    if lineage:
        console.print("[bold]lineage[/]")
        for edge in lineage:
            src = _node(edge["src_kind"], edge["src_id"], names)
            dst = _node(edge["dst_kind"], edge["dst_id"], names)
            console.print(f"  {src} —{edge['relation']}→ {dst}")
    for model in details.get("models", []):
        aliases = " ".join(f"@{a}" for a in model.get("aliases", []))
        console.print(f"[bold]model[/] {model['name']} v{model['version']} {aliases}")


def _node(kind: str, node_id: str, names: Mapping[str, str]) -> str:
    if kind == "artifact" and node_id in names:
        return f"artifact:{names[node_id]}"
    if kind == "run":
        return "this run"
    return f"{kind}:{node_id}"


def print_score_comparison(console: Console, found: dict[str, Any]) -> None:
    """``kitchen compare``: the two runs' scores, the test, the bootstrap and the verdict."""
    a, b, test, boot = found["run_a"], found["run_b"], found["test"], found["bootstrap"]
    table = Table(title=f"{found['task']}: {found['n']} shared samples", show_header=True)
    for column in ("", "run", "step", "mean score"):
        table.add_column(column)
    table.add_row("A", f"{a['name']} ({a['id']})", str(a["step"]), _num(found["mean_a"]))
    table.add_row("B", f"{b['name']} ({b['id']})", str(b["step"]), _num(found["mean_b"]))
    console.print(table)
    rows = Table(show_header=True)
    for column in ("test", "statistic", "p", "A − B", "95% CI", "effect"):
        rows.add_column(column)
    for result in (test, boot):
        ci = result.get("ci") or {}
        effect = result.get("effect_size") or {}
        rows.add_row(
            result["test"],
            _num(result["statistic"]),
            _p_text(result["p_value"]),
            _num(result.get("estimate")),
            f"{_num(ci.get('low'))} to {_num(ci.get('high'))}" if ci else "–",
            f"{effect['name']} = {_num(effect['value'])} ({effect['interpretation']})"
            if effect
            else "–",
        )
    console.print(rows)
    if found.get("discordant"):
        only_a, only_b = found["discordant"]
        console.print(f"only A right: {only_a}   only B right: {only_b}")
    console.print(f"[bold]{found['verdict']}[/]", soft_wrap=True)


def _p_text(p: float | None) -> str:
    if p is None:
        return "–"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"
