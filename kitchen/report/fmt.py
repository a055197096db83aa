"""Number and text formatting shared by the HTML, Markdown and PDF renderers."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from kitchen.report.data import CI, EvalTask, ExperimentReport, RunHeader, RunReport, TestSummary

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


# -- tables more than one renderer draws the same way ------------------------------------------


@dataclass(frozen=True)
class TableSpec:
    """A table's headers, its rows of cells, and which columns are numbers (right-aligned)."""

    headers: list[str]
    rows: list[list[object]]
    numeric: tuple[int, ...] = ()


def run_facts(header: RunHeader) -> list[tuple[str, object]]:
    """A run's summary as (label, value) pairs, empty ones included."""
    h = header
    return [
        ("Run id", h.id),
        ("Experiment", h.experiment),
        ("Recipe", h.recipe),
        ("Status", h.status),
        ("Model", h.model),
        ("Dataset", h.dataset),
        ("Tasks", ", ".join(h.tasks)),
        ("Seed", h.seed),
        ("Created", when(h.created_at)),
        ("Started", when(h.started_at)),
        ("Finished", when(h.finished_at)),
        ("Duration", duration(h.duration_s) if h.duration_s is not None else None),
        ("Git commit", h.git_commit),
        ("Error", h.error),
    ]


def metrics_table(report: RunReport) -> TableSpec:
    """Each metric's baseline, final value and change."""
    return TableSpec(
        ["metric", "baseline", "final", "Δ"],
        [[m.key, num(m.baseline), num(m.final), signed(m.delta)] for m in report.metrics],
        (1, 2, 3),
    )


def comparisons_table(report: RunReport, other: str = "") -> TableSpec:
    """The paired comparison with another run, one row per shared task; the fourth column is
    headed ``other`` (``other run`` when empty)."""
    rows: list[list[object]] = []
    for c in report.comparisons:
        proportion = c.test is not None and c.test.effect_name == "h"
        rows.append(
            [
                c.task,
                c.n_pairs,
                score(c.mean_this, proportion=proportion),
                score(c.mean_other, proportion=proportion),
                c.test.test if c.test else DASH,
                pvalue(c.test.p_value) if c.test else DASH,
                difference(c.test, proportion=proportion),
                effect(c.test),
            ]
        )
    headers = [
        "task",
        "pairs",
        "this run",
        other or "other run",
        "test",
        "p-value",
        "difference (this − other)",
        "effect size",
    ]
    return TableSpec(headers, rows, (1, 2, 3, 5))


def stages_table(report: RunReport) -> TableSpec:
    """Each stage event with its duration."""
    return TableSpec(
        ["stage", "path", "outcome", "duration"],
        [[s.stage, s.path, s.event, duration(s.duration_s)] for s in report.stages],
        (3,),
    )


def config_table(report: RunReport, limit: int = 120) -> TableSpec:
    """The run's public parameters, values cut at ``limit`` characters."""
    return TableSpec(["key", "value"], [[k, value(v, limit)] for k, v in report.config.items()])


def lineage_table(report: RunReport) -> TableSpec:
    """The run's lineage edges."""
    return TableSpec(
        ["from", "relation", "to"],
        [
            [f"{x.src_kind} {x.src_id}", x.relation, f"{x.dst_kind} {x.dst_id}"]
            for x in report.lineage
        ],
    )


def models_table(report: RunReport) -> TableSpec:
    """The model versions registered from the run."""
    return TableSpec(
        ["model", "version", "stage", "aliases", "registered"],
        [
            [m.model, m.version, m.stage, ", ".join(f"@{a}" for a in m.aliases), when(m.created_at)]
            for m in report.models
        ],
        (1,),
    )


def baseline_test_table(test: TestSummary, *, proportion: bool) -> TableSpec:
    """The paired test of the final evaluation against the baseline."""
    return TableSpec(
        ["test", "p-value", "difference (final − baseline)", "effect size"],
        [
            [
                test.test,
                pvalue(test.p_value),
                difference(test, proportion=proportion),
                effect(test),
            ]
        ],
    )


def groups_table(task: EvalTask) -> TableSpec:
    """The task's score per group (``field: value``)."""
    p = task.binary
    return TableSpec(
        ["group", "n", "score", "95% CI"],
        [
            [
                f"{g.field}: {g.value}",
                g.n,
                score(g.mean, proportion=p),
                interval(g.ci, proportion=p),
            ]
            for g in task.groups
        ],
        (1, 2),
    )


def samples_table(task: EvalTask) -> TableSpec:
    """The task's shown samples, lowest scores first."""
    return TableSpec(
        ["sample", "epoch", "input", "target", "output", "score"],
        [[s.sample_id, s.epoch, s.input, s.target, s.output, num(s.score)] for s in task.samples],
        (1, 5),
    )


def conditions_table(report: ExperimentReport, *, star_best: bool = False) -> TableSpec:
    """Each condition's mean, spread, CI and per-seed values; ``★`` marks the best one when
    ``star_best``."""
    best = report.best if star_best else None
    return TableSpec(
        ["condition", "n", "mean", "std", "95% CI", "per seed"],
        [
            [
                ("★ " if c.name == best else "") + c.name,
                c.n,
                num(c.mean),
                num(c.std),
                interval(c.ci),
                ", ".join(num(v) for v in c.values),
            ]
            for c in report.conditions
        ],
        (1, 2, 3),
    )


def omnibus_table(test: TestSummary) -> TableSpec:
    """The omnibus test across conditions."""
    return TableSpec(
        ["test", "statistic", "p-value", "effect size"],
        [[test.test, num(test.statistic), pvalue(test.p_value), effect(test)]],
        (1, 2),
    )


def runs_table(report: ExperimentReport, status: Callable[[str], object] = str) -> TableSpec:
    """The experiment's runs with their durations and metrics (condition and seed for a batch
    experiment); ``status`` draws the status cell. The numeric columns are the duration's
    followers (the metrics)."""
    keys = report.metric_keys
    headers = (
        ["run", "status"] + (["condition", "seed"] if report.batch else []) + ["duration", *keys]
    )
    rows: list[list[object]] = []
    for r in report.runs:
        row: list[object] = [r.name, status(r.status)]
        if report.batch:
            row += [r.condition or "", num(r.seed)]
        row += [duration(r.duration_s), *(num(r.metrics.get(k)) for k in keys)]
        rows.append(row)
    first = 4 if report.batch else 2
    return TableSpec(headers, rows, tuple(range(first + 1, len(headers))))


def pairwise_table(report: ExperimentReport) -> TableSpec:
    """The pairwise comparisons of a batch experiment's conditions."""
    return TableSpec(pairwise_headers(report), pairwise_rows(report), PAIRWISE_NUMERIC)


def dead_table(report: ExperimentReport) -> TableSpec:
    """The dead-letter condition × seeds, one row per attempt."""
    return TableSpec(DEAD_HEADERS, dead_rows(report))
