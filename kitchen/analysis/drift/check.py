"""Drift checks against the store: read windows, store reference sketches, store reports.

Everything here talks to two small protocols, :class:`FeedbackSource` (reads events) and
:class:`AnalysisSink` (stores analyses), which both ``store.Store`` and the engine's
``EngineClient`` satisfy — so the CLI, an engine worker and a test run the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from kitchen.analysis.drift.features import FeatureSet, features_of_events
from kitchen.analysis.drift.report import (
    DriftOptions,
    DriftReport,
    DriftThresholds,
    drift_report,
    sketch_window,
)
from kitchen.analysis.drift.sketch import ReferenceSketch
from kitchen.errors import ConfigError, NotFoundError
from kitchen.ports.analyses import AnalysisWriter

MAX_EVENTS = 1_000_000
"""Events read per window (the engine's page limit); a longer window is cut, and says so."""


class FeedbackSource(Protocol):
    """Reads a window of feedback events (``Store`` gives a ``pyarrow.Table``, the engine
    client a list of rows)."""

    def feedback_events(
        self,
        *,
        model_name: str | None = ...,
        model_version: int | None = ...,
        since: datetime | None = ...,
        until: datetime | None = ...,
        limit: int = ...,
    ) -> Any: ...


AnalysisSink = AnalysisWriter
"""Where analyses are written (see :class:`kitchen.ports.analyses.AnalysisWriter`)."""


class AnalysisReader(Protocol):
    """Reads a stored analysis's full result; listing is ``list_analyses`` on a store and
    ``analyses`` on the engine client (see :func:`latest_analysis`)."""

    def analysis_result(self, analysis_id: str) -> Any: ...


@dataclass(frozen=True)
class Window:
    """The events of one model version in ``[since, until)`` (open ends: no bound)."""

    model_name: str
    model_version: int | None
    since: datetime | None = None
    until: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "model_name": self.model_name,
            "model_version": self.model_version,
            "since": None if self.since is None else self.since.isoformat(),
            "until": None if self.until is None else self.until.isoformat(),
        }

    def describe(self) -> str:
        version = "" if self.model_version is None else f" v{self.model_version}"
        since = self.since.isoformat() if self.since else "the start"
        until = self.until.isoformat() if self.until else "now"
        return f"{self.model_name}{version} from {since} to {until}"


