"""Assemble an experiment's report: its runs, and for a batch experiment (one run by
``kitchen experiment``) the cross-condition analysis of :mod:`kitchen.experiments`.

The analysis is computed by ``kitchen.experiments.analysis.analyze`` (imported when needed: it
loads scipy); this module only copies its result into the report's records, so the report and
``kitchen experiment status`` agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kitchen.report.data import (
    CI,
    Attempt,
    ConditionRow,
    DeadLetter,
    ExperimentReport,
    PairRow,
    RunLine,
)
from kitchen.report.numbers import summarize
from store import Store

if TYPE_CHECKING:
    from kitchen.experiments.analysis import (
        ConditionSummary,
        ExperimentAnalysis,
        PairwiseComparison,
    )
    from kitchen.experiments.analysis import DeadLetter as AnalysisDeadLetter
    from kitchen.experiments.records import ExperimentRun
    from kitchen.experiments.spec import ExperimentSpec
    from kitchen.stats import Interval

MAX_RUNS = 10_000
MAX_METRIC_COLUMNS = 6


def collect_experiment(store: Store, name: str) -> ExperimentReport:
    """The report of experiment ``name``: a batch analysis when one was run, else its runs."""
    batch = _batch(store, name)
    if batch is not None:
        return _batch_report(store, name, *batch)
    rows = store.runs_table(experiment=name, limit=MAX_RUNS, summary_keys=[])
    ids = [r.id for r in rows]
    values = store.last_values(ids) if ids else {}
    keys = _summary_keys(values)
    runs = [
        RunLine(
            r.id,
            r.name,
            str(r.status),
            None,
            None,
            r.duration_s,
            {k: v for k, v in values.get(r.id, {}).items() if k in keys},
        )
        for r in rows
    ]
    return ExperimentReport(
        name=name,
        batch=False,
        description="",
        recipe=_one({r.recipe for r in rows}),
        metric=None,
        goal=None,
        alpha=None,
        correction=None,
        metric_keys=keys,
        runs=runs,
        conditions=[],
        omnibus=None,
        pairwise=[],
        best=None,
        dead_letter=[],
        notes=["not a batch experiment: its runs are listed without a cross-condition analysis"],
    )


def _batch(
    store: Store, name: str
) -> tuple[ExperimentSpec, list[ExperimentRun], ExperimentAnalysis] | None:
    """``(spec, runs, analysis)`` of a batch experiment, or None when ``name`` is not one."""
    from kitchen.errors import NotFoundError
    from kitchen.experiments.analysis import analyze, load_experiment

    try:
        spec, runs = load_experiment(store, name)
    except NotFoundError:
        return None  # no saved spec: a group of runs, not a batch experiment
    return spec, runs, analyze(spec, runs)


def _batch_report(
    store: Store,
    name: str,
    spec: ExperimentSpec,
    runs: Sequence[ExperimentRun],
    analysis: ExperimentAnalysis,
) -> ExperimentReport:
    names = {
        r.id: r.name for r in store.runs_table(experiment=name, limit=MAX_RUNS, summary_keys=[])
    }
    keys = list(dict.fromkeys([spec.metric, *(k for r in runs for k in r.metrics)]))
    lines = [
        RunLine(
            r.run_id,
            names.get(r.run_id, r.run_id),
            r.status,
            r.condition,
            r.seed,
            r.duration_s,
            dict(r.metrics),
        )
        for r in runs
    ]
    omnibus = analysis.omnibus
    return ExperimentReport(
        name=name,
        batch=True,
        description=spec.description,
        recipe=spec.recipe,
        metric=spec.metric,
        goal=spec.goal,
        alpha=spec.alpha,
        correction=spec.correction,
        metric_keys=keys,
        runs=lines,
        conditions=[_condition(c) for c in analysis.conditions],
        omnibus=None if omnibus is None else summarize(omnibus, ("", "")),
        pairwise=[_pair(p) for p in analysis.pairwise],
        best=analysis.best,
        dead_letter=[_dead(d) for d in analysis.dead_letter],
        baseline=analysis.baseline,
        best_reason=analysis.best_reason,
        counts=dict(analysis.counts),
        notes=list(analysis.notes),
    )


def _condition(c: ConditionSummary) -> ConditionRow:
    return ConditionRow(c.name, c.n, c.mean, c.std, _ci(c.ci), list(c.values))


def _pair(p: PairwiseComparison) -> PairRow:
    test, effect = p.test, p.effect
    return PairRow(
        a=p.a,
        b=p.b,
        test=test.test,
        p_value=test.p_value,
        p_adjusted=p.p_adjusted,
        significant=p.significant,
        estimate=test.estimate,
        ci=_ci(p.diff_ci),
        effect_name=effect.name,
        effect_value=effect.value,
        effect_interpretation=effect.interpretation,
    )


def _dead(d: AnalysisDeadLetter) -> DeadLetter:
    return DeadLetter(
        d.condition,
        d.seed,
        d.reason,
        [Attempt(run_id, attempt, status, error) for run_id, attempt, status, error in d.attempts],
    )


def _ci(interval: Interval | None) -> CI | None:
    if interval is None:
        return None
    return CI(interval.low, interval.high, interval.level, interval.method)


def _summary_keys(values: dict[str, dict[str, float]]) -> list[str]:
    """The metrics worth a column: losses, rewards and eval scores the runs logged."""
    keys = sorted({k for per_run in values.values() for k in per_run})
    wanted = [
        k
        for k in keys
        if k.startswith("eval/") or k.endswith("loss") or "reward" in k.rsplit("/", 1)[-1]
    ]
    return wanted[:MAX_METRIC_COLUMNS]


def _one(values: set[str]) -> str | None:
    return next(iter(values)) if len(values) == 1 else None
