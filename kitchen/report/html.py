"""The HTML report: one self-contained file (inline CSS, plots as inline SVG, no script, no
external URL), readable offline and printable.

Every piece of text from the store goes through :func:`html.escape`; only fragments this module
builds itself are marked :class:`Raw`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from kitchen.report import fmt, plots
from kitchen.report.data import (
    EvalTask,
    ExperimentReport,
    ReportData,
    RunReport,
    TestSummary,
)
from kitchen.report.style import CSS


class Raw(str):
    """HTML this module built; inserted as is."""


def e(text: object) -> str:
    """Escaped text (a :class:`Raw` fragment passes unchanged)."""
    if isinstance(text, Raw):
        return text
    return html.escape(str(text), quote=True)


def render_html(data: ReportData) -> bytes:
    """The report as a UTF-8 HTML document."""
    if data.run is not None:
        body = _run(data.run)
        kicker = "Kitchen run report"
    else:
        assert data.experiment is not None
        body = _experiment(data.experiment)
        kicker = "Kitchen experiment report"
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(data.title)}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<main>\n"
        f'<header class="top"><p class="kicker">{e(kicker)}</p><h1>{e(data.title)}</h1>'
        f"{body}\n"
        f"<footer>Built by <code>kitchen report</code> from the Kitchen store alone · "
        f"{e(data.schema)}</footer>\n</main>\n</body>\n</html>\n"
    )
    return page.encode("utf-8")


# -- building blocks ---------------------------------------------------------------------------


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    numeric: Sequence[int] = (),
    cls: str = "",
) -> str:
    """A table; columns in ``numeric`` are right-aligned."""
    head = "".join(
        f'<th class="num">{e(h)}</th>' if i in numeric else f"<th>{e(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{e(c)}</td>' if i in numeric else f"<td>{e(c)}</td>"
            for i, c in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    klass = f' class="{cls}"' if cls else ""
    return (
        f'<div class="scroll"><table{klass}><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def spec_table(spec: fmt.TableSpec, *, cls: str = "") -> str:
    """A table from a shared table definition."""
    return table(spec.headers, spec.rows, numeric=spec.numeric, cls=cls)


def section(anchor: str, title: str, content: str, note: str = "") -> str:
    """A titled section."""
    extra = f'<p class="note">{e(note)}</p>' if note else ""
    return f'\n<section id="{anchor}"><h2>{e(title)}</h2>{extra}{content}</section>'


def figure(svg: str) -> str:
    """An inline SVG made responsive (its viewBox keeps the aspect ratio)."""
    svg = re.sub(r'^<svg([^>]*?)\swidth="[^"]*"\sheight="[^"]*"', r'<svg\1 width="100%"', svg)
    return f'<figure class="plot">{svg}</figure>'


def stats(items: Sequence[tuple[str, str]]) -> str:
    """A row of headline numbers."""
    cells = "".join(
        f'<div class="stat"><span class="label">{e(k)}</span>'
        f'<span class="value">{e(v)}</span></div>'
        for k, v in items
    )
    return f'<div class="stats">{cells}</div>'


def facts(items: Sequence[tuple[str, object]]) -> str:
    """A definition list of the non-empty facts."""
    rows = "".join(
        f"<div><dt>{e(k)}</dt><dd>{e(v)}</dd></div>" for k, v in items if v not in (None, "")
    )
    return f'<dl class="facts">{rows}</dl>'


def verdict(test: TestSummary | None, fallback: str) -> str:
    """The verdict sentence in a box coloured by significance."""
    if test is None:
        return f'<p class="verdict neutral">{e(fallback)}</p>'
    tone = "good" if test.significant else "neutral"
    return f'<p class="verdict {tone}">{e(test.verdict)}</p>'


def badge(status: str) -> str:
    """A run status as a coloured pill."""
    tone = {"succeeded": "good", "failed": "bad", "running": "live"}.get(status, "neutral")
    return Raw(f'<span class="badge {tone}">{e(status)}</span>')


# -- a run -------------------------------------------------------------------------------------


def _run(report: RunReport) -> str:
    h = report.header
    parts = [
        f'<p class="sub"><code>{e(h.id)}</code> · {e(h.recipe)} · {badge(h.status)}</p></header>',
        section(
            "summary",
            "Summary",
            # The id and the status are in the line above.
            facts([(k, v) for k, v in fmt.run_facts(h) if k not in ("Run id", "Status")]),
        ),
    ]
    if report.metrics:
        parts.append(section("metrics", "Final metrics", spec_table(fmt.metrics_table(report))))
    if report.curves:
        figures = "".join(
            figure(plots.svg(plots.draw_curve(c), salt=f"curve{i}"))
            for i, c in enumerate(report.curves)
        )
        parts.append(section("curves", "Curves", f'<div class="grid">{figures}</div>'))
    if report.evals:
        parts.append(
            section(
                "evaluation", "Evaluation", "".join(_task(t, i) for i, t in enumerate(report.evals))
            )
        )
    else:
        parts.append(
            section(
                "evaluation",
                "Evaluation",
                '<p class="empty">No per-sample evaluation results were stored for this run.</p>',
            )
        )
    if report.comparisons or report.comparison_note:
        parts.append(_comparison(report))
    if report.stages:
        parts.append(section("stages", "Stage timings", spec_table(fmt.stages_table(report))))
    note = (
        f"{report.secrets_dropped} secret-looking value(s) left out."
        if report.secrets_dropped
        else ""
    )
    config = (
        spec_table(fmt.config_table(report), cls="kv")
        if report.config
        else '<p class="empty">No parameters recorded.</p>'
    )
    parts.append(section("config", "Configuration", config, note))
    lineage = []
    if report.lineage:
        lineage.append(spec_table(fmt.lineage_table(report)))
    if report.models:
        lineage.append("<h3>Registered model versions</h3>")
        lineage.append(spec_table(fmt.models_table(report)))
    if lineage:
        parts.append(section("lineage", "Lineage and models", "".join(lineage)))
    return "".join(parts)


def _task(task: EvalTask, index: int) -> str:
    proportion = task.binary
    headline = [
        ("accuracy" if proportion else "mean score", fmt.score(task.mean, proportion=proportion)),
        ("95% CI", fmt.interval(task.ci, proportion=proportion)),
        ("samples", str(task.n)),
        ("epochs", str(task.epochs)),
        (
            "tokens in / out",
            f"{fmt.num(task.input_tokens_mean, 3)} / {fmt.num(task.output_tokens_mean, 3)}",
        ),
        ("latency mean / p95", f"{_seconds(task.latency_mean_s)} / {_seconds(task.latency_p95_s)}"),
    ]
    parts = [
        f'<article class="task"><h3>{e(task.task)} '
        f'<span class="muted">{e(task.phase)} at step {task.step}</span></h3>',
        stats(headline),
    ]
    if task.baseline_mean is not None:
        parts.append(
            '<p class="compare-line">'
            f"Baseline {e(fmt.score(task.baseline_mean, proportion=proportion))} → final "
            f"{e(fmt.score(task.mean, proportion=proportion))} "
            f"on {task.baseline_n} baseline samples</p>"
        )
        parts.append(verdict(task.vs_baseline, "Too few shared samples for a paired test."))
        if task.vs_baseline is not None:
            parts.append(
                spec_table(fmt.baseline_test_table(task.vs_baseline, proportion=proportion))
            )
    side = ""
    if task.groups:
        side = table(
            [
                task.groups[0].field if len({g.field for g in task.groups}) == 1 else "group",
                "n",
                "score",
                "95% CI",
            ],
            [
                [
                    g.value
                    if len({x.field for x in task.groups}) == 1
                    else f"{g.field}: {g.value}",
                    g.n,
                    fmt.score(g.mean, proportion=proportion),
                    fmt.interval(g.ci, proportion=proportion),
                ]
                for g in task.groups
            ],
            numeric=(1, 2, 3),
        )
    hist = figure(
        plots.svg(plots.draw_histogram(task.histogram, "score distribution"), salt=f"hist{index}")
    )
    parts.append(
        f'<div class="grid two">{hist}<div>{side}</div></div>'
        if side
        else f'<div class="grid">{hist}</div>'
    )
    shown = len(task.samples)
    parts.append(
        f"<details open><summary>Samples — {shown} of {task.samples_total}, "
        "lowest scores first</summary>"
        + spec_table(fmt.samples_table(task), cls="samples")
        + "</details></article>"
    )
    return "".join(parts)


def _comparison(report: RunReport) -> str:
    other = report.comparisons[0].other_name if report.comparisons else ""
    blocks = [verdict(c.test, c.note or "No test.") for c in report.comparisons]
    comparisons = fmt.comparisons_table(report, other)
    content = ""
    if comparisons.rows:
        content = spec_table(comparisons) + "".join(blocks)
    return section(
        "comparison",
        f"Paired comparison with {other}".strip(),
        content,
        report.comparison_note or "",
    )


def _seconds(value: float | None) -> str:
    return fmt.DASH if value is None else f"{value:.3g} s"


# -- an experiment -----------------------------------------------------------------------------


def _experiment(report: ExperimentReport) -> str:
    sub = "batch experiment" if report.batch else "experiment"
    parts = [
        f'<p class="sub">{e(sub)} · {len(report.runs)} runs'
        + (f" · {e(report.recipe)}" if report.recipe else "")
        + "</p></header>"
    ]
    if report.description:
        parts.append(f'<p class="lead">{e(report.description)}</p>')
    parts += [f'<p class="note">{e(n)}</p>' for n in report.notes]
    if report.batch:
        parts.append(section("design", "Design and outcome", facts(fmt.design_facts(report))))
    if report.conditions:
        plot = figure(
            plots.svg(
                plots.draw_conditions(report.conditions, report.metric or "metric", report.best),
                salt="conditions",
                width=6.4,
                height=3.2,
            )
        )
        parts.append(
            section(
                "conditions",
                "Conditions",
                spec_table(fmt.conditions_table(report, star_best=True))
                + f'<div class="grid one">{plot}</div>',
            )
        )
    if report.omnibus is not None:
        o = report.omnibus
        parts.append(
            section(
                "omnibus",
                "Omnibus test",
                verdict(o, "") + spec_table(fmt.omnibus_table(o)),
            )
        )
    if report.pairwise:
        parts.append(
            section(
                "pairwise",
                "Pairwise comparisons",
                spec_table(fmt.pairwise_table(report)),
            )
        )
    if report.dead_letter:
        parts.append(
            section(
                "dead-letter",
                "Dead letter",
                spec_table(fmt.dead_table(report)),
                "Condition × seeds that gave up; they are left out of the analysis.",
            )
        )
    if report.runs:
        parts.append(section("runs", "Runs", spec_table(fmt.runs_table(report, status=badge))))
    else:
        parts.append(
            section("runs", "Runs", '<p class="empty">This experiment has no runs yet.</p>')
        )
    return "".join(parts)
