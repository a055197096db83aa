"""``kitchen attack``: run the ``attack`` recipe and show robustness per model version.

``run`` is a thin front for ``kitchen run attack …`` (through the engine, or ``--embedded``);
``matrix`` reads the stored ``adversary`` analyses of one model (through the engine when one
serves the home, else the store read-only) and prints the attack × version success rates;
``list`` names the attacks. Mounted by ``kitchen.cli.main`` as ``attack_app``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from kitchen.cli.common import HomeOption, console, friendly

attack_app = typer.Typer(
    help="Adversarial robustness: attack a model, compare its versions.", no_args_is_help=True
)


@attack_app.command("run")
@friendly
def attack_run_command(
    args: Annotated[
        list[str] | None,
        typer.Argument(help="[config.yaml] [key=value ...] (see `kitchen describe attack`)"),
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="models:/NAME[@ALIAS|/VERSION], a folder")
    ] = None,
    task: Annotated[str | None, typer.Option("--task", help="attack an LLM on this task")] = None,
    split: Annotated[
        str | None,
        typer.Option("--split", help="a shipped set's split: test, or challenge (hand-written)"),
    ] = None,
    attack: Annotated[
        list[str] | None, typer.Option("--attack", "-a", help="an attack (repeatable)")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="first N examples")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="perturbation seed")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and print the plan")] = False,
    embedded: Annotated[
        bool, typer.Option("--embedded", help="Run in this process, never through an engine")
    ] = False,
    detach: Annotated[bool, typer.Option("--detach", help="Print the run id and return")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar")] = False,
    home: HomeOption = None,
) -> None:
    """Attack a model and store its robustness report (the same as `kitchen run attack …`)."""
    from kitchen.cli.main import run_command

    options = {"model": model, "task": task, "split": split, "limit": limit, "seed": seed}
    overrides = [f"{k}={v}" for k, v in options.items() if v is not None]
    if attack:
        overrides.append(f"attacks={json.dumps(list(attack))}")
    run_command(
        args=["attack", *overrides, *(args or [])],
        dry_run=dry_run,
        embedded=embedded,
        detach=detach,
        quiet=quiet,
        home=home,
    )


@attack_app.command("matrix")
@friendly
def attack_matrix_command(
    model: Annotated[str, typer.Option("--model", "-m", help="the registered model name")],
    data: Annotated[
        str | None,
        typer.Option(
            "--data",
            help="the attacked data to compare versions on (default: the newest attack's), "
            "e.g. kitchen/sentiment:challenge or a task name",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts")] = False,
    home: HomeOption = None,
) -> None:
    """Attack success rate per attack (rows) and model version (columns), strongest severity,
    on one attacked data set (versions are only compared on the same data)."""

    matrix = read_matrix(home, model, data=data)
    if as_json:
        console.print_json(json.dumps(matrix.to_dict()))
        return
    if matrix.data:
        console.print(f"attacked data: {matrix.data}", highlight=False)
    console.print(matrix_table(matrix))
    others = [d for d in matrix.datasets if d != matrix.data]
    if others:
        console.print(
            f"also attacked on: {', '.join(others)} (pick one with --data)", highlight=False
        )


@attack_app.command("list")
def attack_list_command() -> None:
    """Every attack name a config or --attack may use."""
    from kitchen.analysis.adversary.registry import attack_names

    for name in attack_names():
        console.print(name, highlight=False)


def read_matrix(home: Path | None, model: str, *, data: str | None = None) -> Any:
    """The robustness matrix of ``model`` on ``data`` from the engine serving ``home`` or the
    store (``data`` None: the newest attack's).

    Raises:
        NotFoundError: no adversary analysis of that model (on that data).
    """
    from kitchen.analysis.adversary.persist import model_matrix
    from kitchen.cli.common import engine_client as _engine_client
    from kitchen.errors import NotFoundError
    from kitchen.queries import reading

    client = _engine_client(home)
    if client is not None:
        with client:
            matrix = model_matrix(client, model, data=data)
    else:
        with reading(home) as store:
            if store is None:
                raise NotFoundError(f"no adversary analyses of {model!r}: there is no store yet")
            matrix = model_matrix(store, model, data=data)
    if not matrix.versions:
        raise NotFoundError(
            f"no adversary analyses of {model!r}; run `kitchen attack run --model models:/{model}`"
        )
    return matrix


def matrix_table(matrix: Any) -> Any:
    """A rich table: one row per attack, one column per version, success rate in each cell."""
    from rich import box
    from rich.table import Table

    table = Table(
        title=f"{matrix.model_name}: attack success rate by version",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("attack")
    for version in matrix.versions:
        table.add_column(f"v{version}", justify="right")
    table.add_row(
        "[dim]clean accuracy[/]",
        *(_pct(matrix.clean_accuracy.get(v)) for v in matrix.versions),
    )
    for attack in matrix.attacks:
        cells = []
        for version in matrix.versions:
            cell = matrix.cell(attack, version)
            cells.append("–" if cell is None else _pct(cell.success_rate))
        table.add_row(attack, *cells)
    return table


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"
