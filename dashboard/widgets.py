"""Pieces every page shares: engine-error handling, empty states, run filters and pickers,
deep links.

Deep links are query parameters: ``?run=ID`` (repeatable on the Runs page) and
``?model=NAME&version=N``; pages read them once as the default of their pickers and write the
current choice back, so the address bar always links to what is on screen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from urllib.parse import urlencode

import streamlit as st

from dashboard import data
from kitchen.display import short_id
from kitchen.engine.wire import RunRecord, RunRowOut
from kitchen.errors import KitchenError, NotFoundError

STATUSES = ("queued", "running", "paused", "succeeded", "failed", "cancelled", "interrupted")


@contextmanager
def engine_errors() -> Iterator[None]:
    """Show an engine error (unreachable, not found, refused) as a message, not a traceback."""
    try:
        yield
    except NotFoundError as error:
        st.warning(f"Not found: {error.message}")
    except KitchenError as error:
        st.error(f"{error.title}: {error.message}")


def empty(what: str, command: str) -> None:
    """An empty state that says which command fills it (or the demo data)."""
    st.info(
        f"{what} yet: run `{command}` (or `kitchen demo seed` for demo data).",
        icon=":material/info:",
    )


def link(page: str, **params: object) -> str:
    """A relative link to ``page`` with query parameters (``None`` values dropped)."""
    query = urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)
    return f"./{page}?{query}" if query else f"./{page}"


def run_label(run: RunRowOut | RunRecord) -> str:
    """``name · short id · status`` for pickers."""
    return f"{run.name or '(unnamed)'} · {short_id(run.id)} · {run.status}"


def run_filters(key: str) -> tuple[tuple[str, ...], str | None, str | None]:
    """Sidebar filters over the runs table: statuses, experiment and recipe.

    Options come from the engine's grouped counts, so they list what the store holds.
    """
    counts = data.run_counts()
    experiments = Counter[str]()
    recipes = Counter[str]()
    for row in counts:
        experiments[row.experiment] += row.n
        recipes[row.recipe] += row.n
    with st.sidebar:
        st.subheader("Runs")
        status = st.multiselect("Status", STATUSES, key=f"{key}-status")
        experiment = st.selectbox(
            "Experiment",
            [None, *sorted(experiments)],
            format_func=lambda e: "all" if e is None else f"{e} ({experiments[e]})",
            key=f"{key}-experiment",
        )
        recipe = st.selectbox(
            "Recipe",
            [None, *sorted(recipes)],
            format_func=lambda r: "all" if r is None else f"{r} ({recipes[r]})",
            key=f"{key}-recipe",
        )
    return tuple(status), experiment, recipe


def pick_runs(
    label: str,
    candidates: Sequence[RunRowOut],
    *,
    linked: Sequence[str] = (),
    max_selections: int | None = None,
    key: str,
) -> list[str]:
    """A run multiselect over ``candidates`` plus any ``linked`` ids (from a deep link).

    Linked ids that are not on the current page are looked up one by one, so a link to an old
    run still works on a 10k-run store.
    """
    labels = {run.id: run_label(run) for run in candidates}
    for run_id in linked:
        if run_id not in labels:
            try:
                record = data.run_details(run_id).run
            except KitchenError:
                st.warning(f"The linked run {run_id!r} is not in the store.")
                continue
            labels[record.id] = run_label(record)
    # In the link's order: the first linked run is the comparison's "A".
    defaults = list(dict.fromkeys(rid for x in linked for rid in labels if rid.startswith(x)))
    chosen = st.multiselect(
        label,
        list(labels),
        default=defaults[:max_selections] if max_selections else defaults,
        format_func=lambda rid: labels[rid],
        max_selections=max_selections,
        key=key,
    )
    return list(chosen)


def linked_model() -> tuple[str | None, int | None]:
    """``?model=NAME&version=N`` from the address, if present."""
    name = st.query_params.get("model")
    version = st.query_params.get("version")
    try:
        return name, int(version) if version is not None else None
    except ValueError:
        st.warning(f"Ignoring the link's version {version!r}: not a number.")
        return name, None


def set_model_link(name: str | None, version: int | None) -> None:
    """Write the chosen model version back to the address bar."""
    params = {"model": name, "version": None if version is None else str(version)}
    for key, value in params.items():
        if value is None:
            st.query_params.pop(key, None)
        elif st.query_params.get(key) != value:
            st.query_params[key] = value
