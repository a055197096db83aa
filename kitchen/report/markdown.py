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
    h = report.header
    facts = [
        ("Run id", h.id),
        ("Experiment", h.experiment),
        ("Recipe", h.recipe),
        ("Status", h.status),
        ("Model", h.model),
        ("Dataset", h.dataset),
        ("Tasks", ", ".join(h.tasks)),
        ("Seed", h.seed),
        ("Created", fmt.when(h.created_at)),
        ("Started", fmt.when(h.started_at)),
        ("Finished", fmt.when(h.finished_at)),
        ("Duration", fmt.duration(h.duration_s) if h.duration_s is not None else None),
        ("Git commit", h.git_commit),
        ("Error", h.error),
    ]
    out = ["## Summary\n", table(["", ""], [(k, v) for k, v in facts if v not in (None, "")])]
    if report.metrics:
        out += [
            "## Final metrics\n",
            table(
                ["metric", "baseline", "final", "Δ"],
                [
                    [m.key, fmt.num(m.baseline), fmt.num(m.final), fmt.signed(m.delta)]
                    for m in report.metrics
                ],
                numeric=(1, 2, 3),
            ),
        ]
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
        rows = []
        for c in report.comparisons:
            proportion = c.test is not None and c.test.effect_name == "h"
            rows.append(
                [
                    c.task,
                    c.n_pairs,
                    fmt.score(c.mean_this, proportion=proportion),
                    fmt.score(c.mean_other, proportion=proportion),
                    c.test.test if c.test else fmt.DASH,
                    fmt.pvalue(c.test.p_value) if c.test else fmt.DASH,
                    fmt.difference(c.test, proportion=proportion),
                    fmt.effect(c.test),
                ]
            )
        if rows:
            out.append(
                table(
                    [
                        "task",
                        "pairs",
                        "this run",
                        "other run",
                        "test",
                        "p-value",
                        "difference (this − other)",
                        "effect size",
                    ],
                    rows,
                    numeric=(1, 2, 3, 5),
                )
            )
            out += [
                f"> {cell(c.test.verdict if c.test else c.note or '')}\n"
                for c in report.comparisons
            ]
    if report.stages:
        out += [
            "## Stage timings\n",
            table(
                ["stage", "path", "outcome", "duration"],
                [[s.stage, s.path, s.event, fmt.duration(s.duration_s)] for s in report.stages],
                numeric=(3,),
            ),
        ]
    out.append("## Configuration\n")
    if report.secrets_dropped:
        out.append(f"{report.secrets_dropped} secret-looking value(s) left out.\n")
    out.append(
        table(["key", "value"], [[k, fmt.value(v)] for k, v in report.config.items()])
        if report.config
        else "No parameters recorded.\n"
    )
    if report.lineage:
        out += [
            "## Lineage\n",
            table(
                ["from", "relation", "to"],
                [
                    [f"{x.src_kind} {x.src_id}", x.relation, f"{x.dst_kind} {x.dst_id}"]
                    for x in report.lineage
                ],
            ),
        ]
    if report.models:
        out += [
            "## Registered model versions\n",
            table(
                ["model", "version", "stage", "aliases", "registered"],
                [
                    [
                        m.model,
                        m.version,
                        m.stage,
                        ", ".join(f"@{a}" for a in m.aliases),
                        fmt.when(m.created_at),
                    ]
                    for m in report.models
                ],
                numeric=(1,),
            ),
        ]
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
            out.append(
                table(
                    ["test", "p-value", "difference (final − baseline)", "effect size"],
                    [
                        [
                            t.test,
                            fmt.pvalue(t.p_value),
                            fmt.difference(t, proportion=p),
                            fmt.effect(t),
                        ]
                    ],
                )
            )
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
        out.append(
            table(
                ["group", "n", "score", "95% CI"],
                [
                    [
                        f"{g.field}: {g.value}",
                        g.n,
                        fmt.score(g.mean, proportion=p),
                        fmt.interval(g.ci, proportion=p),
                    ]
                    for g in task.groups
                ],
                numeric=(1, 2),
            )
        )
    out.append(f"Samples: {len(task.samples)} of {task.samples_total}, lowest scores first.\n")
    out.append(
        table(
            ["sample", "epoch", "input", "target", "output", "score"],
            [
                [s.sample_id, s.epoch, s.input, s.target, s.output, fmt.num(s.score)]
                for s in task.samples
            ],
            numeric=(1, 5),
        )
    )
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
            table(
                ["condition", "n", "mean", "std", "95% CI", "per seed"],
                [
                    [
                        c.name,
                        c.n,
                        fmt.num(c.mean),
                        fmt.num(c.std),
                        fmt.interval(c.ci),
                        ", ".join(fmt.num(v) for v in c.values),
                    ]
                    for c in report.conditions
                ],
                numeric=(1, 2, 3),
            ),
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
            table(
                ["test", "statistic", "p-value", "effect size"],
                [[o.test, fmt.num(o.statistic), fmt.pvalue(o.p_value), fmt.effect(o)]],
                numeric=(1, 2),
            ),
        ]
    if report.pairwise:
        out += [
            "## Pairwise comparisons\n",
            table(
                fmt.pairwise_headers(report),
                fmt.pairwise_rows(report),
                numeric=fmt.PAIRWISE_NUMERIC,
            ),
        ]
    if report.dead_letter:
        out += ["## Dead letter\n", table(fmt.DEAD_HEADERS, fmt.dead_rows(report))]
    out.append("## Runs\n")
    if not report.runs:
        out.append("This experiment has no runs yet.\n")
    else:
        keys = report.metric_keys
        head = (
            ["run", "status"]
            + (["condition", "seed"] if report.batch else [])
            + ["duration", *keys]
        )
        rows = []
        for r in report.runs:
            row: list[object] = [r.name, r.status]
            if report.batch:
                row += [r.condition or "", fmt.num(r.seed)]
            row += [fmt.duration(r.duration_s), *(fmt.num(r.metrics.get(k)) for k in keys)]
            rows.append(row)
        out.append(table(head, rows))
    return out
