"""``kitchen drift``: store a reference sketch of a model version, check a window against it.

Reads go through the engine when one serves the home, else through the store opened
read-only for the read. Writes (the sketch, the report) go through the engine, started in the
background when none serves; ``--embedded`` writes from this process instead (refused while an
engine serves), and ``check --no-save`` writes nothing. The statistics run in this process;
``kitchen run drift …`` runs the same check through the engine's queue as a run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kitchen.cli.common import HomeOption, JsonOption, console, friendly

if TYPE_CHECKING:
    from kitchen.analysis.drift.check import DriftCheck
    from kitchen.analysis.drift.report import DriftOptions

drift_app = typer.Typer(
    help="Drift of production feedback: reference sketches per model version, checks of a window.",
    no_args_is_help=True,
)

ModelOption = Annotated[str, typer.Option("--model", "-m", help="Model name of the events")]
VersionOption = Annotated[int, typer.Option("--version", "-v", help="Model version")]
EmbeddedOption = Annotated[
    bool, typer.Option("--embedded", help="Write from this process, never through an engine")
]
NoEmbedOption = Annotated[
    bool, typer.Option("--no-embed", help="Skip MiniLM embeddings of the input and output texts")
]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed of every sample and permutation")]
ThreadsOption = Annotated[int, typer.Option("--threads", min=0, help="torch threads (0: default)")]


@contextmanager
def _reader(home: Path | None) -> Iterator[Any]:
    """The engine's client when one serves ``home``, else the store opened read-only."""
    from kitchen.cli.common import engine_client as _engine_client

    client = _engine_client(home)
    if client is not None:
        with client:
            yield client
        return
    from kitchen.errors import NotFoundError
    from kitchen.home import kitchen_home
    from kitchen.queries import reading

    with reading(home) as store:
        if store is None:
            raise NotFoundError(f"there is no store in {kitchen_home(home)}: no events to read")
        yield store


@contextmanager
def _writer(home: Path | None, embedded: bool) -> Iterator[Any]:
    """Somewhere to read and write: the engine (started if none serves), or with ``embedded``
    the store opened read-write in this process."""
    if not embedded:
        from kitchen.engine.client import EngineClient
        from kitchen.engine.server import ensure_engine

        with EngineClient(ensure_engine(home)) as client:
            yield client
        return
    from kitchen.adapters.duckdb.open import open_recording
    from kitchen.home import kitchen_home

    # open_recording refuses (naming the engine) while an engine holds the store.
    with open_recording(kitchen_home(home)) as recording:
        yield recording.store


def _options(no_embed: bool, seed: int, sample_size: int | None = None) -> DriftOptions:
    from kitchen.analysis.drift.report import DriftOptions

    values: dict[str, Any] = {"embed": not no_embed, "seed": seed}
    if sample_size is not None:
        values["sample_size"] = sample_size
    return DriftOptions(**values)


