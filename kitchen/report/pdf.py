"""The PDF report, drawn with matplotlib's ``PdfPages`` (imported lazily): text pages first
(the summary and every table, set in a monospaced font so columns line up), then plot pages.

Pages are A4 portrait. The file carries no creation date, so the same store gives the same bytes.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kitchen.report import fmt, plots
from kitchen.report.data import ExperimentReport, ReportData, RunReport

if TYPE_CHECKING:
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

PAGE = (8.27, 11.69)
TOP, BOTTOM, LEFT = 0.95, 0.05, 0.07
CHARS = 100  # monospaced characters per line at the body size
CELL = 28  # widest a table cell gets before it is cut


@dataclass
class TextFlow:
    """Lines of text laid out top to bottom, a new page when one fills."""

    lines: list[tuple[str, float, str, str]] = field(default_factory=list)

    def title(self, text: str) -> None:
        self.lines.append((text, 17, "bold", "sans-serif"))

    def heading(self, text: str) -> None:
        self.lines.append(("", 6, "normal", "sans-serif"))
        self.lines.append((text, 12, "bold", "sans-serif"))

    def para(self, text: str) -> None:
        for line in textwrap.wrap(text, 92) or [""]:
            self.lines.append((line, 9.5, "normal", "sans-serif"))

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        cells = [[_cut(str(c)) for c in row] for row in [list(headers), *rows]]
        widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
        for n, row in enumerate(cells):
            line = "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            self.lines.append((line[:CHARS], 7.5, "bold" if n == 0 else "normal", "monospace"))

    def spec(self, spec: fmt.TableSpec) -> None:
        """A table from a shared table definition (columns line up; none is right-aligned)."""
        self.table(spec.headers, spec.rows)

    def pages(self, pdf: PdfPages) -> int:
        """Write the lines out; returns the pages written."""
        count = 0
        y = TOP
        fig = None
        for text, size, weight, family in self.lines:
            step = size * 1.45 / 72 / PAGE[1]
            # A heading never ends a page: it moves over with the lines it introduces.
            room = step * (4 if size >= 12 else 1)
            if fig is None or y - room < BOTTOM:
                if fig is not None:
                    _save(pdf, fig)
                fig = plots.new_figure(*PAGE)
                count += 1
                y = TOP
            fig.text(LEFT, y, text, fontsize=size, weight=weight, family=family, va="top")
            y -= step
        if fig is not None:
            _save(pdf, fig)
        return count


def render_pdf(data: ReportData) -> bytes:
    """The report as a PDF document."""
    from matplotlib.backends.backend_pdf import PdfPages

    buffer = io.BytesIO()
    with plots.styled():
        metadata: dict[str, Any] = {
            "Title": data.title,
            "Creator": "kitchen report",
            "CreationDate": None,
        }
        with PdfPages(buffer, metadata=metadata) as pdf:
            flow = TextFlow()
            flow.title(data.title)
            if data.run is not None:
                _run_text(flow, data.run)
                flow.pages(pdf)
                _run_plots(pdf, data.run)
            elif data.experiment is not None:
                _experiment_text(flow, data.experiment)
                flow.pages(pdf)
                _experiment_plots(pdf, data.experiment)
            flow_end = TextFlow()
            flow_end.para(f"Built by kitchen report from the Kitchen store alone · {data.schema}")
            if pdf.get_pagecount() < 2:
                flow_end.pages(pdf)  # a report always has a summary page and a second one
    return buffer.getvalue()


def _run_text(flow: TextFlow, report: RunReport) -> None:
    h = report.header
    flow.para(f"Run {h.id} · {h.recipe} · {h.status}")
    facts = [
        ("experiment", h.experiment),
        ("model", h.model),
        ("dataset", h.dataset),
        ("tasks", ", ".join(h.tasks)),
        ("seed", h.seed),
        ("created", fmt.when(h.created_at)),
        ("duration", fmt.duration(h.duration_s) if h.duration_s is not None else None),
        ("git commit", h.git_commit),
        ("error", h.error),
    ]
    flow.heading("Summary")
    flow.table(["", ""], [(k, v) for k, v in facts if v not in (None, "")])
    if report.metrics:
        flow.heading("Final metrics")
        flow.table(["metric", "baseline", "final", "delta"], fmt.metrics_table(report).rows)
    for task in report.evals:
        p = task.binary
        flow.heading(f"Evaluation: {task.task} ({task.phase}, step {task.step})")
        flow.table(
            ["score", "95% CI", "n", "epochs", "tokens in/out", "latency mean"],
            [
                [
                    fmt.score(task.mean, proportion=p),
                    fmt.interval(task.ci, proportion=p),
                    task.n,
                    task.epochs,
                    f"{fmt.num(task.input_tokens_mean, 3)}/{fmt.num(task.output_tokens_mean, 3)}",
                    fmt.num(task.latency_mean_s, 3),
                ]
            ],
        )
        if task.vs_baseline is not None:
            t = task.vs_baseline
            flow.para(t.verdict)
            flow.table(
                ["test", "p-value", "final - baseline", "effect"],
                fmt.baseline_test_table(t, proportion=p).rows,
            )
        if task.groups:
            flow.spec(fmt.groups_table(task))
        worst = task.samples[:10]
        if worst:
            flow.para(f"Lowest-scoring samples ({len(worst)} of {task.samples_total}):")
            flow.table(
                ["sample", "score", "target", "output"],
                [
                    [s.sample_id, fmt.num(s.score), _one_line(s.target), _one_line(s.output)]
                    for s in worst
                ],
            )
    if not report.evals:
        flow.heading("Evaluation")
        flow.para("No per-sample evaluation results were stored for this run.")
    for c in report.comparisons:
        flow.heading(f"Compared with {c.other_name}: {c.task}")
        flow.para(c.test.verdict if c.test else c.note or "")
    if report.comparison_note:
        flow.heading("Comparison")
        flow.para(report.comparison_note)
    if report.stages:
        flow.heading("Stage timings")
        flow.table(
            ["stage", "outcome", "duration"],
            [[s.path, s.event, fmt.duration(s.duration_s)] for s in report.stages],
        )
    flow.heading("Configuration")
    if report.secrets_dropped:
        flow.para(f"{report.secrets_dropped} secret-looking value(s) left out.")
    flow.spec(fmt.config_table(report, limit=60))
    if report.lineage:
        flow.heading("Lineage")
        flow.spec(fmt.lineage_table(report))
    if report.models:
        flow.heading("Registered model versions")
        flow.table(
            ["model", "version", "stage", "aliases"],
            [[m.model, m.version, m.stage, ", ".join(m.aliases)] for m in report.models],
        )


def _run_plots(pdf: PdfPages, report: RunReport) -> None:
    draws = [plots.draw_curve(c) for c in report.curves]
    draws += [
        plots.draw_histogram(t.histogram, f"{t.task}: score distribution") for t in report.evals
    ]
    per_page = 6
    for start in range(0, len(draws), per_page):
        fig = plots.new_figure(*PAGE)
        for i, draw in enumerate(draws[start : start + per_page]):
            draw(fig.add_subplot(3, 2, i + 1))
        _save(pdf, fig)


def _experiment_text(flow: TextFlow, report: ExperimentReport) -> None:
    flow.para(f"{'Batch experiment' if report.batch else 'Experiment'} · {len(report.runs)} runs")
    if report.description:
        flow.para(report.description)
    for note in report.notes:
        flow.para(note)
    if report.batch:
        flow.heading("Design and outcome")
        flow.table(["", ""], fmt.design_facts(report))
    if report.conditions:
        flow.heading("Conditions")
        flow.table(
            ["condition", "n", "mean", "std", "95% CI"],
            [
                [c.name, c.n, fmt.num(c.mean), fmt.num(c.std), fmt.interval(c.ci)]
                for c in report.conditions
            ],
        )
    if report.omnibus is not None:
        flow.heading("Omnibus test")
        flow.para(report.omnibus.verdict)
    if report.pairwise:
        flow.heading("Pairwise comparisons")
        flow.table(
            ["a", "b", "diff", "95% CI", "p", "p adj", "sig", "effect"],
            [
                [
                    p.a,
                    p.b,
                    fmt.signed(p.estimate),
                    fmt.interval(p.ci),
                    fmt.pvalue(p.p_value),
                    fmt.pvalue(p.p_adjusted),
                    "yes" if p.significant else "no",
                    f"{p.effect_name} = {p.effect_value:.2f}"
                    if p.effect_name and p.effect_value is not None
                    else fmt.DASH,
                ]
                for p in report.pairwise
            ],
        )
    if report.dead_letter:
        flow.heading("Dead letter")
        flow.spec(fmt.dead_table(report))
    flow.heading("Runs")
    keys = report.metric_keys
    flow.table(
        ["run", "status", "duration", *keys],
        [
            [
                r.name,
                r.status,
                fmt.duration(r.duration_s),
                *(fmt.num(r.metrics.get(k)) for k in keys),
            ]
            for r in report.runs
        ],
    )


def _experiment_plots(pdf: PdfPages, report: ExperimentReport) -> None:
    if not report.conditions:
        return
    fig = plots.new_figure(*PAGE)
    plots.draw_conditions(report.conditions, report.metric or "metric", report.best)(
        fig.add_subplot(2, 1, 1)
    )
    _save(pdf, fig)


def _save(pdf: PdfPages, fig: Figure) -> None:
    pdf.savefig(fig)  # type: ignore[no-untyped-call]


def _cut(text: str) -> str:
    return text if len(text) <= CELL else text[: CELL - 1] + "…"


def _one_line(text: str) -> str:
    return " ".join(text.split())
