"""The JSON report: every record of :class:`ReportData`, machine-readable.

Keys are the dataclasses' field names (stable, documented in ``docs/reports.md``); NaN and
infinities become ``null`` so any JSON parser reads the file (``json.loads`` round-trips).
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

from kitchen.report.data import ReportData


def to_plain(value: Any) -> Any:
    """Dataclasses, tuples and mappings as JSON-ready values; non-finite floats as None."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def render_json(data: ReportData) -> bytes:
    """The report as indented UTF-8 JSON."""
    text = json.dumps(to_plain(data), indent=2, ensure_ascii=False, allow_nan=False, default=str)
    return (text + "\n").encode("utf-8")
