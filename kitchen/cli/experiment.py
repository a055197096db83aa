"""``kitchen experiment``: run a batch of conditions × seeds through the engine and compare them.

``run FILE`` validates every run's config, prints the plan and a time estimate, queues the
runs on the engine (started if none serves the home), follows them, retries failures with
backoff and ends with the comparison. Running it again, or ``resume NAME``, picks up where it
stopped: the store is the experiment's state. ``status NAME`` works without the file.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from kitchen.cli.common import HomeOption, JsonOption, console, err_console, friendly

if TYPE_CHECKING:
    from kitchen.experiments.plan import PlannedRun
    from kitchen.experiments.policy import Slot
    from kitchen.experiments.runner import RunnerEvent, RunnerResult
    from kitchen.experiments.source import ExperimentSource
    from kitchen.experiments.spec import ExperimentSpec

experiment_app = typer.Typer(
    help="Batch experiments: conditions × seeds of a recipe, retried, resumable, compared.",
    no_args_is_help=True,
)


@experiment_app.command("run")
@friendly
def run_command(
    file: Annotated[Path, typer.Argument(help="Experiment spec (YAML)", show_default=False)],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate, print the plan and estimate; queue nothing")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before queueing")] = False,
    detach: Annotated[
        bool, typer.Option("--detach", help="Queue the runs and return without following")
    ] = False,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """Run (or carry on) the experiment in FILE through the engine's queue."""
    from kitchen.experiments.spec import load_spec

    spec = load_spec(file)
    _execute(spec, str(file), os.getcwd(), dry_run, yes, detach, as_json, home)