@drift_app.command("reference")
@friendly
def reference_command(
    model: ModelOption,
    version: VersionOption,
    since: Annotated[str | None, typer.Option("--since", help="ISO time; default: first")] = None,
    until: Annotated[str | None, typer.Option("--until", help="ISO time, exclusive")] = None,
    sample_size: Annotated[
        int, typer.Option("--sample-size", min=100, help="Reservoir sample per numeric feature")
    ] = 10_000,
    no_embed: NoEmbedOption = False,
    seed: SeedOption = 0,
    threads: ThreadsOption = 1,
    embedded: EmbeddedOption = False,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """Sketch the events of a model version in [--since, --until) and store the sketch.

    Later checks of this version compare against it without reading the window again.
    """
    from kitchen.analysis.drift.check import Window, build_reference, encoder_for, parse_time

    window = Window(model, version, parse_time(since, "--since"), parse_time(until, "--until"))
    options = _options(no_embed, seed, sample_size)
    with _writer(home, embedded) as backend:
        sketch, analysis_id = build_reference(
            backend, backend, window, options=options, encoder=encoder_for(options, threads=threads)
        )
    out = {
        "analysis_id": analysis_id,
        "window": window.to_dict(),
        "n_events": sketch.n_events,
        "numeric": sorted(sketch.numeric),
        "categorical": sorted(sketch.categorical),
        "text": sorted(sketch.text),
    }
    if as_json:
        console.print_json(json.dumps(out))
        return
    console.print(
        f"reference {analysis_id} of {window.describe()}: {sketch.n_events:,} events, "
        f"{len(sketch.numeric)} numeric, {len(sketch.categorical)} categorical, "
        f"{len(sketch.text)} text features",
        soft_wrap=True,
        highlight=False,
    )


@drift_app.command("check")
@friendly
def check_command(
    model: ModelOption,
    version: VersionOption,
    current_since: Annotated[str, typer.Option("--current-since", help="ISO time")],
    current_until: Annotated[
        str | None, typer.Option("--current-until", help="ISO time, exclusive; default: now")
    ] = None,
    current_version: Annotated[
        int | None,
        typer.Option("--current-version", help="Events of this version (default --version)"),
    ] = None,
    reference_since: Annotated[
        str | None,
        typer.Option("--reference-since", help="Compare with this raw window, not the sketch"),
    ] = None,
    reference_until: Annotated[
        str | None, typer.Option("--reference-until", help="End of the raw reference window")
    ] = None,
    alpha: Annotated[float, typer.Option("--alpha", help="Level of the corrected tests")] = 0.05,
    psi: Annotated[float, typer.Option("--psi", help="PSI above this is drift")] = 0.2,
    js: Annotated[float, typer.Option("--js", help="JS distance above this is drift")] = 0.1,
    drift_share: Annotated[
        float, typer.Option("--drift-share", help="Share of drifted features for window drift")
    ] = 0.5,
    no_embed: NoEmbedOption = False,
    seed: SeedOption = 0,
    threads: ThreadsOption = 1,
    no_save: Annotated[bool, typer.Option("--no-save", help="Print only; store nothing")] = False,
    fail_on_drift: Annotated[
        bool, typer.Option("--fail-on-drift", help="Exit with code 1 when the window drifted")
    ] = False,
    embedded: EmbeddedOption = False,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """Compare a current window with the stored reference of --version (or a raw window).

    Prints one row per feature and the verdict; the report is stored as a `drift` analysis.
    """
    from kitchen.analysis.drift.check import (
        Window,
        compute_drift,
        encoder_for,
        parse_time,
        store_drift,
    )

    current = Window(
        model,
        version if current_version is None else current_version,
        parse_time(current_since, "--current-since"),
        parse_time(current_until, "--current-until"),
    )
    reference = None
    if reference_since is not None or reference_until is not None:
        reference = Window(
            model,
            version,
            parse_time(reference_since, "--reference-since"),
            parse_time(reference_until, "--reference-until"),
        )
    thresholds = _thresholds(alpha=alpha, psi=psi, js=js, drift_share=drift_share)
    options = _options(no_embed, seed)
    compare = {
        "reference": reference,
        "reference_version": version,
        "thresholds": thresholds,
        "options": options,
        "encoder": encoder_for(options, threads=threads),
    }
    if no_save:
        with _reader(home) as source:
            check = compute_drift(source, current, **compare)
    else:
        with _writer(home, embedded) as backend:
            check = store_drift(backend, compute_drift(backend, current, **compare))
    if as_json:
        console.print_json(json.dumps({"analysis_id": check.analysis_id, **check.report.to_dict()}))
    else:
        _print_check(check)
    if fail_on_drift and check.report.drifted:
        raise typer.Exit(1)


def _thresholds(**values: float) -> Any:
    from pydantic import ValidationError

    from kitchen.analysis.drift.report import DriftThresholds
    from kitchen.errors import ConfigError

    try:
        return DriftThresholds(**values)
    except ValidationError as error:
        first = error.errors()[0]
        option = str(first["loc"][0]).replace("_", "-")
        raise ConfigError(f"--{option}: {first['msg']}") from None


def _print_check(check: DriftCheck) -> None:
    from rich.table import Table

    report = check.report
    table = Table(title=f"drift of {check.current.describe()}", title_justify="left")
    for header in ("feature", "kind", "n ref", "n cur", "test", "p adj", "statistics", "drift"):
        table.add_column(header, justify="right" if header.startswith(("n ", "p")) else "left")
    for row in report.features:
        shown = {k: v for k, v in row.statistics.items() if k in _SHOWN and v is not None}
        stats = " ".join(f"{k} {v:.3g}" for k, v in shown.items())
        p_adj = "" if row.p_adjusted is None else f"{row.p_adjusted:.2g}"
        mark = f"[bold red]{row.severity}[/]" if row.drifted else "[green]no[/]"
        table.add_row(
            row.name,
            row.kind,
            f"{row.n_reference:,}",
            f"{row.n_current:,}",
            row.test or "-",
            p_adj,
            stats or row.note,
            mark,
        )
    console.print(table)
    reference = check.reference
    against = (
        f"stored reference {reference['analysis_id']}"
        if "analysis_id" in reference
        else "the raw reference window"
    )
    for note in report.notes:
        console.print(f"[yellow]note:[/] {note}", soft_wrap=True)
    colour = "bold red" if report.drifted else "bold green"
    console.print(f"[{colour}]{report.verdict()}[/] (against {against})", soft_wrap=True)
    if check.analysis_id:
        console.print(f"[dim]stored as analysis {check.analysis_id}[/]", soft_wrap=True)


_SHOWN = ("ks", "psi", "js", "wasserstein", "chi2", "unseen_share", "mmd2", "centroid_distance")
