"""``kitchen report``: a run's or an experiment's report, rebuilt from the store alone.

:func:`build_report` resolves the target, assembles one :class:`ReportData` (every number the
report states, computed once) and hands it to one renderer per format: HTML (self-contained,
inline SVG plots), Markdown, JSON (the records themselves) and PDF (matplotlib's PdfPages).
Matplotlib and scipy are imported only when a report is built.
"""

from __future__ import annotations

from kitchen.report.build import FORMATS, MEDIA_TYPES, assemble, build_report, render
from kitchen.report.data import ReportData

__all__ = ["FORMATS", "MEDIA_TYPES", "ReportData", "assemble", "build_report", "render"]
