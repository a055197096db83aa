"""``kitchen report TARGET``: write a run's or an experiment's report to a file.

Reads through the engine when one serves the home (it holds the store), else opens the store
read-only for the one read and closes it. The command is a plain function the CLI app mounts
(``app.command("report")(report_command)``); it imports ``kitchen.cli.main`` only when it
runs, so mounting it there makes no import cycle.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from kitchen.cli.common import HomeOption, console, friendly


def default_path(target: str, fmt: str) -> Path:
    """``report-<target>.<ext>`` in the current folder, the target made safe for a file name."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", target).strip("-.") or "report"
    return Path.cwd() / f"report-{safe}.{fmt}"


def read_report(
    home: Path | None, target: str, fmt: str, *, compare_to: str | None, max_samples: int
) -> bytes:
    """The report's bytes, through the engine serving ``home`` or from the store itself."""
    from kitchen.cli.common import engine_client as _engine_client
    from kitchen.errors import NotFoundError
    from kitchen.home import kitchen_home
    from kitchen.queries import reading
    from kitchen.report import build_report

    client = _engine_client(home)
    if client is not None:
        with client:
            body: bytes = client.report(target, fmt, compare=compare_to, max_samples=max_samples)
            return body
    with reading(home) as store:
        if store is None:
            raise NotFoundError(
                f"no run or experiment named {target!r}: there is no store in {kitchen_home(home)}"
            )
        return build_report(store, target, fmt, compare_to=compare_to, max_samples=max_samples)


@friendly
def report_command(
    target: Annotated[str, typer.Argument(help="A run id (or unique prefix) or an experiment")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="html, md, json or pdf")] = "html",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default report-TARGET.EXT)"),
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option("--compare", help="Compare the run with this run, sample by sample"),
    ] = None,
    max_samples: Annotated[
        int, typer.Option("--max-samples", min=0, help="Sample rows shown per evaluated task")
    ] = 50,
    home: HomeOption = None,
) -> None:
    """Write a report of a run or an experiment (HTML, Markdown, JSON or PDF) and print its path.

    Everything comes from the store: config, metrics and curves, stage timings, per-task
    evaluation statistics with samples, lineage and model versions; for an experiment, the
    cross-condition analysis. Secrets in the config are left out.
    """
    from kitchen.report.build import check_format

    chosen = check_format(fmt)
    body = read_report(home, target, chosen, compare_to=compare, max_samples=max_samples)
    path = output if output is not None else default_path(target, chosen)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    console.print(str(path), soft_wrap=True, highlight=False)