@experiment_app.command("resume")
@friendly
def resume_command(
    target: Annotated[str, typer.Argument(help="Experiment name or spec file")],
    detach: Annotated[bool, typer.Option("--detach", help="Queue and return")] = False,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """Carry on an experiment: skip what succeeded, follow what runs, retry the rest."""
    from kitchen.experiments.records import read_record
    from kitchen.experiments.spec import load_spec
    from kitchen.home import kitchen_home

    path = Path(target)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        _execute(load_spec(path), str(path), os.getcwd(), False, True, detach, as_json, home)
        return
    record = read_record(kitchen_home(home), target)
    workdir = record.workdir or os.getcwd()
    _execute(record.spec, record.source, workdir, False, True, detach, as_json, home)


@experiment_app.command("status")
@friendly
def status_command(name: str, as_json: JsonOption = False, home: HomeOption = None) -> None:
    """Per condition: runs done, running, queued, failed and dead-lettered; the metric so far."""
    from kitchen.experiments.analysis import analyze
    from kitchen.experiments.plan import condition_names
    from kitchen.experiments.policy import slots

    spec, runs = _load(home, name)
    keys = [(c, s) for c in condition_names(spec) for s in spec.seeds]
    table = _status_rows(slots(keys, runs, spec.retries))
    analysis = analyze(spec, runs)
    for row, summary in zip(table, analysis.conditions, strict=True):
        row.update(n=summary.n, mean=summary.mean, std=summary.std)
        row["ci"] = None if summary.ci is None else [summary.ci.low, summary.ci.high]
    if as_json:
        body = {"experiment": name, "metric": spec.metric, "conditions": table}
        body["dead_letter"] = analysis.to_dict()["dead_letter"]
        console.print_json(json.dumps(body, default=str))
        return
    _print_status(spec, table)
    for dead in analysis.dead_letter:
        console.print(f"[red]dead letter[/] {dead.condition}@s{dead.seed}: {dead.reason}")


@experiment_app.command("report")
@friendly
def report_command(name: str, as_json: JsonOption = False, home: HomeOption = None) -> None:
    """The comparison: summaries, omnibus and pairwise tests, the best condition."""
    from kitchen.experiments.analysis import analyze, render_text

    spec, runs = _load(home, name)
    analysis = analyze(spec, runs)
    if as_json:
        console.print_json(json.dumps(analysis.to_dict(), default=str))
    else:
        console.print(render_text(analysis), highlight=False, markup=False, soft_wrap=True)


# -- helpers -----------------------------------------------------------------------------------


def _load(home: Path | None, name: str) -> tuple[Any, Any]:
    """The spec and runs of ``name``: through the engine when one serves the home."""
    from kitchen.cli.common import engine_client as _engine_client
    from kitchen.experiments.source import load_experiment
    from kitchen.queries import reading

    client = _engine_client(home)
    if client is not None:
        with client:
            return load_experiment(client, name)
    with reading(home) as store:
        if store is None:
            from kitchen.experiments.records import read_record
            from kitchen.home import kitchen_home

            return read_record(kitchen_home(home), name).spec, []
        return load_experiment(store, name)


def _status_rows(slot_list: list[Slot]) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for slot in slot_list:
        row = rows.setdefault(
            slot.condition,
            {"condition": slot.condition, "done": 0, "running": 0, "queued": 0, "failed": 0},
        )
        row.setdefault("dead", 0)
        row.setdefault("to_run", 0)
        latest = slot.latest
        if slot.state == "succeeded":
            row["done"] += 1
        elif slot.state == "dead":
            row["dead"] += 1
        elif slot.state in ("retry", "resume"):
            row["failed"] += 1
        elif slot.state == "active" and latest is not None:
            row["running" if latest.status == "running" else "queued"] += 1
        else:
            row["to_run"] += 1
    return list(rows.values())


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


def _print_status(spec: ExperimentSpec, table: list[dict[str, Any]]) -> None:
    from rich.table import Table

    grid = Table(title=f"{spec.name}: {spec.metric} ({spec.goal})", title_justify="left")
    for column in ("condition", "done", "running", "queued", "failed", "dead", "to run", "mean"):
        grid.add_column(column, justify="left" if column == "condition" else "right")
    grid.add_column("95% CI")
    for row in table:
        ci = "—" if row["ci"] is None else f"[{_fmt(row['ci'][0])}, {_fmt(row['ci'][1])}]"
        mean = _fmt(row["mean"]) + ("" if row["std"] is None else f" ± {_fmt(row['std'])}")
        grid.add_row(
            row["condition"],
            *(str(row[k]) for k in ("done", "running", "queued", "failed", "dead", "to_run")),
            mean,
            ci,
            end_section=False,
        )
    console.print(grid)


def _execute(
    spec: ExperimentSpec,
    source_file: str,
    workdir: str,
    dry_run: bool,
    yes: bool,
    detach: bool,
    as_json: bool,
    home: Path | None,
) -> None:
    """Check, plan, estimate, then queue and follow the experiment."""
    from kitchen.cli.common import auto_engine_client as _auto_engine_client
    from kitchen.cli.common import engine_client as _engine_client
    from kitchen.experiments.plan import check_plan, expand
    from kitchen.experiments.source import EngineSource
    from kitchen.home import kitchen_home

    root = kitchen_home(home)
    planned = expand(spec)
    resolved = check_plan(spec, planned)  # every condition's config, before anything is queued
    out = err_console if as_json else console
    if dry_run:
        client = _engine_client(home)
        if client is not None:
            with client:
                _print_plan(out, spec, planned, EngineSource(client, root), resolved)
            return
        from kitchen.queries import reading

        with reading(home) as store:
            from kitchen.experiments.source import StoreSource

            _print_plan(out, spec, planned, StoreSource(store) if store else None, resolved)
        return
    with _auto_engine_client(home, None, [], None) as client:
        engine = EngineSource(client, root)
        slots_now, estimate = _print_plan(out, spec, planned, engine, resolved)
        if not yes and sys.stdin.isatty() and not as_json:
            typer.confirm("queue these runs?", abort=True)
        from kitchen.experiments.records import SpecRecord, save_record

        save_record(root, SpecRecord(spec, workdir, source_file))
        result = _follow(out, spec, planned, engine, client, workdir, detach, slots_now, estimate)
    _finish(out, spec, result, source_file, as_json, home, detach)


def _print_plan(
    out: Console,
    spec: ExperimentSpec,
    planned: list[PlannedRun],
    source: ExperimentSource | None,
    resolved: dict[tuple[str, int], dict[str, Any]],
) -> tuple[int, Any]:
    from kitchen.experiments.estimate import estimate
    from kitchen.experiments.plan import conditions
    from kitchen.experiments.policy import slots
    from kitchen.experiments.source import metric_keys

    runs = source.experiment_runs(spec.name, metric_keys(spec)) if source else []
    slot_list = slots([p.key for p in planned], runs, spec.retries)
    todo_keys = {
        (s.condition, s.seed) for s in slot_list if s.state in ("pending", "retry", "resume")
    }
    free = (source.free_slots() if source else None) or 1
    if spec.max_parallel:
        free = min(free, spec.max_parallel)
    history = source.history(spec.recipe, 100) if source else []
    todo = [p for p in planned if p.key in todo_keys]
    guess = estimate(todo, history, free, resolved=resolved)
    conds = conditions(spec)
    out.print(
        f"experiment [bold]{spec.name}[/]: {spec.recipe}, {len(conds)} conditions × "
        f"{len(spec.seeds)} seeds = {len(planned)} runs; metric {spec.metric} ({spec.goal})",
        soft_wrap=True,
    )
    for name, overrides in conds:
        values = " ".join(f"{k}={v}" for k, v in overrides.items()) or "(base)"
        out.print(f"  {name}: {values}", soft_wrap=True, highlight=False, markup=False)
    done = sum(1 for s in slot_list if s.state == "succeeded")
    active = sum(1 for s in slot_list if s.state == "active")
    dead = sum(1 for s in slot_list if s.state == "dead")
    if runs:
        out.print(
            f"found in the store: {done} succeeded, {active} queued or running, {dead} "
            f"dead-lettered; {len(todo)} to queue",
            soft_wrap=True,
        )
    out.print(f"estimate: {guess.describe()}", soft_wrap=True, highlight=False)
    return free, guess


def _follow(
    out: Console,
    spec: ExperimentSpec,
    planned: list[PlannedRun],
    source: ExperimentSource,
    client: Any,
    workdir: str,
    detach: bool,
    slots_now: int,
    estimate: Any,
) -> RunnerResult | None:
    from kitchen.experiments.runner import ExperimentRunner

    printer = _EventPrinter(out, spec, len(planned))
    runner = ExperimentRunner(
        spec,
        planned,
        source,
        client,
        workdir=workdir,
        on_event=printer,
        poll_s=float(os.environ.get("KITCHEN_EXPERIMENT_POLL_S", "1.0")),
        slots=slots_now,
        need_estimate=estimate.total_s is None,
    )
    try:
        return runner.run(follow=not detach)
    except KeyboardInterrupt:
        out.print(
            f"\n[yellow]stopped following; queued and running runs stay in the engine's queue. "
            f"`kitchen experiment resume {spec.name}` follows them again.[/]",
            soft_wrap=True,
        )
        return None


class _EventPrinter:
    """Prints one status line per runner event."""

    def __init__(self, out: Console, spec: ExperimentSpec, total: int) -> None:
        self.out = out
        self.spec = spec
        self.total = total
        self.done = 0

    def __call__(self, event: RunnerEvent) -> None:
        from kitchen.experiments.estimate import format_duration
        from kitchen.experiments.runner import (
            DeadLettered,
            EstimateUpdated,
            Finished,
            Resumed,
            RetryScheduled,
            Submitted,
        )

        if isinstance(event, Submitted):
            self.out.print(
                f"{'queued':<10}{event.condition}@s{event.seed}#{event.attempt}  {event.run_id}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        elif isinstance(event, Finished):
            run = event.run
            took = f" in {format_duration(run.duration_s)}" if run.duration_s else ""
            if run.status == "succeeded":
                self.done += 1
                value = run.metrics.get(self.spec.metric)
                shown = "—" if value is None else f"{value:.4g}"
                detail = f"{self.spec.metric} = {shown}"
            else:
                detail = run.error or ""
            self.out.print(
                f"{run.status:<10}{run.condition}@s{run.seed}#{run.attempt}{took}  {detail}  "
                f"[{self.done}/{self.total} done]",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        elif isinstance(event, Resumed):
            self.out.print(
                f"{'resumed':<10}{event.condition}@s{event.seed}#{event.attempt}  {event.run_id} "
                "goes on from its checkpoint",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        elif isinstance(event, RetryScheduled):
            what = (
                f"resumes {event.resume_run} from its checkpoint"
                if event.resume_run
                else f"as attempt {event.attempt}"
            )
            why = f" ({event.resume_refused})" if event.resume_refused else ""
            self.out.print(
                f"{'retry':<10}{event.condition}@s{event.seed} {what} in "
                f"{format_duration(event.delay_s)}{why}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        elif isinstance(event, DeadLettered):
            self.out.print(
                f"{'dead':<10}{event.condition}@s{event.seed}: {event.reason}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        elif isinstance(event, EstimateUpdated):
            self.out.print(f"estimate: {event.estimate.describe()}", highlight=False)


def _finish(
    out: Console,
    spec: ExperimentSpec,
    result: RunnerResult | None,
    source_file: str,
    as_json: bool,
    home: Path | None,
    detach: bool,
) -> None:
    """Print the outcome (the comparison once everything ended); exit 1 on dead letters."""
    from kitchen.experiments.analysis import analyze, render_text

    if result is None:
        raise typer.Exit(130)
    spec_, runs = _load(home, spec.name)
    analysis = analyze(spec_, runs)
    refused = [f"{c}@s{s}: {m}" for (c, s), m in result.refused.items()]
    if as_json:
        body = {
            "experiment": spec.name,
            "finished": result.finished,
            "refused": refused,
            "analysis": analysis.to_dict(),
        }
        console.print_json(json.dumps(body, default=str))
    elif detach and not result.finished:
        out.print(
            f"queued; follow with `kitchen experiment resume {spec.name}`, "
            f"see `kitchen experiment status {spec.name}`",
            soft_wrap=True,
        )
        return
    else:
        out.print(render_text(analysis), highlight=False, markup=False, soft_wrap=True)
        for line in refused:
            out.print(f"refused by the engine: {line}", highlight=False, soft_wrap=True)
    if analysis.dead_letter or refused:
        raise typer.Exit(1)
