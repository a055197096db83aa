"""Production feedback: read event files, validate events, redact PII, flag output quality.

The engine's ``POST /v1/feedback`` route calls :func:`prepare_events` on every batch before it
stores anything; ``kitchen feedback ingest`` reads files with :func:`read_events` and runs the
same validation locally first, so a bad line stops the ingest before any batch is sent.
"""

from __future__ import annotations

from kitchen.analysis.feedback.events import (
    EventError,
    PreparedEvents,
    normalise_signal,
    parse_model,
    prepare_events,
    rating_signal,
    validate_event,
)
from kitchen.analysis.feedback.files import EventFile, parse_mapping, read_events
from kitchen.analysis.feedback.quality import (
    DEFAULT_QUALITY,
    FLAGS,
    REFUSAL_PATTERNS,
    QualityConfig,
    quality_flags,
    repeated_ngram_share,
)
from kitchen.analysis.feedback.redact import KINDS, PLACEHOLDERS, Redacted, luhn_valid, redact

__all__ = [
    "DEFAULT_QUALITY",
    "FLAGS",
    "KINDS",
    "PLACEHOLDERS",
    "REFUSAL_PATTERNS",
    "EventError",
    "EventFile",
    "PreparedEvents",
    "QualityConfig",
    "Redacted",
    "luhn_valid",
    "normalise_signal",
    "parse_mapping",
    "parse_model",
    "prepare_events",
    "quality_flags",
    "rating_signal",
    "read_events",
    "redact",
    "repeated_ngram_share",
    "validate_event",
]
