"""The statistics a report states, chosen once here so every format says the same.

* A score's 95% CI: Wilson's interval for 0/1 scores of one epoch (it stays inside [0, 1] and
  does not collapse at 0% or 100% as the normal interval does), else Student's t over the
  per-sample means.
* A paired comparison of two score lists on the same samples: what ``kitchen compare`` runs
  (McNemar's test when both are 0/1, else a paired t or Wilcoxon test chosen from the
  differences' normality), from :mod:`kitchen.stats`, which also writes the verdict sentence.
"""

from __future__ import annotations

from collections.abc import Sequence

from kitchen.report.data import CI, TestSummary

LEVEL = 0.95


def is_binary(values: Sequence[float]) -> bool:
    """Whether every value is 0 or 1 (correct / incorrect)."""
    return all(v in (0.0, 1.0) for v in values)


def wilson(successes: float, n: int, level: float = LEVEL) -> CI:
    """Wilson score interval of a proportion (:func:`kitchen.stats.proportion_ci`)."""
    from kitchen.stats import proportion_ci

    interval = proportion_ci(successes, n, level)
    return CI(interval.low, interval.high, interval.level, interval.method)


def score_ci(per_sample: Sequence[float], *, binary: bool, level: float = LEVEL) -> CI | None:
    """The CI of a mean score: Wilson for 0/1 scores, Student's t otherwise; None below n = 2."""
    n = len(per_sample)
    if n == 0:
        return None
    if binary:
        return wilson(sum(per_sample), n, level)
    if n < 2:
        return None
    from kitchen.stats import mean_ci

    interval = mean_ci(list(per_sample), level)
    return CI(interval.low, interval.high, interval.level, interval.method)


def summarize(
    result: object, names: tuple[str, str], *, higher_is_better: bool = True
) -> TestSummary:
    """A :class:`kitchen.stats.TestResult` flattened into a :class:`TestSummary`."""
    from kitchen.stats import TestResult, verdict

    assert isinstance(result, TestResult)
    effect = result.effect_size
    ci = result.ci
    return TestSummary(
        test=result.test,
        statistic=result.statistic,
        p_value=result.p_value,
        estimate=result.estimate,
        ci=None if ci is None else CI(ci.low, ci.high, ci.level, ci.method),
        effect_name=None if effect is None else effect.name,
        effect_value=None if effect is None else effect.value,
        effect_interpretation=None if effect is None else effect.interpretation,
        significant=result.significant,
        alpha=result.alpha,
        verdict=verdict(result, names, higher_is_better=higher_is_better),
        notes=tuple(result.notes),
    )


def paired_test(
    first: Sequence[float], second: Sequence[float], names: tuple[str, str]
) -> TestSummary | None:
    """Compare two runs' scores on the same samples (``first − second``) exactly as
    ``kitchen compare`` does (:func:`kitchen.stats.compare_scores`); None below 2 pairs."""
    if len(first) < 2:
        return None
    from kitchen.stats import compare_scores

    return summarize(compare_scores(list(first), list(second), names=names).test, names)
