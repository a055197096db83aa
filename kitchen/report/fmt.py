"""Number and text formatting shared by the HTML, Markdown and PDF renderers."""

from __future__ import annotations

import math

from kitchen.report.data import CI, EvalTask, ExperimentReport, TestSummary

DASH = "—"


def num(value: float | int | None, digits: int = 4) -> str:
    """A number with ``digits`` significant digits; a dash for None or NaN."""
    if value is None:
        return DASH
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return DASH
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return f"{value:.{digits}g}"


def signed(value: float | None, digits: int = 4) -> str:
    """A difference with its sign (``+0.12``, ``−0.3``)."""
    if value is None or math.isnan(value):
        return DASH
    text = num(abs(value), digits)
    return ("+" if value >= 0 else "−") + text


def pct(value: float | None, digits: int = 1) -> str:
    """A proportion as a percentage."""
    if value is None or math.isnan(value):
        return DASH
    return f"{100 * value:.{digits}f}%"


def score(value: float | None, *, proportion: bool) -> str:
    """A mean score: a percentage for 0/1 scores, else a number."""
    return pct(value) if proportion else num(value)


def interval(ci: CI | None, *, proportion: bool = False) -> str:
    """``48.1–74.2%`` or ``[0.55, 0.70]``; a dash without one."""
    if ci is None:
        return DASH
    if proportion:
        return f"{100 * ci.low:.1f}–{100 * ci.high:.1f}%"
    return f"[{num(ci.low)}, {num(ci.high)}]"


def pvalue(p: float | None) -> str:
    """``< 0.001`` or three significant digits."""
    if p is None or math.isnan(p):
        return DASH
    return "< 0.001" if p < 0.001 else f"{p:.3g}"


def duration(seconds: float | None) -> str:
    """``42.0 s``, ``3 min 12 s``, ``2 h 05 min``."""
    if seconds is None or math.isnan(seconds):
        return DASH
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def effect(test: TestSummary | None) -> str:
    """``small (h = 0.21)``."""
    if test is None or test.effect_name is None or test.effect_value is None:
        return DASH
    return f"{test.effect_interpretation} ({test.effect_name} = {test.effect_value:.2f})"


def difference(test: TestSummary | None, *, proportion: bool) -> str:
    """The estimated difference with its CI, in points for 0/1 scores."""
    if test is None or test.estimate is None:
        return DASH
    if proportion:
        text = f"{signed(100 * test.estimate, 3)} pts"
        if test.ci is not None:
            text += f" (95% CI {signed(100 * test.ci.low, 3)} to {signed(100 * test.ci.high, 3)})"
        return text
    text = signed(test.estimate)
    if test.ci is not None:
        text += f" (95% CI {signed(test.ci.low)} to {signed(test.ci.high)})"
    return text


def task_score(task: EvalTask) -> str:
    """The task's mean score with its CI, e.g. ``62.0% (95% CI 48.1–74.2%)``."""
    proportion = task.binary
    text = score(task.mean, proportion=proportion)
    if task.ci is not None:
        text += f" (95% CI {interval(task.ci, proportion=proportion)})"
    return text


def value(value: object, limit: int = 120) -> str:
    """A config value as short text."""
    import json

    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def when(iso: str | None) -> str | None:
    """An ISO time as ``2026-01-31 14:05:09 UTC`` (seconds are enough in a report)."""
    if not iso:
        return None
    from datetime import datetime

    moment = datetime.fromisoformat(iso)
    zone = "" if moment.tzinfo is None else f" {moment.tzname() or ''}".replace("UTC+00:00", "UTC")
    return moment.strftime("%Y-%m-%d %H:%M:%S") + zone.rstrip()


DEAD_HEADERS = ["condition", "seed", "why", "attempt", "run", "status", "error"]


def dead_rows(report: ExperimentReport) -> list[list[object]]:
    """One row per attempt of each dead-letter condition × seed."""
    rows: list[list[object]] = []
    for d in report.dead_letter:
        for i, a in enumerate(d.attempts or [None]):
            first = i == 0
            rows.append(
                [
                    d.condition if first else "",
                    d.seed if first else "",
                    d.reason if first else "",
                    DASH if a is None else f"#{a.attempt}",
                    DASH if a is None else a.run_id,
                    DASH if a is None else a.status,
                    "" if a is None else a.error or "",
                ]
            )
    return rows


def design_facts(report: ExperimentReport) -> list[tuple[str, object]]:
    """The batch experiment's design and outcome as (label, value) pairs that are set."""
    counts = ", ".join(f"{n} {state}" for state, n in sorted(report.counts.items()))
    facts: list[tuple[str, object]] = [
        ("Recipe", report.recipe),
        ("Metric", report.metric),
        ("Goal", report.goal),
        ("Baseline", report.baseline),
        ("Significance level", report.alpha),
        ("Correction", report.correction),
        ("Condition × seeds", counts or None),
        ("Best condition", report.best or "none"),
        ("Why", report.best_reason),
    ]
    return [(k, v) for k, v in facts if v not in (None, "")]


def pairwise_headers(report: ExperimentReport) -> list[str]:
    """The pairwise-comparison table's headers (the correction named in the adjusted p)."""
    return [
        "a",
        "b",
        "test",
        "difference (a − b)",
        "95% CI",
        "p",
        f"p ({report.correction or 'corrected'})",
        "significant",
        "effect size",
    ]


PAIRWISE_NUMERIC = (3, 5, 6)
"""The pairwise table's right-aligned columns."""


def pairwise_rows(report: ExperimentReport) -> list[list[object]]:
    """One row per compared pair of conditions."""
    return [
        [
            p.a,
            p.b,
            p.test,
            signed(p.estimate),
            interval(p.ci),
            pvalue(p.p_value),
            pvalue(p.p_adjusted),
            "yes" if p.significant else "no",
            f"{p.effect_interpretation} ({p.effect_name} = {p.effect_value:.2f})"
            if p.effect_name and p.effect_value is not None
            else DASH,
        ]
        for p in report.pairwise
    ]
