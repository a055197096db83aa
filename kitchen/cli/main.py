"""``kitchen``: run recipes, list and inspect runs.

Each command imports what it needs when it runs, so ``kitchen --help`` starts fast and never
imports torch. Every :class:`~kitchen.errors.KitchenError` ends as a one-paragraph message and
its own exit code, never a traceback.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Annotated, Any

import typer

from kitchen.cli import evaluation
from kitchen.cli.common import (
    HomeOption,
    JsonOption,
    console,
    err_console,
    fail,
    friendly,
)
from kitchen.cli.common import auto_engine_client as _auto_engine_client
from kitchen.cli.common import engine_client as _engine_client
from kitchen.cli.report import report_command

app = typer.Typer(
    name="kitchen",
    help="Train and evaluate language models locally; every result lands in one store.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


engine_app = typer.Typer(
    help="The engine service: the one process that owns this home's store.",
    no_args_is_help=True,
)
app.add_typer(engine_app, name="engine")


def _mount_subcommands() -> None:
    # Sub-apps live in their own modules, which import nothing heavy at load time.
    from kitchen.cli.attack import attack_app
    from kitchen.cli.demo import demo_app
    from kitchen.cli.drift import drift_app
    from kitchen.cli.experiment import experiment_app
    from kitchen.cli.explain import explain_app
    from kitchen.cli.feedback import feedback_app

    app.add_typer(experiment_app, name="experiment")
    app.add_typer(feedback_app, name="feedback")
    app.add_typer(drift_app, name="drift")
    app.add_typer(attack_app, name="attack")
    app.add_typer(explain_app, name="explain")
    app.add_typer(demo_app, name="demo")


_mount_subcommands()


@app.command("run")
@friendly
def run_command(
    args: Annotated[
        list[str] | None,
        typer.Argument(help="RECIPE [config.yaml] [key=value ...]", show_default=False),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and print the plan")] = False,
    resume: Annotated[str | None, typer.Option("--resume", help="Resume run ID")] = None,
    embedded: Annotated[
        bool,
        typer.Option(
            "--embedded",
            help="Run in this process, never through an engine (refused while one serves the home)",
        ),
    ] = False,
    detach: Annotated[
        bool, typer.Option("--detach", help="With an engine: print the run id and return")
    ] = False,
    priority: Annotated[
        int, typer.Option("--priority", help="With an engine: higher runs first")
    ] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar")] = False,
    home: HomeOption = None,
) -> None:
    """Run a recipe headless with a progress bar; the exit code says how it ended.

    The run is submitted to the engine serving the home, which is started in the background
    (exiting after $KITCHEN_ENGINE_IDLE idle seconds, default 300) when none does; a config
    file's values and relative paths travel with it. --embedded runs it in this process.
    """
    from kitchen.cli.render import print_outcome, print_plan
    from kitchen.errors import ConfigError

    recipe_name, config_file, overrides = _split_run_args(args or [])
    if resume is None and recipe_name is None:
        raise ConfigError("name a recipe (see `kitchen recipes`) or pass --resume RUN_ID")
    if dry_run:
        from kitchen.launch import plan

        if recipe_name is None:
            raise ConfigError("--dry-run needs a recipe name")
        recipe, config = plan(recipe_name, config_file=config_file, overrides=overrides)
        print_plan(console, recipe, config)
        return
    from kitchen.cli.progress import ProgressView

    view = ProgressView(err_console, quiet=quiet)
    client = None if embedded else _engine_client(home)
    if client is None and not embedded:
        client = _auto_engine_client(home, recipe_name, overrides, config_file)
    if client is not None:
        from kitchen.cli.attached import run_attached
        from kitchen.config import load_yaml

        with client:
            result = run_attached(
                client,
                recipe=recipe_name,
                config=load_yaml(config_file) if config_file is not None else None,
                overrides=overrides,
                resume=resume,
                priority=priority,
                detach=detach,
                view=view,
                err_console=err_console,
            )
        if isinstance(result, str):
            console.print(result)
            return
        print_outcome(console, result)
        if result.error is not None:
            raise fail(result.error)
        return
    if detach:
        raise ConfigError("--detach needs the engine; it cannot go with --embedded")
    from kitchen.context import CancelToken
    from kitchen.launch import run

    cancel = CancelToken()
    previous = signal.getsignal(signal.SIGINT)

    def on_interrupt(signum: int, frame: Any) -> None:
        # First Ctrl-C: stop at the next stage boundary (keeps the last checkpoint);
        # a second one aborts at once.
        if cancel.cancelled:
            signal.signal(signal.SIGINT, previous)
            raise KeyboardInterrupt
        err_console.print(
            "[yellow]cancelling at the next stage boundary (Ctrl-C again to abort)[/]"
        )
        cancel.cancel("cancelled with Ctrl-C")

    signal.signal(signal.SIGINT, on_interrupt)
    try:
        outcome = run(
            recipe_name,
            config_file=config_file,
            overrides=overrides,
            resume=resume,
            home=home,
            subscribers=(view,),
            cancel=cancel,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    print_outcome(console, outcome)
    if outcome.error is not None:
        raise fail(outcome.error)


def _split_run_args(args: list[str]) -> tuple[str | None, Path | None, list[str]]:
    recipe: str | None = None
    config_file: Path | None = None
    overrides: list[str] = []
    for arg in args:
        if "=" in arg:
            overrides.append(arg)
        elif arg.endswith((".yaml", ".yml")) and config_file is None:
            config_file = Path(arg)
        elif recipe is None:
            recipe = arg
        else:
            from kitchen.errors import ConfigError

            raise ConfigError(
                f"unexpected argument '{arg}': overrides look like key=value, "
                "config files end in .yaml"
            )
    return recipe, config_file, overrides


# Evaluation commands live in their own module; mounted here to keep their place in --help.
app.command("eval")(evaluation.eval_command)
app.command("tasks")(evaluation.tasks_command)
app.command("compare")(evaluation.compare_command)
app.command("report")(report_command)


@app.command("recipes")
@friendly
def recipes_command(as_json: JsonOption = False) -> None:
    """List the recipes."""
    from kitchen.recipes import recipe_names

    names = recipe_names()
    if as_json:
        console.print_json(json.dumps([{"name": n, "description": d} for n, d in names.items()]))
        return
    for name, description in names.items():
        console.print(f"[bold]{name:<12}[/] {description}")


@app.command("describe")
@friendly
def describe_command(recipe: str, as_json: JsonOption = False) -> None:
    """Show a recipe's stage tree and its config knobs."""
    from kitchen.cli.render import print_describe
    from kitchen.recipes import get_recipe
    from kitchen.recipes.base import describe_json

    found = get_recipe(recipe)
    if as_json:
        console.print_json(json.dumps(describe_json(found), default=str))
    else:
        print_describe(console, found)


