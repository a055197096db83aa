"""Demo data: realistic runs, evaluations, model versions, feedback and analyses in one call.

    from kitchen.demo import seed_demo
    summary = seed_demo(store, runs=6, events=2000, seed=0)

``kitchen demo seed`` does the same through the engine. See ``docs/feedback.md``.
"""

from __future__ import annotations

from kitchen.demo.seed import DEFAULT_EVENTS, DEFAULT_RUNS, DEFAULT_SEED, SeedSummary, seed_demo

__all__ = ["DEFAULT_EVENTS", "DEFAULT_RUNS", "DEFAULT_SEED", "SeedSummary", "seed_demo"]
