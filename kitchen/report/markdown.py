"""The Markdown report: GitHub-style tables, plots as ``data:`` URI SVG images.

Plots are embedded rather than left out so the file stands alone like the HTML one; viewers
that refuse ``data:`` images (github.com does) show the alt text instead, and every number a
plot shows is in a table too. Text from the store is escaped: ``|`` would break a table and
raw HTML (``<script>``) would be passed through by most Markdown renderers.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence

from kitchen.report import fmt, plots
from kitchen.report.data import EvalTask, ExperimentReport, ReportData, RunReport


def cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    out = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = out.replace("|", "\\|").replace("\r", "").replace("\n", "<br>")
    return out.replace("`", "\\`").replace("*", "\\*").replace("_", "\\_") if out else " "


def table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: Sequence[int] = ()
) -> str:
    """A pipe table; columns in ``numeric`` are right-aligned."""
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |"]
    lines.append(
        "|" + "|".join("---:" if i in numeric else "---" for i in range(len(headers))) + "|"
    )
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def spec_table(spec: fmt.TableSpec) -> str:
    """A pipe table from a shared table definition."""
    return table(spec.headers, spec.rows, numeric=spec.numeric)


def image(svg: str, alt: str) -> str:
    """An SVG as a ``data:`` URI image."""
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f"![{cell(alt)}](data:image/svg+xml;base64,{encoded})\n"


def render_markdown(data: ReportData) -> bytes:
    """The report as UTF-8 Markdown."""
    lines = [f"# {cell(data.title)}\n"]
    if data.run is not None:
        lines += _run(data.run)
    elif data.experiment is not None:
        lines += _experiment(data.experiment)
    lines.append(f"\n---\nBuilt by `kitchen report` from the Kitchen store alone · {data.schema}\n")
    return "\n".join(lines).encode("utf-8")


def _run(report: RunReport) -> list[str]:
    facts = fmt.run_facts(report.header)
    out = ["## Summary\n", table(["", ""], [(k, v) for k, v in facts if v not in (None, "")])]
    if report.metrics:
        out += ["## Final metrics\n", spec_table(fmt.metrics_table(report))]
    if report.curves:
        out.append("## Curves\n")
        out += [
            image(plots.svg(plots.draw_curve(c), salt=f"curve{i}"), c.key)
            for i, c in enumerate(report.curves)
        ]
    out.append("## Evaluation\n")
    if not report.evals:
        out.append("No per-sample evaluation results were stored for this run.\n")
    for i, task in enumerate(report.evals):
        out += _task(task, i)
    if report.comparisons or report.comparison_note:
        other = report.comparisons[0].other_name if report.comparisons else ""
        out.append(
            f"## Paired comparison with {cell(other)}\n" if other else "## Paired comparison\n"
        )
        if report.comparison_note:
            out.append(f"{cell(report.comparison_note)}\n")
        comparisons = fmt.comparisons_table(report)
        if comparisons.rows:
            out.append(spec_table(comparisons))
            out += [
                f"> {cell(c.test.verdict if c.test else c.note or '')}\n"
                for c in report.comparisons
            ]
    if report.stages:
        out += ["## Stage timings\n", spec_table(fmt.stages_table(report))]
    out.append("## Configuration\n")
    if report.secrets_dropped:
        out.append(f"{report.secrets_dropped} secret-looking value(s) left out.\n")
    out.append(
        spec_table(fmt.config_table(report)) if report.config else "No parameters recorded.\n"
    )
    if report.lineage:
        out += ["## Lineage\n", spec_table(fmt.lineage_table(report))]
    if report.models:
        out += ["## Registered model versions\n", spec_table(fmt.models_table(report))]
    return out


def _task(task: EvalTask, index: int) -> list[str]:
    p = task.binary
    out = [
        f"### {cell(task.task)} ({task.phase} at step {task.step})\n",
        table(
            [
                "score",
                "95% CI",
                "samples",
                "epochs",
                "tokens in",
                "tokens out",
                "latency mean",
                "latency p95",
            ],
            [
                [
                    fmt.score(task.mean, proportion=p),
                    fmt.interval(task.ci, proportion=p),
                    task.n,
                    task.epochs,
                    fmt.num(task.input_tokens_mean, 3),
                    fmt.num(task.output_tokens_mean, 3),
                    fmt.num(task.latency_mean_s, 3),
                    fmt.num(task.latency_p95_s, 3),
                ]
            ],
            numeric=tuple(range(8)),
        ),
    ]
    if task.baseline_mean is not None:
        out.append(
            f"Baseline {fmt.score(task.baseline_mean, proportion=p)} → final "
            f"{fmt.score(task.mean, proportion=p)} ({task.baseline_n} baseline samples).\n"
        )
        t = task.vs_baseline
        out.append(f"> {cell(t.verdict) if t else 'Too few shared samples for a paired test.'}\n")
        if t is not None:
            out.append(spec_table(fmt.baseline_test_table(t, proportion=p)))
    out.append(
        table(
            ["score", "samples"],
            [
                [
                    fmt.num(b.low) if b.low == b.high else f"{fmt.num(b.low)}–{fmt.num(b.high)}",
                    b.count,
                ]
                for b in task.histogram
            ],
            numeric=(1,),
        )
    )
    out.append(
        image(
            plots.svg(
                plots.draw_histogram(task.histogram, "score distribution"), salt=f"hist{index}"
            ),
            f"{task.task} score distribution",
        )
    )
    if task.groups:
        out.append(spec_table(fmt.groups_table(task)))
    out.append(f"Samples: {len(task.samples)} of {task.samples_total}, lowest scores first.\n")
    out.append(spec_table(fmt.samples_table(task)))
    return out


def _experiment(report: ExperimentReport) -> list[str]:
    out = [f"{'Batch experiment' if report.batch else 'Experiment'} · {len(report.runs)} runs\n"]
    if report.description:
        out.append(f"{cell(report.description)}\n")
    out += [f"_{cell(n)}_\n" for n in report.notes]
    if report.batch:
        out += ["## Design and outcome\n", table(["", ""], fmt.design_facts(report))]
    if report.conditions:
        out += [
            "## Conditions\n",
            spec_table(fmt.conditions_table(report)),
            image(
                plots.svg(
                    plots.draw_conditions(
                        report.conditions, report.metric or "metric", report.best
                    ),
                    salt="conditions",
                    width=6.4,
                    height=3.2,
                ),
                "per-condition means with 95% CI",
            ),
        ]
    if report.omnibus is not None:
        o = report.omnibus
        out += [
            "## Omnibus test\n",
            f"> {cell(o.verdict)}\n",
            spec_table(fmt.omnibus_table(o)),
        ]
    if report.pairwise:
        out += ["## Pairwise comparisons\n", spec_table(fmt.pairwise_table(report))]
    if report.dead_letter:
        out += ["## Dead letter\n", spec_table(fmt.dead_table(report))]
    out.append("## Runs\n")
    if not report.runs:
        out.append("This experiment has no runs yet.\n")
    else:
        runs = fmt.runs_table(report)
        out.append(table(runs.headers, runs.rows))  # left-aligned, as it always was
    return out
