"""Statistics costs at evaluation scale (issue 6 target: paired comparison < 200 ms).

1. Paired comparison of two models on the same 10k items (0/1 correctness): McNemar + paired
   bootstrap (1000 resamples) + paired t, median of 5 runs, against the 200 ms target.
2. Two independent 10k-sample float runs: Welch t (with Cohen's d) + bootstrap CI of the mean
   difference (1000 resamples), median of 5 runs.

    .venv/bin/python benchmarks/bench_stats.py
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_MS = 200.0
REPEATS = 5


def _median_ms(job: Callable[[], object]) -> float:
    job()  # warm-up: imports, allocator
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        job()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    import numpy as np

    from kitchen.stats import bootstrap_difference_ci, mcnemar, paired_bootstrap, paired_t, welch_t

    rng = np.random.default_rng(0)
    a_correct = rng.random(10_000) < 0.72
    b_correct = np.where(rng.random(10_000) < 0.1, ~a_correct, a_correct)
    a_scores, b_scores = a_correct.astype(float), b_correct.astype(float)

    def paired_comparison() -> None:
        mcnemar(a_correct, b_correct)
        paired_bootstrap(a_scores, b_scores, iterations=1000, seed=0)
        paired_t(a_scores, b_scores)

    x, y = rng.normal(0.70, 0.1, 10_000), rng.normal(0.71, 0.12, 10_000)

    def welch_with_ci() -> None:
        welch_t(x, y)
        bootstrap_difference_ci(x, y, np.mean, 1000, 0.95, 0)

    paired_ms = _median_ms(paired_comparison)
    welch_ms = _median_ms(welch_with_ci)
    status = "meets" if paired_ms < TARGET_MS else "misses"
    print(f"NumPy {np.__version__}, median of {REPEATS} runs after one warm-up")
    print()
    print("| figure | value |")
    print("| :--- | ---: |")
    print(
        "| paired comparison, 2 × 10k 0/1 scores: McNemar + paired bootstrap (1000) + paired t "
        f"(ms) | {paired_ms:.1f} |"
    )
    print(f"| target (ms) | {TARGET_MS:.0f} ({status}) |")
    print(
        "| Welch t + Cohen's d + bootstrap CI of the mean difference (1000), 10k vs 10k floats "
        f"(ms) | {welch_ms:.1f} |"
    )


if __name__ == "__main__":
    main()