def parse_time(value: str | None, option: str) -> datetime | None:
    """An ISO 8601 time (``Z`` allowed; naive means UTC) as an aware datetime; '' is None.

    Raises:
        ConfigError: naming ``option`` when the value is not ISO 8601.
    """
    if value is None or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(
            f"{option} must be an ISO 8601 time such as 2025-01-31T12:00:00Z, got {value!r}"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@dataclass(frozen=True)
class WindowData:
    """The features of a window, and whether :data:`MAX_EVENTS` cut it short."""

    window: Window
    features: FeatureSet
    truncated: bool


def read_window(
    source: FeedbackSource, window: Window, *, max_events: int = MAX_EVENTS
) -> WindowData:
    """Read a window's events and extract their features.

    Raises:
        NotFoundError: the window holds no events.
    """
    events = source.feedback_events(
        model_name=window.model_name,
        model_version=window.model_version,
        since=window.since,
        until=window.until,
        limit=max_events,
    )
    features = features_of_events(events)
    if features.n_events == 0:
        raise NotFoundError(f"no feedback events of {window.describe()}")
    return WindowData(window, features, features.n_events >= max_events)


def encoder_for(options: DriftOptions, *, threads: int = 1) -> Any:
    """The MiniLM encoder when ``options.embed``, else None (torch is loaded on first use)."""
    if not options.embed:
        return None
    from kitchen.analysis.embed import TextEncoder

    return TextEncoder(threads=threads)


def build_reference(
    source: FeedbackSource,
    sink: AnalysisSink | None,
    window: Window,
    *,
    options: DriftOptions | None = None,
    encoder: Any = None,
    run_id: str | None = None,
) -> tuple[ReferenceSketch, str]:
    """Sketch a reference window and store it (kind ``drift_reference``) through ``sink``
    (None stores nothing); returns the sketch and the stored analysis id ('' if not stored)."""
    options = options or DriftOptions()
    data = read_window(source, window)
    sketch = sketch_window(data.features, options, exact=False, encoder=encoder)
    if sink is None:
        return sketch, ""
    params = {
        "window": window.to_dict(),
        "options": options.model_dump(),
        "encoder": getattr(encoder, "name", None),
        "truncated": data.truncated,
    }
    summary = {
        "n_events": sketch.n_events,
        "numeric": sorted(sketch.numeric),
        "categorical": sorted(sketch.categorical),
        "text": sorted(sketch.text),
    }
    stored = sink.log_analysis(
        kind="drift_reference",
        name=f"reference {window.describe()}",
        params=params,
        summary=summary,
        result=sketch.to_dict(),
        model_name=window.model_name,
        model_version=window.model_version,
        run_id=run_id,
        seed=options.seed,
    )
    return sketch, str(getattr(stored, "id", stored))


def latest_analysis(reader: Any, **filters: Any) -> Any | None:
    """The newest analysis matching ``filters`` from a store or an engine client, or None."""
    lister = getattr(reader, "list_analyses", None) or reader.analyses
    found = lister(**filters, limit=1)
    return found[0] if found else None


def load_reference(
    reader: AnalysisReader, model_name: str, model_version: int | None
) -> tuple[ReferenceSketch, str]:
    """The newest stored reference sketch of a model version, and its analysis id.

    Raises:
        NotFoundError: none is stored (the message says how to make one).
    """
    found = latest_analysis(
        reader, kind="drift_reference", model_name=model_name, model_version=model_version
    )
    if found is None:
        version = "" if model_version is None else f" --version {model_version}"
        raise NotFoundError(
            f"no drift reference is stored for {model_name}{version}; compute one with "
            f"`kitchen drift reference --model {model_name}{version}` or pass a reference "
            "window (--reference-since/--reference-until)"
        )
    return ReferenceSketch.from_dict(reader.analysis_result(found.id)), str(found.id)


@dataclass(frozen=True)
class DriftCheck:
    """A computed check: the report, what it compared, and (once stored) its analysis id."""

    report: DriftReport
    params: dict[str, Any]
    current: Window
    analysis_id: str = ""

    @property
    def reference(self) -> dict[str, Any]:
        """The stored sketch (``analysis_id``) or the raw window (``window``) compared with."""
        found: dict[str, Any] = self.params["reference"]
        return found


def compute_drift(
    source: Any,
    current: Window,
    *,
    reference: Window | None = None,
    reference_version: int | None = None,
    thresholds: DriftThresholds | None = None,
    options: DriftOptions | None = None,
    encoder: Any = None,
) -> DriftCheck:
    """Compare ``current`` with a reference, storing nothing.

    The reference is the raw window ``reference`` when given (compared exactly), else the
    newest stored sketch of ``current``'s model at ``reference_version`` (default: the
    current window's version). ``source`` reads events and analyses: a ``Store`` (read-only
    is enough) or an ``EngineClient``.

    Raises:
        NotFoundError: a window has no events, or no sketch is stored.
    """
    thresholds = thresholds or DriftThresholds()
    options = options or DriftOptions()
    described: dict[str, Any]
    if reference is None:
        version = current.model_version if reference_version is None else reference_version
        sketch, ref_id = load_reference(source, current.model_name, version)
        described = {"analysis_id": ref_id, "model_version": version}
        compared: ReferenceSketch | FeatureSet = sketch
    else:
        ref_data = read_window(source, reference)
        described = {"window": reference.to_dict(), "truncated": ref_data.truncated}
        compared = ref_data.features
    now = read_window(source, current)
    report = drift_report(
        compared, now.features, thresholds=thresholds, options=options, encoder=encoder
    )
    params = {
        "current": current.to_dict(),
        "current_truncated": now.truncated,
        "reference": described,
        "thresholds": thresholds.model_dump(),
        "options": options.model_dump(),
        "encoder": getattr(encoder, "name", None),
    }
    return DriftCheck(report, params, current)


def store_drift(
    sink: AnalysisSink, check: DriftCheck, *, run_id: str | None = None, name: str = ""
) -> DriftCheck:
    """Store a computed check (kind ``drift``); returns it with its analysis id."""
    stored = sink.log_analysis(
        kind="drift",
        name=name or f"drift {check.current.describe()}",
        params=check.params,
        summary=check.report.summary(),
        result=check.report.to_dict(),
        model_name=check.current.model_name,
        model_version=check.current.model_version,
        run_id=run_id,
        seed=check.report.options.seed,
    )
    return replace(check, analysis_id=str(getattr(stored, "id", stored)))


def run_drift_check(
    source: Any,
    current: Window,
    *,
    run_id: str | None = None,
    name: str = "",
    **compare: Any,
) -> DriftCheck:
    """:func:`compute_drift` then :func:`store_drift` through the same ``source`` (a writable
    ``Store`` or an ``EngineClient``); ``compare`` takes compute_drift's keywords."""
    return store_drift(source, compute_drift(source, current, **compare), run_id=run_id, name=name)
