"""One-line plain-language summaries of test results, for reports, the CLI and the TUI."""

from __future__ import annotations

import math

from kitchen.stats._results import Interval, TestResult


def _num(value: float, points: bool = False) -> str:
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return f"{value:.1f}" if points else f"{value:.3g}"


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3g}"


def _is_proportion(result: TestResult) -> bool:
    # McNemar and the bootstrap of 0/1 scores report accuracy differences: say points.
    return result.effect_size is not None and result.effect_size.name == "h"


def verdict(
    result: TestResult, names: tuple[str, str] = ("A", "B"), *, higher_is_better: bool = True
) -> str:
    """One line such as ``"B is better than A: +3.2 points (95% CI 1.1 to 5.3), p = 0.003
    (McNemar (exact)), small effect (h = 0.12)"``.

    Args:
        result: Any :class:`TestResult`; ``estimate`` is read as first minus second sample.
        names: Labels of the first and second sample.
        higher_is_better: Whether a larger score is better (accuracy) or worse (loss, latency).
    """
    effect = ""
    if result.effect_size is not None:
        es = result.effect_size
        effect = f", {es.interpretation} effect ({es.name} = {es.value:.2f})"
    tail = f"{_p(result.p_value)} ({result.test}){effect}"
    if result.estimate is None:
        head = "Groups differ" if result.significant else "No significant difference between groups"
        return f"{head}: {tail}"
    points = _is_proportion(result)
    scale, unit = (100.0, " points") if points else (1.0, "")
    est = result.estimate * scale
    ci: Interval | None = result.ci
    first, second = names
    if result.significant and est != 0:
        first_wins = (est > 0) == higher_is_better
        winner, loser = (first, second) if first_wins else (second, first)
        # State the difference from the winner's side: winner minus loser.
        sign = 1.0 if winner == first else -1.0
        lead = sign * est
        span = ""
        if ci is not None:
            low, high = sorted((sign * ci.low * scale, sign * ci.high * scale))
            span = f" ({ci.level:.0%} CI {_num(low, points)} to {_num(high, points)})"
        better = "better" if higher_is_better else "lower (better)"
        return f"{winner} is {better} than {loser}: +{_num(lead, points)}{unit}{span}, {tail}"
    span = ""
    if ci is not None:
        bounds = f"{_num(ci.low * scale, points)} to {_num(ci.high * scale, points)}"
        span = f", {ci.level:.0%} CI {bounds}"
    return (
        f"No significant difference between {first} and {second}: "
        f"{'+' if est >= 0 else '−'}{_num(abs(est), points)}{unit} ({first} − {second}{span}), "
        f"{tail}"
    )