@app.command("runs")
@friendly
def runs_command(
    limit: Annotated[int, typer.Option(help="Show at most this many runs")] = 20,
    status: Annotated[str | None, typer.Option(help="Only runs with this status")] = None,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """List runs, newest first."""
    from kitchen.cli.render import print_runs

    rows = _list_runs(home, limit=limit, status=status)
    if as_json:
        console.print_json(json.dumps(rows, default=str))
    else:
        print_runs(console, rows)


@app.command("show")
@friendly
def show_command(run_id: str, as_json: JsonOption = False, home: HomeOption = None) -> None:
    """Show one run: params, final metrics, artifacts and lineage."""
    from kitchen.cli.render import print_run

    details = _run_details(home, run_id)
    if as_json:
        console.print_json(json.dumps(details, default=str))
    else:
        print_run(console, details)


def _control(home: Path | None, action: str, run_id: str) -> None:
    """Ask the engine serving ``home`` (started if none does) to act on a run."""
    from kitchen.engine.client import EngineClient
    from kitchen.engine.server import ensure_engine

    with EngineClient(ensure_engine(home)) as client:
        if action == "delete":
            client.delete(run_id)
            console.print(f"run {run_id} deleted")
            return
        out = getattr(client, action)(run_id)
    console.print(f"run {out.run_id} {out.status}")


@app.command("cancel")
@friendly
def cancel_command(run_id: str, home: HomeOption = None) -> None:
    """Cancel a run: a queued one at once, a running one at its next stage boundary."""
    _control(home, "cancel", run_id)


@app.command("pause")
@friendly
def pause_command(run_id: str, home: HomeOption = None) -> None:
    """Pause a run: it checkpoints at its next loop boundary and frees its slot and GPU."""
    _control(home, "pause", run_id)


@app.command("resume")
@friendly
def resume_command(run_id: str, home: HomeOption = None) -> None:
    """Queue a paused, cancelled, failed or interrupted run to go on from its checkpoint.

    `kitchen run --resume ID` does the same and follows the run with a progress bar.
    """
    _control(home, "resume", run_id)


@app.command("rm")
@friendly
def delete_command(run_id: str, home: HomeOption = None) -> None:
    """Delete a finished run with its metrics and logs (kept if a model version came from it)."""
    _control(home, "delete", run_id)


@engine_app.command("start")
@friendly
def engine_start_command(
    idle_timeout: Annotated[
        float | None, typer.Option("--idle-timeout", help="Exit after this many idle seconds")
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0: any free one)")] = 0,
    allow_remote: Annotated[
        bool, typer.Option("--allow-remote", help="Allow a non-loopback --host")
    ] = False,
    foreground: Annotated[
        bool, typer.Option("--foreground", help="Serve in this process until Ctrl-C")
    ] = False,
    slots: Annotated[int, typer.Option("--slots", min=1, help="Runs executed at once")] = 1,
    grace: Annotated[
        float, typer.Option("--grace", help="Seconds a cancelled run gets before it is killed")
    ] = 30.0,
    home: HomeOption = None,
) -> None:
    """Start the engine for this home (in the background unless --foreground)."""
    from kitchen.engine import server

    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "idle_timeout": idle_timeout,
        "allow_remote": allow_remote,
        "slots": slots,
        "grace_s": grace,
    }
    if foreground:
        server.serve(home, **options)
        return
    info = server.start_background(home, **options)
    console.print(f"engine {info.pid} serves {info.store} on {info.url}", soft_wrap=True)


