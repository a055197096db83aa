"""``kitchen demo seed``: fill a Kitchen home with demo data through its engine.

The engine serving the home (started if none does) seeds its own store — it is the only
writer — with a learning-rate sweep, two real versions of a small sentiment classifier with
their evaluations, 30 days of feedback with drift and PII (redacted on the way in), and drift,
adversarial and explainability analyses. See ``docs/feedback.md``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer

from kitchen.cli.common import HomeOption, console, friendly
from kitchen.demo.seed import DEFAULT_EVENTS, DEFAULT_RUNS, DEFAULT_SEED

demo_app = typer.Typer(
    help="Demo data for development, tests and screenshots.", no_args_is_help=True
)


@demo_app.command("seed")
@friendly
def seed_command(
    runs: Annotated[
        int, typer.Option("--runs", min=0, help="Runs of the learning-rate sweep")
    ] = DEFAULT_RUNS,
    events: Annotated[
        int, typer.Option("--events", min=200, help="Feedback events over 30 days")
    ] = DEFAULT_EVENTS,
    seed: Annotated[int, typer.Option("--seed", help="Seed of every random choice")] = DEFAULT_SEED,
    end: Annotated[
        str | None,
        typer.Option("--end", help="End of the feedback period, ISO 8601 (default: today 00:00Z)"),
    ] = None,
    embed: Annotated[
        bool, typer.Option("--embed", help="Drift on MiniLM text embeddings too (slower)")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts")] = False,
    home: HomeOption = None,
) -> None:
    """Seed runs, evaluations, model versions, feedback and analyses (deterministic per seed)."""
    from kitchen.demo.seed import seed_demo
    from kitchen.engine.client import EngineClient
    from kitchen.engine.server import ensure_engine

    until = _parse_end(end)
    with EngineClient(ensure_engine(home)) as client:
        summary = seed_demo(client, runs=runs, events=events, seed=seed, end=until, embed=embed)
    if as_json:
        console.print_json(json.dumps(summary.to_dict()))
        return
    counts = ", ".join(f"{k} {v}" for k, v in summary.redactions.items()) or "none"
    flags = ", ".join(f"{k} {v}" for k, v in summary.flagged.items()) or "none"
    analyses = ", ".join(f"{k} {v}" for k, v in summary.analyses.items())
    console.print(
        f"seeded in {summary.seconds:.1f}s:\n"
        f"  runs: {len(summary.runs)} training, {len(summary.eval_runs)} evaluation\n"
        f"  model: {summary.model} versions {summary.versions} (champion 1, challenger 2)\n"
        f"  feedback: {summary.events} events {summary.start[:10]} to {summary.end[:10]}; "
        f"redacted {summary.redacted_events} ({counts}); flags: {flags}\n"
        f"  analyses: {analyses}",
        highlight=False,
        soft_wrap=True,
    )


def _parse_end(value: str | None) -> datetime | None:
    if value is None:
        return None
    from kitchen.errors import ConfigError
    from store.errors import InvalidValueError
    from store.feedback import parse_ts

    try:
        return parse_ts(value, "--end")
    except InvalidValueError:
        raise ConfigError(
            f"--end must be an ISO 8601 time such as 2025-01-31, got {value!r}"
        ) from None
