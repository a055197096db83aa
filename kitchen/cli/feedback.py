"""``kitchen feedback``: ingest production events from a file, summarise them, show the latest.

``ingest`` reads the whole file and validates every event here first, so a bad line stops the
ingest before anything is sent; the events then go to the engine (started if none serves the
home) in batches, and the engine redacts PII and flags quality before it stores them. Reads go
through the engine when one serves the home, else through a read-only open of the store.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from kitchen.cli.common import HomeOption, JsonOption, console, friendly

if TYPE_CHECKING:
    from kitchen.engine.client import EngineClient
    from store import Store

feedback_app = typer.Typer(
    help="Production feedback: ingest events (PII redacted, quality flagged), summary, tail.",
    no_args_is_help=True,
)

BATCH_SIZE = 5000


@feedback_app.command("ingest")
@friendly
def ingest_command(
    file: Annotated[Path, typer.Argument(help="A .jsonl, .csv or .parquet file of events")],
    model: Annotated[
        str | None,
        typer.Option("--model", help="NAME@VERSION for events that name no model"),
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Where the events came from (default: file)")
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN: read FIELD from COLUMN (repeatable)"),
    ] = None,
    skip_invalid: Annotated[
        bool,
        typer.Option("--skip-invalid", help="Leave out invalid events (listed) instead of failing"),
    ] = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, max=50_000, help="Events per request")
    ] = BATCH_SIZE,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """Ingest a file of production events; PII is redacted before anything is stored."""
    from kitchen.analysis.feedback import parse_mapping, parse_model, prepare_events, read_events

    found = read_events(file, parse_mapping(mapping or []))
    events = found.events
    if model is not None:
        parse_model(model, "--model")
        events = [e if _names_model(e) else {**e, "model": model} for e in events]
    checked = prepare_events(events, locations=found.locations, skip_invalid=skip_invalid)
    kept = [events[i] for i in checked.kept]
    result = _send(home, kept, source or found.path.name, batch_size)
    result.update(
        file=str(found.path),
        read=len(events),
        skipped=len(checked.skipped),
        skipped_events=checked.skipped,
        ignored_fields=list(checked.ignored_fields),
    )
    if as_json:
        console.print_json(json.dumps(result))
    else:
        _print_ingest(result)


def _names_model(event: dict[str, Any]) -> bool:
    return any(event.get(k) not in (None, "") for k in ("model", "model_name"))


def _send(
    home: Path | None, events: list[dict[str, Any]], source: str, size: int
) -> dict[str, Any]:
    """Send ``events`` in batches; the totals of what the engine stored."""
    from kitchen.engine.client import EngineClient
    from kitchen.engine.server import ensure_engine

    redactions: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    batches: list[str] = []
    count = redacted = 0
    with EngineClient(ensure_engine(home)) as client:
        for start in range(0, len(events), size):
            out = client.ingest_feedback(events[start : start + size], source=source)
            batches.append(out.batch_id)
            count += out.count
            redacted += out.redacted_events
            redactions.update(out.redactions)
            flagged.update(out.flagged)
    return {
        "events": count,
        "redacted_events": redacted,
        "redactions": dict(sorted(redactions.items())),
        "flagged": dict(sorted(flagged.items())),
        "batches": batches,
        "source": source,
    }


def _print_ingest(result: dict[str, Any]) -> None:
    def counts(found: dict[str, int]) -> str:
        return ", ".join(f"{k} {v}" for k, v in found.items()) or "none"

    console.print(
        f"stored {result['events']} events from {result['file']} "
        f"in {len(result['batches'])} batch(es): {', '.join(result['batches']) or '-'}",
        soft_wrap=True,
        highlight=False,
    )
    console.print(
        f"redacted {result['redacted_events']} events: {counts(result['redactions'])}",
        highlight=False,
    )
    console.print(f"quality flags: {counts(result['flagged'])}", highlight=False)
    if result["skipped"]:
        console.print(f"[yellow]skipped {result['skipped']} invalid events:[/]")
        for message in result["skipped_events"][:20]:
            console.print(f"  {message}", soft_wrap=True, highlight=False, markup=False)
    if result["ignored_fields"]:
        console.print(f"[dim]ignored fields: {', '.join(result['ignored_fields'])}[/]")


@contextmanager
def _reader(home: Path | None) -> Iterator[EngineClient | Store | None]:
    """The engine's client when one serves ``home``, else the store open read-only (None when
    there is no store yet)."""
    from kitchen.cli.common import engine_client as _engine_client
    from kitchen.queries import reading

    client = _engine_client(home)
    if client is not None:
        with client:
            yield client
        return
    with reading(home) as store:
        yield store


def _summaries(home: Path | None) -> list[dict[str, Any]]:
    from kitchen.engine.client import EngineClient

    with _reader(home) as source:
        if source is None:
            return []
        if isinstance(source, EngineClient):
            return [s.model_dump(mode="json") for s in source.feedback_summary()]
        return [_jsonable(asdict(s)) for s in source.feedback_summaries()]


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}


def _model_label(row: dict[str, Any]) -> str:
    name, version = row.get("model_name"), row.get("model_version")
    if name is None:
        return "-"
    return name if version is None else f"{name}@{version}"


@feedback_app.command("summary")
@friendly
def summary_command(as_json: JsonOption = False, home: HomeOption = None) -> None:
    """Per model version: events, time span, flagged and redacted counts, signal, latency."""
    rows = _summaries(home)
    if as_json:
        console.print_json(json.dumps(rows))
        return
    if not rows:
        console.print("no feedback events yet; add some with `kitchen feedback ingest FILE`")
        return
    table = Table("model", "events", "first", "last", "flagged", "redacted", "signal", "latency")
    for row in rows:
        signal, latency = row["mean_signal"], row["mean_latency_ms"]
        table.add_row(
            _model_label(row),
            str(row["n"]),
            str(row["first_ts"])[:10],
            str(row["last_ts"])[:10],
            str(row["flagged"]),
            str(row["redacted"]),
            "-" if signal is None else f"{signal:+.2f}",
            "-" if latency is None else f"{latency:.0f} ms",
        )
    console.print(table)


def _tail(home: Path | None, n: int, model: str | None) -> list[dict[str, Any]]:
    from kitchen.analysis.feedback import parse_model
    from kitchen.engine.client import EngineClient

    name, version = parse_model(model, "--model") if model else (None, None)
    with _reader(home) as source:
        if source is None:
            return []
        if isinstance(source, EngineClient):  # count first, then read the last n
            total = sum(
                s.n
                for s in source.feedback_summary()
                if (name is None or s.model_name == name)
                and (version is None or s.model_version == version)
            )
            found = source.feedback_events(
                model_name=name, model_version=version, limit=n, offset=max(0, total - n)
            )
            return [e.model_dump(mode="json") for e in found]
        table = source.feedback_events(model_name=name, model_version=version)
        rows = table.slice(max(0, table.num_rows - n)).to_pylist()
        return [_stored_event(r) for r in rows]


def _stored_event(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row as the engine returns it: features decoded, flags as a list."""
    out = _jsonable(row)
    out["features"] = json.loads(out.pop("features_json") or "{}")
    out["quality_flags"] = [f for f in (out["quality_flags"] or "").split(",") if f]
    out.pop("ingested_at", None)
    return out


@feedback_app.command("tail")
@friendly
def tail_command(
    n: Annotated[int, typer.Option("-n", "--lines", min=1, help="How many events")] = 20,
    model: Annotated[
        str | None, typer.Option("--model", help="Only this model (NAME or NAME@VERSION)")
    ] = None,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """The latest feedback events, oldest first (as stored: redacted)."""
    rows = _tail(home, n, model)
    if as_json:
        console.print_json(json.dumps(rows))
        return
    if not rows:
        which = f" of {model}" if model else ""
        console.print(f"no feedback events{which} yet")
        return
    table = Table("time", "model", "signal", "latency", "flags", "input", "output")
    for row in rows:
        signal, latency = row.get("user_signal"), row.get("latency_ms")
        table.add_row(
            str(row["ts"])[:19],
            _model_label(row),
            "-" if signal is None else f"{signal:+.1f}",
            "-" if latency is None else f"{latency:.0f}",
            ",".join(row["quality_flags"]) or "-",
            _short(row["input"], 40),
            _short(row["output"], 60),
        )
    console.print(table)


def _short(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
