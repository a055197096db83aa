"""Batch experiments (crucible_harness parity): conditions × seeds of a recipe, run through the
engine's queue with retries and a dead-letter list, resumable, and compared statistically.

- :mod:`~kitchen.experiments.spec`: the YAML spec and its validation.
- :mod:`~kitchen.experiments.plan`: expansion into runs, run names, config checks.
- :mod:`~kitchen.experiments.runner`: submit, follow, retry with backoff, dead-letter.
- :mod:`~kitchen.experiments.analysis`: summaries, tests and the best condition (pure).

Names are resolved on first use, so importing the package does not load scipy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kitchen.experiments.analysis import (
        ConditionSummary,
        DeadLetter,
        ExperimentAnalysis,
        PairwiseComparison,
        analyze,
        render_text,
    )
    from kitchen.experiments.plan import PlannedRun, expand
    from kitchen.experiments.records import ExperimentRun
    from kitchen.experiments.runner import ExperimentRunner, RunnerResult
    from kitchen.experiments.source import load_experiment
    from kitchen.experiments.spec import ExperimentSpec, load_spec, parse_spec

_LAZY = {
    "ConditionSummary": "kitchen.experiments.analysis",
    "DeadLetter": "kitchen.experiments.analysis",
    "ExperimentAnalysis": "kitchen.experiments.analysis",
    "PairwiseComparison": "kitchen.experiments.analysis",
    "analyze": "kitchen.experiments.analysis",
    "render_text": "kitchen.experiments.analysis",
    "PlannedRun": "kitchen.experiments.plan",
    "expand": "kitchen.experiments.plan",
    "ExperimentRun": "kitchen.experiments.records",
    "ExperimentRunner": "kitchen.experiments.runner",
    "RunnerResult": "kitchen.experiments.runner",
    "load_experiment": "kitchen.experiments.source",
    "ExperimentSpec": "kitchen.experiments.spec",
    "load_spec": "kitchen.experiments.spec",
    "parse_spec": "kitchen.experiments.spec",
}

__all__ = [
    "ConditionSummary",
    "DeadLetter",
    "ExperimentAnalysis",
    "ExperimentRun",
    "ExperimentRunner",
    "ExperimentSpec",
    "PairwiseComparison",
    "PlannedRun",
    "RunnerResult",
    "analyze",
    "expand",
    "load_experiment",
    "load_spec",
    "parse_spec",
    "render_text",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kitchen.experiments' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
