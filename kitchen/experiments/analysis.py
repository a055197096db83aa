"""Statistics of an experiment: per-condition summaries, an omnibus test, corrected pairwise
comparisons and a best condition, computed from its runs with :mod:`kitchen.stats`.

Pure functions over records (no I/O): the CLI, the report and the UIs render the same
:class:`ExperimentAnalysis`. Only the latest succeeded attempt of each condition × seed counts.
:func:`load_experiment` (re-exported here) reads the records.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from kitchen.experiments.plan import condition_names
from kitchen.experiments.policy import slots
from kitchen.experiments.records import ExperimentRun
from kitchen.experiments.source import load_experiment
from kitchen.experiments.spec import ExperimentSpec
from kitchen.stats import (
    EffectSize,
    Interval,
    StatsError,
    TestResult,
    bootstrap_difference_ci,
    cohens_d,
    compare,
    compare_multiple,
    correct,
    mean_ci,
)


@dataclass(frozen=True)
class ConditionSummary:
    """The compared metric over one condition's seeds.

    Attributes:
        name: The condition.
        n: Seeds with a value.
        mean: Mean value (None without values).
        std: Sample standard deviation (None below 2 values).
        ci: t interval of the mean (None below 2 values).
        values: The values, by seed order.
    """

    name: str
    n: int
    mean: float | None
    std: float | None
    ci: Interval | None
    values: tuple[float, ...]


@dataclass(frozen=True)
class PairwiseComparison:
    """Condition ``a`` against condition ``b`` (differences are a − b).

    Attributes:
        a: First condition (the challenger when there is a baseline).
        b: Second condition (the baseline when there is one).
        test: Welch t or Mann–Whitney U, chosen by :func:`kitchen.stats.compare`.
        effect: Cohen's d of a − b.
        diff_ci: CI of the mean difference a − b (the test's, else a bootstrap one).
        p_adjusted: p-value after the spec's correction over all comparisons.
        significant: ``p_adjusted`` below the spec's alpha.
    """

    a: str
    b: str
    test: TestResult
    effect: EffectSize
    diff_ci: Interval
    p_adjusted: float
    significant: bool


@dataclass(frozen=True)
class DeadLetter:
    """A condition × seed that gave up, with each attempt's error.

    Attributes:
        condition: The condition.
        seed: The seed.
        reason: Why it was not retried further.
        attempts: ``(run_id, attempt, status, error)`` of each attempt.
    """

    condition: str
    seed: int
    reason: str
    attempts: tuple[tuple[str, int, str, str | None], ...]


@dataclass(frozen=True)
class ExperimentAnalysis:
    """Everything the report says about an experiment.

    Attributes:
        name: The experiment.
        metric: The metric compared.
        goal: ``max`` or ``min``.
        correction: The multiple-comparison correction used.
        alpha: Significance level.
        baseline: The baseline condition, if any.
        conditions: One summary per condition, in spec order.
        omnibus: ANOVA or Kruskal–Wallis over the conditions (None below 2 usable ones).
        pairwise: Comparisons against the baseline, or of every pair.
        best: The best condition, only when it is significantly better than those it was
            compared with; else None.
        best_reason: Why ``best`` is what it is, in a sentence.
        dead_letter: Condition × seeds that gave up.
        counts: Condition × seeds per state (``succeeded``, ``active``, ``dead`` ...).
        notes: What was left out and why (missing metric, too few values).
    """

    name: str
    metric: str
    goal: str
    correction: str
    alpha: float
    baseline: str | None
    conditions: list[ConditionSummary]
    omnibus: TestResult | None
    pairwise: list[PairwiseComparison]
    best: str | None
    best_reason: str
    dead_letter: list[DeadLetter]
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (infinite or NaN numbers become None)."""
        data: dict[str, Any] = _json_safe(asdict(self))
        return data


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def final_values(
    spec: ExperimentSpec, runs: Sequence[ExperimentRun]
) -> tuple[dict[str, list[tuple[int, float]]], list[str]]:
    """``condition -> [(seed, value)]`` from the latest succeeded attempt of each seed.

    Returns the values and notes on succeeded runs that lack the metric.
    """
    latest: dict[tuple[str, int], ExperimentRun] = {}
    for run in runs:
        if run.status != "succeeded":
            continue
        key = (run.condition, run.seed)
        if key not in latest or run.attempt > latest[key].attempt:
            latest[key] = run
    values: dict[str, list[tuple[int, float]]] = {name: [] for name in condition_names(spec)}
    notes = []
    for (condition, seed), run in sorted(latest.items(), key=lambda kv: kv[0]):
        if condition not in values:
            continue
        value = run.metrics.get(spec.metric)
        if value is None or not math.isfinite(value):
            notes.append(f"{condition}@s{seed} ({run.run_id}) has no {spec.metric}; left out")
            continue
        values[condition].append((seed, float(value)))
    return values, notes


def summarize(name: str, values: Sequence[float]) -> ConditionSummary:
    """Mean, standard deviation and t interval of one condition's values."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.size == 0:
        return ConditionSummary(name, 0, None, None, None, ())
    mean = float(arr.mean())
    if arr.size < 2:
        return ConditionSummary(name, 1, mean, None, None, tuple(float(v) for v in arr))
    std = float(arr.std(ddof=1))
    ci = mean_ci(arr) if std > 0 else Interval(mean, mean, 0.95, "t (constant values)")
    return ConditionSummary(name, int(arr.size), mean, std, ci, tuple(float(v) for v in arr))


def _pairs(spec: ExperimentSpec, usable: list[str]) -> list[tuple[str, str]]:
    if spec.baseline is not None:
        if spec.baseline not in usable:
            return []
        return [(c, spec.baseline) for c in usable if c != spec.baseline]
    return list(itertools.combinations(usable, 2))


def _diff_ci(test: TestResult, a: Sequence[float], b: Sequence[float]) -> Interval:
    # A t test's interval is of the mean difference; a rank test's is of the median's.
    if test.ci is not None and "t" in test.ci.method.split():
        return test.ci
    return bootstrap_difference_ci(a, b, np.mean, 2000, 0.95, 0)


def analyze(spec: ExperimentSpec, runs: Sequence[ExperimentRun]) -> ExperimentAnalysis:
    """Summaries, omnibus test, corrected pairwise comparisons and the best condition.

    Conditions with fewer than two values are summarised but left out of the tests (a note
    says so). Pairwise tests are chosen by :func:`kitchen.stats.compare` (Welch t unless
    Shapiro–Wilk rejects normality, then Mann–Whitney U) and corrected together with
    ``spec.correction``.
    """
    values, notes = final_values(spec, runs)
    summaries = [summarize(name, [v for _, v in pts]) for name, pts in values.items()]
    usable = [s.name for s in summaries if s.n >= 2]
    for s in summaries:
        if s.n < 2:
            notes.append(f"{s.name}: {s.n} value(s); at least 2 are needed to test it")
    groups = {s.name: list(s.values) for s in summaries}
    omnibus = None
    if len(usable) >= 2:
        try:
            omnibus = compare_multiple(
                *(groups[name] for name in usable),
                labels=usable,
                alpha=spec.alpha,
                correction=spec.correction_method,
            ).omnibus
        except StatsError as error:
            notes.append(f"omnibus test not possible: {error}")
    pairwise = _pairwise(spec, usable, groups, notes)
    best, reason = _best(spec, summaries, pairwise)
    slot_list = slots(
        [(c, s) for c in condition_names(spec) for s in spec.seeds], runs, spec.retries
    )
    counts: dict[str, int] = {}
    for slot in slot_list:
        counts[slot.state] = counts.get(slot.state, 0) + 1
    dead = [
        DeadLetter(
            s.condition,
            s.seed,
            s.reason,
            tuple((a.run_id, a.attempt, a.status, a.error) for a in s.attempts),
        )
        for s in slot_list
        if s.state == "dead"
    ]
    return ExperimentAnalysis(
        name=spec.name,
        metric=spec.metric,
        goal=spec.goal,
        correction=spec.correction,
        alpha=spec.alpha,
        baseline=spec.baseline,
        conditions=summaries,
        omnibus=omnibus,
        pairwise=pairwise,
        best=best,
        best_reason=reason,
        dead_letter=dead,
        counts=counts,
        notes=notes,
    )


def _pairwise(
    spec: ExperimentSpec, usable: list[str], groups: dict[str, list[float]], notes: list[str]
) -> list[PairwiseComparison]:
    pairs = _pairs(spec, usable)
    if spec.baseline is not None and spec.baseline not in usable and len(usable) >= 1:
        notes.append(f"baseline {spec.baseline} has fewer than 2 values: no comparisons")
    if not pairs:
        return []
    tests = [compare(groups[a], groups[b], alpha=spec.alpha) for a, b in pairs]
    corrected = correct([t.p_value for t in tests], spec.correction_method, spec.alpha)
    return [
        PairwiseComparison(
            a,
            b,
            test,
            cohens_d(groups[a], groups[b]),
            _diff_ci(test, groups[a], groups[b]),
            p_adj,
            bool(p_adj < spec.alpha),
        )
        for (a, b), test, p_adj in zip(pairs, tests, corrected.adjusted, strict=True)
    ]


def _best(
    spec: ExperimentSpec,
    summaries: Sequence[ConditionSummary],
    pairwise: Sequence[PairwiseComparison],
) -> tuple[str | None, str]:
    ranked = [s for s in summaries if s.mean is not None]
    if not ranked:
        return None, "no condition has a value yet"
    sign = 1.0 if spec.goal == "max" else -1.0
    top = max(ranked, key=lambda s: sign * (s.mean or 0.0))
    mine = [p for p in pairwise if top.name in (p.a, p.b)]
    if not mine:
        return None, f"{top.name} leads ({top.mean:.4g}) but was not tested against any condition"
    losing = []
    for p in mine:
        diff = p.test.estimate if p.test.estimate is not None else 0.0
        # The estimate is a − b; orient it from the leader's side.
        lead = diff if p.a == top.name else -diff
        better = lead * sign > 0
        if not (p.significant and better):
            other = p.b if p.a == top.name else p.a
            losing.append(f"{other} (p_adj = {p.p_adjusted:.3g})")
    if losing:
        return None, (
            f"no significant winner: {top.name} leads ({spec.metric} {top.mean:.4g}) "
            f"but is not significantly better than {', '.join(losing)}"
        )
    against = "the baseline" if spec.baseline and top.name != spec.baseline else "every other"
    return top.name, (
        f"{top.name} is significantly better than {against} condition "
        f"({spec.correction}-corrected, alpha {spec.alpha})"
    )


def _num(value: float | None, digits: int = 4) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.{digits}g}"


def _p(p: float) -> str:
    return "<0.001" if p < 0.001 else f"{p:.3g}"


def render_text(analysis: ExperimentAnalysis) -> str:
    """A plain-text report: the summary table, the tests, the verdict and the dead letters."""
    a = analysis
    lines = [f"experiment {a.name}: {a.metric} ({a.goal}), {a.correction} correction"]
    width = max([9, *(len(c.name) for c in a.conditions)])
    lines.append(f"{'condition':<{width}}  {'n':>3}  {'mean':>10}  {'std':>10}  95% CI")
    for c in a.conditions:
        ci = f"[{_num(c.ci.low)}, {_num(c.ci.high)}]" if c.ci else "—"
        mark = " (baseline)" if c.name == a.baseline else ""
        lines.append(
            f"{c.name:<{width}}  {c.n:>3}  {_num(c.mean):>10}  {_num(c.std):>10}  {ci}{mark}"
        )
    if a.omnibus is not None:
        o = a.omnibus
        lines.append(f"omnibus: {o.test} statistic {o.statistic:.4g}, p = {_p(o.p_value)}")
    if a.pairwise:
        lines.append("pairwise (difference a − b):")
        for p in a.pairwise:
            star = "significant" if p.significant else "not significant"
            lines.append(
                f"  {p.a} vs {p.b}: {_num(p.test.estimate)} "
                f"[{_num(p.diff_ci.low)}, {_num(p.diff_ci.high)}], {p.test.test} "
                f"p = {_p(p.test.p_value)}, p_adj = {_p(p.p_adjusted)}, "
                f"d = {p.effect.value:.2f} ({p.effect.interpretation}): {star}"
            )
    lines.append(f"best: {a.best or 'none'}: {a.best_reason}")
    if a.counts:
        lines.append("runs: " + ", ".join(f"{n} {state}" for state, n in sorted(a.counts.items())))
    if a.dead_letter:
        lines.append("dead letter:")
        for d in a.dead_letter:
            lines.append(f"  {d.condition}@s{d.seed}: {d.reason}")
            for run_id, attempt, status, error in d.attempts:
                lines.append(f"    #{attempt} {run_id} {status}: {error or ''}".rstrip())
    lines.extend(f"note: {n}" for n in a.notes)
    return "\n".join(lines)


__all__ = [
    "ConditionSummary",
    "DeadLetter",
    "ExperimentAnalysis",
    "ExperimentRun",
    "PairwiseComparison",
    "analyze",
    "final_values",
    "load_experiment",
    "render_text",
    "summarize",
]
