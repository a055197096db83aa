"""``kitchen explain``: run the explain recipe, show a stored explanation, compare two, and
reproduce one.

Reads go through the engine when one serves the home (it holds the store), else through a
read-only open of the store; writes (``drift``) go through the engine or, with none serving,
the store opened for the one write. The sub-app imports nothing heavy at load time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from kitchen.cli.common import HomeOption, JsonOption, console, friendly

explain_app = typer.Typer(
    help="Explain models (SHAP, LIME, PDP/ICE, integrated gradients, occlusion).",
    no_args_is_help=True,
)


@contextmanager
def _source(home: Path | None, *, write: bool = False) -> Iterator[Any]:
    """The engine client serving ``home`` when it can do the job, else the store."""
    from kitchen.cli.common import engine_client as _engine_client
    from kitchen.errors import NotFoundError, StoreAccessError

    client = _engine_client(home)
    if client is not None:
        needed = ("log_analysis",) if write else ("get_analysis", "analysis_result")
        if not all(hasattr(client, name) for name in needed):
            client.close()
            raise StoreAccessError(
                "the engine serving this home has no analysis routes; stop it and retry"
            )
        with client:
            yield client
        return
    from kitchen.home import kitchen_home

    if write:
        from store import open_store

        with open_store(kitchen_home(home)) as store:
            yield store
        return
    from kitchen.queries import reading

    with reading(home) as store:
        if store is None:
            raise NotFoundError(f"no store in {kitchen_home(home)} yet")
        yield store


def _get(source: Any, analysis_id: str) -> tuple[Any, Any]:
    from kitchen.errors import NotFoundError
    from store.errors import NotFoundError as StoreNotFound

    try:
        return source.get_analysis(analysis_id), source.analysis_result(analysis_id)
    except StoreNotFound as error:
        raise NotFoundError(str(error)) from None


@explain_app.command("run")
def run_command(
    args: Annotated[
        list[str] | None,
        typer.Argument(help="[config.yaml] [key=value ...] (see `kitchen describe explain`)"),
    ] = None,
    embedded: Annotated[
        bool, typer.Option("--embedded", help="Run in this process, never through an engine")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar")] = False,
    home: HomeOption = None,
) -> None:
    """Explain a model: ``kitchen explain run method=shap_kernel examples=50``.

    Same as ``kitchen run explain …``: submitted to the engine, or --embedded in-process.
    """
    from kitchen.cli.main import run_command as run_recipe

    run_recipe(args=["explain", *(args or [])], embedded=embedded, quiet=quiet, home=home)


@explain_app.command("show")
@friendly
def show_command(
    analysis_id: str,
    top: Annotated[int, typer.Option("--top", help="Features / examples to print")] = 10,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """Print a stored explanation: top features, checks, and texts with per-token scores."""

    with _source(home) as source:
        row, result = _get(source, analysis_id)
    if as_json:
        console.print_json(json.dumps({"analysis": _row_dict(row), "result": result}, default=str))
        return
    from kitchen.analysis.xai.render import print_analysis

    print_analysis(console, _row_dict(row), result, top=top)


@explain_app.command("drift")
@friendly
def drift_command(
    before: str,
    after: str,
    k: Annotated[int, typer.Option("--top-k", help="k of the top-k overlap")] = 10,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """Compare two stored explanations of one probe set (two model versions) and store the
    attribution drift."""
    from kitchen.analysis.xai.drift import attribution_drift
    from kitchen.analysis.xai.persist import load_explanation, log_attribution_drift

    with _source(home) as source:
        first, second = load_explanation(source, before), load_explanation(source, after)
    drift = attribution_drift(first, second, k=k)
    with _source(home, write=True) as sink:
        row = log_attribution_drift(
            sink, drift, before=first, after=second, sources=(before, after)
        )
    if as_json:
        console.print_json(json.dumps({"id": row.id, **drift.to_dict()}))
        return
    from kitchen.analysis.xai.render import print_drift

    print_drift(console, drift, row.id)


@explain_app.command("reproduce")
@friendly
def reproduce_command(
    analysis_id: str,
    tolerance: Annotated[float, typer.Option("--tolerance", help="Largest allowed diff")] = 1e-9,
    home: HomeOption = None,
) -> None:
    """Recompute a stored explanation from its spec; exit 1 when the numbers differ."""
    from kitchen.analysis.xai.persist import reproduce

    with _source(home) as source:
        outcome = reproduce(source, analysis_id, tolerance=tolerance)
    verdict = "[green]reproduced[/]" if outcome.matches else "[red]differs[/]"
    console.print(
        f"{verdict} {outcome.method} {analysis_id}: {outcome.values} values, "
        f"max |diff| {outcome.max_abs_diff:.3g} (tolerance {outcome.tolerance:g})"
    )
    if not outcome.matches:
        raise typer.Exit(1)


def _row_dict(row: Any) -> dict[str, Any]:
    if isinstance(row, dict):
        return row
    if hasattr(row, "model_dump"):
        data: dict[str, Any] = row.model_dump(mode="json")
        return data
    return dict(vars(row))
