"""``seed_demo``: fill a store with realistic runs, evaluations, models, feedback and analyses.

The dashboard's tests and screenshots, and anyone developing a page, start from this. Given a
``Store`` it writes directly (the caller owns the store); given an ``EngineClient`` it asks the
engine to seed its own store (``POST /v1/demo/seed``), because the engine is the one writer.
Content is deterministic for a seed and an ``end`` date: run ids and creation times are not.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from kitchen.errors import ConfigError

if TYPE_CHECKING:
    from kitchen.engine.client import EngineClient
    from store import Store

DEFAULT_RUNS = 6
DEFAULT_EVENTS = 2000
DEFAULT_SEED = 0
SEED_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class SeedSummary:
    """What :func:`seed_demo` wrote.

    Attributes:
        runs: Ids of the sweep's training runs and the classifier's training runs.
        eval_runs: Ids of the evaluation runs (per-sample rows, task ``sentiment``).
        model: The registered model's name; versions 1 (``champion``) and 2 (``challenger``).
        versions: The registered versions.
        events: Feedback events stored.
        redacted_events: Events that had PII redacted on the way in.
        redactions: Spans redacted per PII kind.
        flagged: Events per quality flag.
        analyses: Analyses stored per kind.
        start: First day of the feedback period (UTC).
        end: End of the feedback period (UTC, exclusive).
        seconds: Wall time of the seeding.
    """

    runs: list[str]
    eval_runs: list[str]
    model: str
    versions: list[int]
    events: int
    redacted_events: int
    redactions: dict[str, int]
    flagged: dict[str, int]
    analyses: dict[str, int] = field(default_factory=dict)
    start: str = ""
    end: str = ""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data."""
        return asdict(self)


def default_end() -> datetime:
    """Midnight UTC at the start of today: the feedback period ends there."""
    now = datetime.now(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def seed_demo(
    target: Store | EngineClient,
    *,
    runs: int = DEFAULT_RUNS,
    events: int = DEFAULT_EVENTS,
    seed: int = DEFAULT_SEED,
    end: datetime | None = None,
    embed: bool = False,
) -> SeedSummary:
    """Fill ``target`` with demo data (see ``docs/feedback.md``, "Demo data").

    Args:
        target: A writable ``Store``, or a client of the engine that owns one.
        runs: Training runs of the learning-rate sweep (the two classifier runs come on top).
        events: Feedback events over the 30 days before ``end``.
        seed: Seed of every random choice.
        end: End of the feedback period (default: midnight UTC today).
        embed: Also compare input/output texts as MiniLM embeddings in the drift checks
            (slower: loads torch and the encoder).

    Raises:
        ConfigError: negative counts, or fewer than 200 events (too few for drift windows).
        AlreadyExistsError: the store holds demo data already (from the engine: a
            ``KitchenError`` saying so); nothing is written.
    """
    if runs < 0:
        raise ConfigError(f"runs must be >= 0, got {runs}")
    if events < 200:
        raise ConfigError(f"events must be >= 200 (drift needs full windows), got {events}")
    end = (end or default_end()).astimezone(UTC)
    from store import Store

    if isinstance(target, Store):
        return _seed_store(target, runs=runs, events=events, seed=seed, end=end, embed=embed)
    body = {"runs": runs, "events": events, "seed": seed, "end": end.isoformat(), "embed": embed}
    # The engine's client has no method for this route yet; its plumbing names the engine in
    # errors and maps them to Kitchen errors, and a seed needs a longer timeout than reads.
    response = target._request("POST", "/demo/seed", json=body, timeout=SEED_TIMEOUT_S)
    return SeedSummary(**response.json())


def _seed_store(
    store: Store, *, runs: int, events: int, seed: int, end: datetime, embed: bool
) -> SeedSummary:
    from kitchen.analysis.feedback import prepare_events
    from kitchen.demo.analyses import seed_adversary, seed_drift, seed_xai
    from kitchen.demo.feedback import DAYS, generate_events
    from kitchen.demo.model import load_sentiment
    from kitchen.demo.runs import MODEL_NAME, seed_classifier, seed_sweep
    from store.errors import AlreadyExistsError

    if any(model.name == MODEL_NAME for model in store.list_models()):
        raise AlreadyExistsError(
            f"this store already holds demo data (model {MODEL_NAME!r}); seed a fresh home "
            "(--home DIR) instead of mixing two seeds in one"
        )
    started = time.perf_counter()
    train, test = load_sentiment("train"), load_sentiment("test")
    sweep = seed_sweep(store, runs, seed)
    seeded = seed_classifier(store, train, test, seed)
    raw = generate_events(test, seeded.versions, n=events, end=end, seed=seed)
    prepared = prepare_events(raw, source="demo")
    store.log_feedback(prepared.rows, source="demo")
    store.flush()
    made: Counter[str] = Counter()
    made.update(seed_drift(store, seeded.versions, end, embed=embed, seed=seed))
    made.update(seed_adversary(store, seeded.versions, test, seed))
    made.update(seed_xai(store, seeded.versions, train, test, seed))
    store.flush()
    return SeedSummary(
        runs=[*sweep, *seeded.train_runs],
        eval_runs=seeded.eval_runs,
        model=MODEL_NAME,
        versions=[version for _, version, _ in seeded.versions],
        events=len(prepared.rows),
        redacted_events=prepared.redacted_events,
        redactions=dict(prepared.redactions),
        flagged=dict(prepared.flagged),
        analyses=dict(sorted(made.items())),
        start=(end - timedelta(days=DAYS)).isoformat(),
        end=end.isoformat(),
        seconds=round(time.perf_counter() - started, 2),
    )
