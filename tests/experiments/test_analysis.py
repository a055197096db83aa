"""Experiment analysis checked against scipy on a constructed example."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

from kitchen.experiments.analysis import analyze, render_text
from kitchen.experiments.records import ExperimentRun
from kitchen.experiments.spec import parse_spec

VALUES = {
    "a": [0.50, 0.52, 0.49, 0.51, 0.53],
    "b": [0.60, 0.62, 0.58, 0.61, 0.63],
    "c": [0.51, 0.55, 0.47, 0.52, 0.50],
}


def _spec(**kw: object) -> object:
    conds = [{"name": n} for n in VALUES]
    return parse_spec(
        {"name": "x", "recipe": "sft", "conditions": conds, "seeds": [0, 1, 2, 3, 4], **kw}
    )


def _runs(values: dict[str, list[float]] = VALUES) -> list[ExperimentRun]:
    runs = []
    for cond, vals in values.items():
        for seed, value in enumerate(vals):
            runs.append(
                ExperimentRun(
                    f"{cond}{seed}",
                    cond,
                    seed,
                    1,
                    "succeeded",
                    {"eval/exact_match": value},
                    3.0,
                    None,
                )
            )
    return runs


def test_summaries_and_omnibus_match_scipy() -> None:
    result = analyze(_spec(), _runs())  # type: ignore[arg-type]
    by_name = {c.name: c for c in result.conditions}
    for name, vals in VALUES.items():
        c = by_name[name]
        assert c.n == 5 and c.values == tuple(vals)
        assert c.mean == pytest.approx(np.mean(vals))
        assert c.std == pytest.approx(np.std(vals, ddof=1))
        low, high = stats.t.interval(0.95, 4, loc=np.mean(vals), scale=stats.sem(vals))
        assert c.ci is not None
        assert (c.ci.low, c.ci.high) == pytest.approx((low, high))
    assert result.omnibus is not None and result.omnibus.test == "one-way ANOVA"
    f = stats.f_oneway(*VALUES.values())
    assert result.omnibus.statistic == pytest.approx(f.statistic)
    assert result.omnibus.p_value == pytest.approx(f.pvalue)


def test_all_pairs_with_holm_match_scipy_and_pick_the_winner() -> None:
    result = analyze(_spec(), _runs())  # type: ignore[arg-type]
    assert [(p.a, p.b) for p in result.pairwise] == [("a", "b"), ("a", "c"), ("b", "c")]
    raw = [
        stats.ttest_ind(VALUES[a], VALUES[b], equal_var=False).pvalue
        for a, b in (("a", "b"), ("a", "c"), ("b", "c"))
    ]
    order = np.argsort(raw)
    holm = np.empty(3)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, raw[i] * (3 - rank)))
        holm[i] = running
    for p, expected_raw, expected_adj in zip(result.pairwise, raw, holm, strict=True):
        assert p.test.test == "Welch t"
        assert p.test.p_value == pytest.approx(expected_raw)
        assert p.p_adjusted == pytest.approx(expected_adj)
        assert p.significant == (expected_adj < 0.05)
        diff = np.mean(VALUES[p.a]) - np.mean(VALUES[p.b])
        assert p.test.estimate == pytest.approx(diff)
        assert p.diff_ci.low < diff < p.diff_ci.high
        pooled = np.sqrt((np.var(VALUES[p.a], ddof=1) + np.var(VALUES[p.b], ddof=1)) / 2)
        assert p.effect.value == pytest.approx(diff / pooled)
    assert result.best == "b"
    assert "significantly better than every other" in result.best_reason


def test_baseline_and_min_goal() -> None:
    result = analyze(_spec(baseline="a", goal="min", correction="bonferroni"), _runs())  # type: ignore[arg-type]
    assert [(p.a, p.b) for p in result.pairwise] == [("b", "a"), ("c", "a")]
    raw_c = stats.ttest_ind(VALUES["c"], VALUES["a"], equal_var=False).pvalue
    assert result.pairwise[1].p_adjusted == pytest.approx(min(1.0, 2 * raw_c))
    # Lowest mean is a (the baseline); it beats b but not c significantly: no winner.
    assert result.best is None
    assert "not significantly better than c" in result.best_reason


def test_only_the_latest_succeeded_attempt_counts_and_dead_letters_are_listed() -> None:
    runs = _runs()
    runs.append(
        ExperimentRun("a0-retry", "a", 0, 2, "succeeded", {"eval/exact_match": 0.9}, 3.0, None)
    )
    runs.append(
        ExperimentRun(
            "a0-fail", "a", 0, 3, "failed", {}, 1.0, "TrainingError: nan", "TrainingError"
        )
    )
    dead = [
        ExperimentRun(
            f"d{i}", "c", 9, i, "failed", {}, 1.0, f"TrainingError: try {i}", "TrainingError"
        )
        for i in (1, 2, 3)
    ]
    spec = parse_spec(
        {
            "name": "x",
            "recipe": "sft",
            "conditions": [{"name": n} for n in VALUES],
            "seeds": [0, 1, 2, 3, 4, 9],
        }
    )
    result = analyze(spec, [*runs, *dead])
    a = next(c for c in result.conditions if c.name == "a")
    assert a.values[0] == 0.9 and a.n == 5
    [letter] = result.dead_letter
    assert (letter.condition, letter.seed) == ("c", 9)
    assert [e for *_, e in letter.attempts] == [
        "TrainingError: try 1",
        "TrainingError: try 2",
        "TrainingError: try 3",
    ]
    assert result.counts == {"succeeded": 15, "pending": 2, "dead": 1}
    data = result.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["dead_letter"][0]["attempts"][2][3] == "TrainingError: try 3"
    text = render_text(result)
    assert (
        "dead letter:" in text and "c@s9" in text and "#3 d3 failed: TrainingError: try 3" in text
    )


def test_too_few_values_are_summarised_not_tested() -> None:
    result = analyze(_spec(), _runs({"a": [0.5], "b": [0.6, 0.7], "c": []}))  # type: ignore[arg-type]
    assert result.omnibus is None and result.pairwise == []
    assert result.best is None
    assert any("a: 1 value(s)" in n for n in result.notes)
    text = render_text(result)
    assert "a" in text and "best: none" in text
    json.dumps(result.to_dict(), allow_nan=False)
