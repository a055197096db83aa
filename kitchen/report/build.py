"""``build_report``: resolve a target (a run or an experiment), assemble its
:class:`ReportData` once, and render it in one format.

The report is a pure function of the store's content: no generation time or host name is
written into it, so rebuilding it from the same store gives the same bytes (and a report
fetched through the engine equals one built from the file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

from kitchen.errors import ConfigError, NotFoundError
from kitchen.report.data import ReportData
from store import AmbiguousIdError, Store
from store import NotFoundError as StoreNotFound
from store.models import Run

Format = Literal["html", "md", "json", "pdf"]
FORMATS: tuple[str, ...] = get_args(Format)
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
}


def check_format(fmt: str) -> Format:
    """``fmt`` if it names a format, else a :class:`ConfigError` listing them."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return fmt  # type: ignore[return-value]


def resolve_run(store: Store, target: str) -> Run:
    """The run with id (or unique id prefix) ``target``.

    Raises:
        NotFoundError: no run matches, or the prefix matches several.
    """
    try:
        return store.get_run(target)
    except (StoreNotFound, AmbiguousIdError) as error:
        raise NotFoundError(str(error)) from None


def _experiment_names(store: Store) -> set[str]:
    """Experiments in the store, and batch experiments whose spec was saved beside it."""
    from kitchen.experiments.records import SPEC_DIRNAME

    names = {e.name for e in store.list_experiments()}
    folder = Path(store.home) / SPEC_DIRNAME
    if folder.is_dir():
        names |= {p.stem for p in folder.glob("*.json")}
    return names


def assemble(
    store: Store, target: str, *, compare_to: str | None = None, max_samples: int = 50
) -> ReportData:
    """Everything the report of ``target`` shows.

    ``target`` is looked up as a full run id first, then as an experiment name, then as a run
    id prefix, so an experiment is never shadowed by a run whose id merely starts alike.

    Raises:
        NotFoundError: no run or experiment is called ``target`` (or ``compare_to``).
        ConfigError: ``compare_to`` given for an experiment.
    """
    from kitchen.report.experiment import collect_experiment
    from kitchen.report.run import collect_run

    run = _exact_run(store, target)
    if run is None and target in _experiment_names(store):
        if compare_to is not None:
            raise ConfigError("--compare works with a run, not with an experiment")
        report = collect_experiment(store, target)
        return ReportData("experiment", target, f"Experiment {target}", experiment=report)
    if run is None:
        try:
            run = resolve_run(store, target)
        except NotFoundError:
            raise NotFoundError(f"no run or experiment named {target!r}") from None
    other = resolve_run(store, compare_to) if compare_to is not None else None
    section = collect_run(store, run, compare_to=other, max_samples=max_samples)
    return ReportData("run", target, f"Run {run.name}", run=section)


def _exact_run(store: Store, target: str) -> Run | None:
    try:
        run = store.get_run(target)
    except (StoreNotFound, AmbiguousIdError):
        return None
    return run if run.id == target else None


def render(data: ReportData, fmt: str) -> bytes:
    """``data`` in format ``fmt``."""
    chosen = check_format(fmt)
    if chosen == "html":
        from kitchen.report.html import render_html

        return render_html(data)
    if chosen == "md":
        from kitchen.report.markdown import render_markdown

        return render_markdown(data)
    if chosen == "json":
        from kitchen.report.jsonout import render_json

        return render_json(data)
    from kitchen.report.pdf import render_pdf

    return render_pdf(data)


def build_report(
    store: Store,
    target: str,
    fmt: str = "html",
    *,
    compare_to: str | None = None,
    max_samples: int = 50,
) -> bytes:
    """The report of a run or an experiment, rebuilt from ``store`` alone.

    Args:
        store: An open store (read-only is enough).
        target: A run id or unique id prefix, or an experiment name.
        fmt: ``html``, ``md``, ``json`` or ``pdf``.
        compare_to: Another run to compare a run with, sample by sample.
        max_samples: Sample rows shown per evaluated task (lowest scores first).

    Raises:
        NotFoundError: nothing is called ``target``.
        ConfigError: an unknown format, or ``compare_to`` with an experiment.
    """
    check_format(fmt)
    data = assemble(store, target, compare_to=compare_to, max_samples=max_samples)
    return render(data, fmt)
