"""Aggregate metrics: pass@k (unbiased), accuracy with standard error, perplexity."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kitchen.scorers._base import Score, Target, register

__all__ = [
    "Perplexity",
    "accuracy_with_stderr",
    "mean_pass_at_k",
    "pass_at_k",
    "perplexity",
]


def pass_at_k(n: int, c: int, k: int) -> float:
    """The unbiased pass@k estimate from ``n`` samples of which ``c`` are correct.

    Chen et al. 2021 (HumanEval): ``1 - C(n - c, k) / C(n, k)``, computed as the product
    ``1 - prod_{i = n-c+1}^{n} (1 - k / i)``, which stays exact enough where the binomials
    overflow a float. It is 1 when ``n - c < k`` (every k-subset holds a correct sample).

    Raises:
        ValueError: unless ``0 <= c <= n`` and ``1 <= k <= n``.
    """
    if not (0 <= c <= n and 1 <= k <= n):
        raise ValueError(f"need 0 <= c <= n and 1 <= k <= n, got n={n}, c={c}, k={k}")
    if n - c < k:
        return 1.0
    miss = 1.0
    for i in range(n - c + 1, n + 1):
        miss *= 1.0 - k / i
    return 1.0 - miss


def mean_pass_at_k(counts: Iterable[tuple[int, int]], k: int) -> float:
    """The mean of :func:`pass_at_k` over problems given as ``(n, c)`` pairs."""
    values = [pass_at_k(n, c, k) for n, c in counts]
    if not values:
        raise ValueError("mean_pass_at_k needs at least one problem")
    return math.fsum(values) / len(values)


def accuracy_with_stderr(scores: Sequence[float]) -> tuple[float, float]:
    """The mean score and its standard error.

    The standard error is the sample standard deviation (``n - 1`` in the denominator) over
    ``sqrt(n)``, for 0/1 and graded scores alike, as inspect_ai reports it; for 0/1 scores
    this is ``sqrt(p (1 - p) / (n - 1))``. With one score the standard error is 0.

    Raises:
        ValueError: ``scores`` is empty.
    """
    n = len(scores)
    if n == 0:
        raise ValueError("accuracy_with_stderr needs at least one score")
    mean = math.fsum(scores) / n
    if n == 1:
        return mean, 0.0
    variance = math.fsum((s - mean) ** 2 for s in scores) / (n - 1)
    return mean, math.sqrt(variance / n)


def perplexity(token_logprobs: Sequence[float]) -> float:
    """``exp(-mean log p)`` over the tokens' natural-log probabilities.

    Raises:
        ValueError: no tokens, or a log-probability above 0.
    """
    if not token_logprobs:
        raise ValueError("perplexity needs at least one token log-probability")
    if any(lp > 1e-9 for lp in token_logprobs):
        raise ValueError("log-probabilities must be <= 0")
    return math.exp(-math.fsum(token_logprobs) / len(token_logprobs))


@dataclass(frozen=True)
class Perplexity:
    """Perplexity of the target from ``metadata["token_logprobs"]`` (the output is unused).

    The value is the perplexity itself (lower is better), not a 0–1 score.
    """

    key: str = "token_logprobs"

    def __call__(
        self, output: str, target: Target, *, metadata: Mapping[str, Any] | None = None
    ) -> Score:
        logprobs = (metadata or {}).get(self.key)
        if logprobs is None:
            raise ValueError(f"the perplexity scorer needs metadata[{self.key!r}]")
        value = perplexity([float(x) for x in logprobs])
        return Score(value, output, f"perplexity over {len(logprobs)} tokens")


@register("perplexity")
def _perplexity(*, key: str = "token_logprobs") -> Perplexity:
    return Perplexity(key)
