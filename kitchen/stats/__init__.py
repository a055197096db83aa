"""Statistics for comparing runs and models (crucible_bench parity).

Hypothesis tests (Student, Welch and paired t, one-way ANOVA, Mann–Whitney U, Wilcoxon,
Kruskal–Wallis, McNemar, paired bootstrap), automatic test choice from assumption checks
(:func:`compare`, :func:`compare_multiple`), effect sizes with interpretation, analytical and
bootstrap confidence intervals, power analysis and multiple-comparison corrections. Results are
frozen dataclasses; :func:`verdict` turns one into a sentence.

Built on NumPy and :mod:`scipy.stats`; import it explicitly (``import kitchen`` does not load
scipy).
"""

from __future__ import annotations

from kitchen.stats._assumptions import levene, shapiro_wilk
from kitchen.stats._compare import (
    MultipleComparison,
    PairwiseComparison,
    compare,
    compare_multiple,
)
from kitchen.stats._corrections import (
    CorrectionResult,
    benjamini_hochberg,
    bonferroni,
    correct,
    holm,
)
from kitchen.stats._effect_sizes import (
    cohens_d,
    cohens_h,
    eta_squared,
    glass_delta,
    hedges_g,
    interpret_d,
    interpret_eta,
    interpret_r,
    omega_squared,
    paired_d,
)
from kitchen.stats._intervals import (
    bootstrap_ci,
    bootstrap_difference_ci,
    mean_ci,
    median_ci,
    proportion_ci,
    variance_ci,
)
from kitchen.stats._model_comparison import mcnemar, paired_bootstrap
from kitchen.stats._parametric import one_way_anova, paired_t, student_t, welch_t
from kitchen.stats._power import (
    PowerResult,
    anova_power,
    anova_sample_size,
    t_test_power,
    t_test_sample_size,
)
from kitchen.stats._rank_tests import kruskal, mann_whitney, wilcoxon
from kitchen.stats._results import EffectSize, Interval, StatsError, TestResult
from kitchen.stats._scores import ScoreComparison, compare_scores, result_dict
from kitchen.stats._verdict import verdict

__all__ = [
    "CorrectionResult",
    "EffectSize",
    "Interval",
    "MultipleComparison",
    "PairwiseComparison",
    "PowerResult",
    "ScoreComparison",
    "StatsError",
    "TestResult",
    "anova_power",
    "anova_sample_size",
    "benjamini_hochberg",
    "bonferroni",
    "bootstrap_ci",
    "bootstrap_difference_ci",
    "cohens_d",
    "cohens_h",
    "compare",
    "compare_multiple",
    "compare_scores",
    "correct",
    "eta_squared",
    "glass_delta",
    "hedges_g",
    "holm",
    "interpret_d",
    "interpret_eta",
    "interpret_r",
    "kruskal",
    "levene",
    "mann_whitney",
    "mcnemar",
    "mean_ci",
    "median_ci",
    "omega_squared",
    "one_way_anova",
    "paired_bootstrap",
    "paired_d",
    "paired_t",
    "proportion_ci",
    "result_dict",
    "shapiro_wilk",
    "student_t",
    "t_test_power",
    "t_test_sample_size",
    "variance_ci",
    "verdict",
    "welch_t",
    "wilcoxon",
]