@engine_app.command("stop")
@friendly
def engine_stop_command(home: HomeOption = None) -> None:
    """Stop the engine serving this home."""
    from kitchen.engine.server import stop

    info = stop(home)
    if info is None:
        console.print("no engine is running for this home")
    else:
        console.print(f"engine {info.pid} on {info.address} stopped")


@engine_app.command("status")
@friendly
def engine_status_command(as_json: JsonOption = False, home: HomeOption = None) -> None:
    """Show whether an engine serves this home, and where. Exit code 1 when none does."""
    client = _engine_client(home)
    if client is None:
        if as_json:
            console.print_json(json.dumps({"running": False}))
        else:
            console.print("no engine is running for this home")
        raise typer.Exit(1)
    with client:
        health = client.health()
    info = client.info
    if as_json:
        data = {"running": True, "url": info.url, **health.model_dump()}
        console.print_json(json.dumps(data))
        return
    console.print(
        f"engine {health.pid} serves {health.store} on {info.url} "
        f"(up {health.uptime_s:.0f}s, {health.subscribers} live streams)",
        soft_wrap=True,
    )


def _list_runs(home: Path | None, *, limit: int, status: str | None) -> list[dict[str, Any]]:
    from kitchen.queries import CLI_SUMMARY_KEYS, list_runs, row_dict

    client = _engine_client(home)
    if client is None:
        return list_runs(home, limit=limit, status=status)
    with client:
        rows = client.runs(limit=limit, status=status, summary_keys=CLI_SUMMARY_KEYS)
    return [row_dict(row) for row in rows]


def _run_details(home: Path | None, run_id: str) -> dict[str, Any]:
    from kitchen.queries import run_details

    client = _engine_client(home)
    if client is None:
        return run_details(home, run_id)
    with client:
        details: dict[str, Any] = client.run(run_id).model_dump(mode="json")
    return details


def main() -> None:  # pragma: no cover - console entry for `python -m kitchen`
    app()


PLUGIN_GROUP = "kitchen.cli"


def _load_plugins() -> None:
    """Add the commands other packages register (``kitchen tui`` from ``ui``).

    ``kitchen`` may not import its UIs (they sit above it), so they plug in through the
    ``kitchen.cli`` entry-point group: each entry is a ``register(app)`` function.
    """
    from importlib.metadata import entry_points

    for entry in entry_points(group=PLUGIN_GROUP):
        try:
            entry.load()(app)
        except Exception as error:  # a broken plugin must not take the CLI down
            err_console.print(f"[yellow]kitchen: plugin {entry.name!r} not loaded: {error}[/]")


_load_plugins()
