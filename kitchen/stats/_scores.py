"""Two models scored on the same samples: the test that fits the scores, a paired bootstrap
beside it, and a verdict sentence. This is what ``kitchen compare RUN_A RUN_B`` prints.

0/1 scores (exact match, pass/fail) get McNemar's test, the standard for two classifiers on the
same items (Dietterich 1998); other scores (F1, BLEU, rewards) get :func:`compare` with
``paired=True`` (paired t, or Wilcoxon when the differences are not normal). The paired
bootstrap of the mean difference is reported with both, as a check that needs no distribution.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kitchen.stats._compare import compare
from kitchen.stats._model_comparison import mcnemar, paired_bootstrap
from kitchen.stats._results import EffectSize, Interval, StatsError, TestResult
from kitchen.stats._verdict import verdict


@dataclass(frozen=True)
class ScoreComparison:
    """Two runs' per-sample scores compared.

    Attributes:
        names: Labels of the first and second run.
        n: Samples both scored.
        mean_a: Mean score of the first run.
        mean_b: Mean score of the second run.
        test: The primary test (McNemar for 0/1 scores, else paired t or Wilcoxon).
        bootstrap: Paired bootstrap of the mean difference.
        verdict: One sentence saying which is better, by how much, and how sure.
        discordant: For 0/1 scores, (a right b wrong, a wrong b right).
    """

    names: tuple[str, str]
    n: int
    mean_a: float
    mean_b: float
    test: TestResult
    bootstrap: TestResult
    verdict: str
    discordant: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (NaN and infinities become None)."""
        return {
            "names": list(self.names),
            "n": self.n,
            "mean_a": _json_float(self.mean_a),
            "mean_b": _json_float(self.mean_b),
            "test": result_dict(self.test),
            "bootstrap": result_dict(self.bootstrap),
            "verdict": self.verdict,
            "discordant": list(self.discordant) if self.discordant else None,
        }


def compare_scores(
    a: Sequence[float],
    b: Sequence[float],
    *,
    names: tuple[str, str] = ("A", "B"),
    higher_is_better: bool = True,
    alpha: float = 0.05,
    iterations: int = 1000,
    seed: int = 0,
) -> ScoreComparison:
    """Compare two runs' scores on the same samples (``a[i]`` and ``b[i]`` score sample i).

    Raises:
        StatsError: Fewer than two samples, lengths differ, or a score is not finite.
    """
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise StatsError(f"the runs must score the same samples: got {x.size} and {y.size}")
    if x.size < 2:
        raise StatsError(f"need at least 2 shared samples to compare, got {x.size}")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise StatsError("scores must be finite numbers")
    binary = bool(np.isin(x, (0.0, 1.0)).all() and np.isin(y, (0.0, 1.0)).all())
    discordant = None
    if binary:
        test = mcnemar(x, y, alpha=alpha)
        discordant = (int(np.sum((x == 1) & (y == 0))), int(np.sum((x == 0) & (y == 1))))
    else:
        test = compare(x, y, paired=True, alpha=alpha, iterations=iterations, seed=seed)
    boot = paired_bootstrap(x, y, iterations=iterations, seed=seed, alpha=alpha)
    return ScoreComparison(
        names=names,
        n=int(x.size),
        mean_a=float(x.mean()),
        mean_b=float(y.mean()),
        test=test,
        bootstrap=boot,
        verdict=verdict(test, names, higher_is_better=higher_is_better),
        discordant=discordant,
    )


def result_dict(result: TestResult) -> dict[str, Any]:
    """A :class:`TestResult` as a JSON-safe dict (nested intervals and effect sizes too)."""
    return {field.name: _plain(getattr(result, field.name)) for field in dataclasses.fields(result)}


def _plain(value: Any) -> Any:
    if isinstance(value, Interval | EffectSize):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, float | np.floating):
        return _json_float(float(value))
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    return value


def _json_float(value: float) -> float | None:
    return value if math.isfinite(value) else None
