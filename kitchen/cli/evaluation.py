"""``kitchen eval``, ``kitchen tasks`` and ``kitchen compare``: benchmark tasks and paired
comparisons of two runs' evaluations. ``kitchen.cli.main`` mounts these commands."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from kitchen.cli.common import HomeOption, JsonOption, console, engine_client, friendly


@friendly
def eval_command(
    task: Annotated[str, typer.Argument(help="a task (see `kitchen tasks`) or a data file")],
    args: Annotated[
        list[str] | None,
        typer.Argument(help="[config.yaml] [key=value ...] (see `kitchen describe eval`)"),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="kitchen/tiny, models:/NAME@ALIAS, a folder, a hub id"),
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="first N samples")] = None,
    epochs: Annotated[int | None, typer.Option("--epochs", help="generations per sample")] = None,
    endpoint: Annotated[
        str | None, typer.Option("--endpoint", help="OpenAI-compatible base URL to evaluate")
    ] = None,
    judge: Annotated[str | None, typer.Option("--judge", help="grade with this model")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and print the plan")] = False,
    embedded: Annotated[
        bool, typer.Option("--embedded", help="Run in this process, never through an engine")
    ] = False,
    detach: Annotated[bool, typer.Option("--detach", help="Print the run id and return")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar")] = False,
    home: HomeOption = None,
) -> None:
    """Evaluate a model on a benchmark task; every scored sample lands in the store.

    The same as `kitchen run eval task=TASK …`: it goes through the engine's queue and shows
    up in the TUI; `kitchen compare RUN_A RUN_B` then compares two evaluations sample by sample.
    """
    options = {
        "model": model,
        "limit": limit,
        "epochs": epochs,
        "endpoint": endpoint,
        "judge": judge,
    }
    overrides = [f"task={task}"] + [f"{k}={v}" for k, v in options.items() if v is not None]
    from kitchen.cli.main import run_command

    run_command(
        args=["eval", *overrides, *(args or [])],
        dry_run=dry_run,
        embedded=embedded,
        detach=detach,
        quiet=quiet,
        home=home,
    )


@friendly
def tasks_command(
    name: Annotated[str | None, typer.Argument(help="Describe this task")] = None,
    as_json: JsonOption = False,
) -> None:
    """List the evaluation tasks, or describe one (options, defaults, data source)."""
    import dataclasses

    from kitchen.tasks.registry import describe_task, task_names

    infos = [describe_task(n) for n in ([name] if name else task_names())]
    if as_json:
        console.print_json(json.dumps([dataclasses.asdict(i) for i in infos], default=str))
        return
    for info in infos:
        console.print(f"[bold]{info.name:<12}[/] {info.description}", soft_wrap=True)
        if name:
            console.print(f"  source: {info.source}", soft_wrap=True)
            for option, default in info.options.items():
                console.print(f"  {option} = {default!r}", soft_wrap=True)


@friendly
def compare_command(
    run_a: str,
    run_b: str,
    task: Annotated[str | None, typer.Option("--task", help="when the runs share several")] = None,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """Compare two runs' evaluations sample by sample: which is better, by how much, how sure.

    0/1 scores get McNemar's test, others a paired t or Wilcoxon test; a paired bootstrap of
    the mean difference is shown beside it.
    """
    from kitchen.cli.render import print_score_comparison

    client = engine_client(home)
    if client is None:
        from kitchen.queries import score_comparison

        found = score_comparison(home, run_a, run_b, task=task)
    else:
        with client:
            found = client.compare_scores(run_a, run_b, task=task)
    if as_json:
        console.print_json(json.dumps(found))
    else:
        print_score_comparison(console, found)
