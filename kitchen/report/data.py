"""The report's records: everything a report shows, assembled once, rendered many ways.

Every renderer (HTML, Markdown, JSON, PDF) reads only these frozen dataclasses, so the four
formats cannot disagree on a number, and the JSON format is simply their ``asdict``. Numbers are
plain floats (NaN allowed; the JSON renderer writes it as null), times are ISO-8601 strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

SCHEMA = "kitchen.report/1"


@dataclass(frozen=True)
class CI:
    """A confidence interval and how it was computed (``wilson``, ``t``, ``bootstrap`` ...)."""

    low: float
    high: float
    level: float
    method: str


@dataclass(frozen=True)
class TestSummary:
    """A hypothesis test flattened for display.

    ``estimate`` and ``ci`` are the first side minus the second (``final − baseline``,
    ``this run − other run``, ``a − b``); ``verdict`` says it in one sentence.
    """

    __test__ = False  # not a pytest class

    test: str
    statistic: float
    p_value: float
    estimate: float | None
    ci: CI | None
    effect_name: str | None
    effect_value: float | None
    effect_interpretation: str | None
    significant: bool
    alpha: float
    verdict: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunHeader:
    """Who the run is: identity, recipe, status, what it trained, where and when."""

    id: str
    name: str
    experiment: str
    recipe: str
    status: str
    model: str | None
    dataset: str | None
    tasks: tuple[str, ...]
    seed: int | None
    created_at: str
    started_at: str | None
    finished_at: str | None
    duration_s: float | None
    git_commit: str | None
    error: str | None


@dataclass(frozen=True)
class MetricRow:
    """A final metric; ``baseline`` is the matching ``baseline/…`` value of an ``eval/…`` key."""

    key: str
    final: float
    baseline: float | None = None
    delta: float | None = None


@dataclass(frozen=True)
class CurveData:
    """One metric over steps, downsampled by the store when it has many points."""

    key: str
    steps: list[int]
    values: list[float]
    total_points: int
    downsampled: bool


@dataclass(frozen=True)
class StageTiming:
    """How a stage of the workflow ended and how long it took."""

    path: str
    stage: str
    event: str
    duration_s: float | None


@dataclass(frozen=True)
class HistBin:
    """One bar of a score histogram: ``low == high`` for a discrete score value."""

    low: float
    high: float
    count: int


@dataclass(frozen=True)
class GroupScore:
    """Mean score of the samples sharing one metadata value (a subject, a category)."""

    field: str
    value: str
    n: int
    mean: float
    ci: CI | None


@dataclass(frozen=True)
class SampleRow:
    """One scored sample, text truncated for display."""

    sample_id: str
    epoch: int
    input: str
    target: str
    output: str
    score: float


@dataclass(frozen=True)
class EvalTask:
    """One task's evaluation: the score with its CI, cost, distribution, breakdown, samples.

    ``n`` counts distinct samples; with several epochs a sample's score is its mean over them
    and the CI is taken over samples (epochs of one sample are not independent).
    """

    task: str
    phase: str
    step: int
    n: int
    epochs: int
    rows: int
    mean: float
    ci: CI | None
    binary: bool
    input_tokens_mean: float | None
    output_tokens_mean: float | None
    latency_mean_s: float | None
    latency_p95_s: float | None
    histogram: list[HistBin]
    groups: list[GroupScore]
    baseline_mean: float | None
    baseline_n: int | None
    vs_baseline: TestSummary | None
    samples: list[SampleRow]
    samples_total: int


@dataclass(frozen=True)
class Edge:
    """A lineage edge: ``dst`` was made from ``src``."""

    src_kind: str
    src_id: str
    dst_kind: str
    dst_id: str
    relation: str


@dataclass(frozen=True)
class VersionRow:
    """A registered model version made from the run."""

    model: str
    version: int
    stage: str
    aliases: tuple[str, ...]
    created_at: str


@dataclass(frozen=True)
class RunComparison:
    """This run against another one, per task both evaluated, on the samples both scored."""

    other_id: str
    other_name: str
    task: str
    n_pairs: int
    mean_this: float
    mean_other: float
    test: TestSummary | None
    note: str | None = None


@dataclass(frozen=True)
class RunReport:
    """Everything about one run."""

    header: RunHeader
    config: dict[str, Any]
    secrets_dropped: int
    metrics: list[MetricRow]
    curves: list[CurveData]
    stages: list[StageTiming]
    evals: list[EvalTask]
    lineage: list[Edge]
    models: list[VersionRow]
    comparisons: list[RunComparison] = field(default_factory=list)
    comparison_note: str | None = None


@dataclass(frozen=True)
class RunLine:
    """One run of an experiment in the runs table."""

    id: str
    name: str
    status: str
    condition: str | None
    seed: int | None
    duration_s: float | None
    metrics: dict[str, float]


@dataclass(frozen=True)
class ConditionRow:
    """A condition's final metric over its seeds (``mean`` None without any, ``std`` and
    ``ci`` None below two)."""

    name: str
    n: int
    mean: float | None
    std: float | None
    ci: CI | None
    values: list[float]


@dataclass(frozen=True)
class PairRow:
    """Two conditions compared, with raw and corrected p-values."""

    a: str
    b: str
    test: str
    p_value: float
    p_adjusted: float
    significant: bool
    estimate: float | None
    ci: CI | None
    effect_name: str | None
    effect_value: float | None
    effect_interpretation: str | None


@dataclass(frozen=True)
class Attempt:
    """One attempt at a condition × seed."""

    run_id: str
    attempt: int
    status: str
    error: str | None


@dataclass(frozen=True)
class DeadLetter:
    """A condition × seed that gave up, and why, with each attempt."""

    condition: str
    seed: int
    reason: str
    attempts: list[Attempt]


@dataclass(frozen=True)
class ExperimentReport:
    """An experiment: its runs and, for a batch experiment, the cross-condition analysis."""

    name: str
    batch: bool
    description: str
    recipe: str | None
    metric: str | None
    goal: str | None
    alpha: float | None
    correction: str | None
    metric_keys: list[str]
    runs: list[RunLine]
    conditions: list[ConditionRow]
    omnibus: TestSummary | None
    pairwise: list[PairRow]
    best: str | None
    dead_letter: list[DeadLetter]
    baseline: str | None = None
    best_reason: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReportData:
    """A whole report: a run's or an experiment's."""

    kind: Literal["run", "experiment"]
    target: str
    title: str
    run: RunReport | None = None
    experiment: ExperimentReport | None = None
    schema: str = SCHEMA
