"""A store for the dashboard tests: the report tests' runs and evaluations, a second model
version, production feedback with flags, redactions and a hostile input, and real analysis
results built with the analysis modules' own types (adversary reports, explanations, PDP,
attribution drift)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from kitchen.analysis.adversary.persist import save_report
from kitchen.analysis.adversary.report import (
    AttackResult,
    LevelResult,
    RobustnessReport,
    WorstExample,
)
from kitchen.analysis.xai.drift import compare_importances
from kitchen.analysis.xai.explanation import Attribution, Background, Explanation, ModelRef
from kitchen.analysis.xai.pdp import DependenceCurve, PartialDependence
from store import Store
from tests.report.conftest import Seeded, seed_store

HOSTILE = "<script>alert('x')</script>"
FLAGS = ("empty_output", "too_long", "repetition")
FEATURES = ("age", "income", "tenure", "balance")
ATTACKS = ("typo", "homoglyph", "synonym")


@dataclass(frozen=True)
class DashboardSeed:
    """What the tests check against."""

    report: Seeded
    feedback_events: int
    candidates: int
    adversary_versions: tuple[int, ...]


def seed_dashboard(store: Store, home: Path) -> DashboardSeed:
    """Fill ``store`` for every page; see :class:`DashboardSeed`."""
    seeded = seed_store(store, home)
    store.register_model_version("tiny", run_id=seeded.other, metrics={"eval/exact_match": 0.5})
    n, candidates = seed_feedback(store)
    for version in (1, 2):
        save_report(store, robustness_report(version), run_id=None)
    seed_xai(store)
    store.flush()
    seed_drift(store)
    return DashboardSeed(seeded, n, candidates, (1, 2))


def seed_feedback(store: Store, n: int = 240) -> tuple[int, int]:
    """``n`` events of ``tiny`` v1 over three days; returns (n, flagged-or-negative count)."""
    rng = random.Random(0)
    start = datetime(2025, 3, 1, tzinfo=UTC)
    rows, candidates = [], 0
    for i in range(n):
        flags = [FLAGS[i % 3]] if i % 7 == 0 else []
        signal = -1.0 if i % 11 == 0 else rng.choice([0.0, 1.0])
        candidates += bool(flags) or signal < 0
        rows.append(
            {
                "ts": start + timedelta(minutes=18 * i),
                "model_name": "tiny",
                "model_version": 1,
                "input": HOSTILE if i == 0 else f"What is {i} + {i}?",
                "output": str(2 * i),
                # The third day is slower: the drift check of that day finds it.
                "latency_ms": 40 + rng.random() * 80 + (150 if i >= 160 else 0),
                "user_signal": signal,
                "features": {"length": 10 + i % 30},
                "quality_flags": flags,
                "redactions": 2 if i % 13 == 0 else 0,
            }
        )
    store.log_feedback(rows, source="test")
    return n, candidates


def seed_drift(store: Store) -> None:
    """A reference sketch of the first day of feedback and two checks against it: the first
    day's second half (no drift) and the last day, whose latency was shifted (drift)."""
    from kitchen.analysis.drift import DriftOptions, Window, build_reference, run_drift_check

    options = DriftOptions(embed=False, permutations=50)
    start = datetime(2025, 3, 1, tzinfo=UTC)
    build_reference(
        store, store, Window("tiny", 1, start, start + timedelta(hours=24)), options=options
    )
    for name, since, until in (
        ("day 2", start + timedelta(hours=24), start + timedelta(hours=48)),
        ("day 3", start + timedelta(hours=48), start + timedelta(hours=72)),
    ):
        run_drift_check(store, Window("tiny", 1, since, until), options=options, name=name)


def robustness_report(version: int) -> RobustnessReport:
    """A classifier report of ``tiny`` v``version``: three attacks at two severities."""
    attacks = []
    for k, name in enumerate(ATTACKS):
        levels = tuple(
            LevelResult(
                severity=severity,
                accuracy=0.9 - drop,
                accuracy_drop=drop,
                relative_drop=drop / 0.9,
                drop_severity="moderate",
                success_rate=drop / 0.9,
                queries_per_example=4.0,
                consistency=1 - drop,
                mean_confidence_drop=drop / 2,
                originally_correct=90,
                flipped=int(100 * drop),
                variants=400,
            )
            for severity, drop in ((0.1, 0.05 * (k + 1) / version), (0.3, 0.1 * (k + 1) / version))
        )
        worst = (
            WorstExample(
                id=f"{name}-0",
                original="the movie was great",
                perturbed=f"the m0vie was gr3at <b>{name}</b>",
                label="positive",
                clean_prediction="positive",
                attacked_prediction="negative",
                clean_confidence=0.92,
                attacked_confidence=0.31,
            ),
        )
        attacks.append(
            AttackResult(name, "character", "perturbation", {"rate": 0.3}, levels, worst)
        )
    return RobustnessReport(
        target="classifier",
        n_examples=100,
        clean_accuracy=0.9,
        clean_queries=100,
        attacks=tuple(attacks),
        seed=0,
        model_name="tiny",
        model_version=version,
        task="sentiment",
    )


def seed_xai(store: Store) -> None:
    """A tabular SHAP explanation, a text explanation, a PDP/ICE and an attribution drift."""
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(5, len(FEATURES)))
    tabular = Explanation(
        method="shap_kernel",
        model=ModelRef("tiny", 1),
        examples=tuple(
            Attribution(
                features=FEATURES,
                values=tuple(float(v) for v in rng.normal(size=len(FEATURES))),
                base_value=0.5,
                output=0.7,
                target=1,
                inputs=tuple(float(v) for v in row),
            )
            for row in rows
        ),
        feature_names=FEATURES,
        seed=0,
        background=Background.of(rows, description="5 training rows"),
    )
    tokens = ("the", "movie", "was", HOSTILE, "great")
    text = Explanation(
        method="occlusion",
        model=ModelRef("tiny", 2),
        examples=(
            Attribution(
                features=tokens, values=(0.01, 0.2, -0.05, -0.4, 0.9), text=" ".join(tokens)
            ),
        ),
    )
    grid = np.linspace(0, 1, 5)
    individual = np.stack([grid * s for s in (0.5, 1.0, 1.5)])
    pdp = PartialDependence(
        ModelRef("tiny", 1),
        (DependenceCurve("income", grid, individual.mean(axis=0), individual),),
        "predict_proba",
        5,
    )
    for name, explanation, version in (("shap tabular", tabular, 1), ("occlusion text", text, 2)):
        store.log_analysis(
            kind="xai",
            name=name,
            params={"method": explanation.method},
            summary=explanation.summary(),
            result=explanation.to_dict(),
            model_name="tiny",
            model_version=version,
            seed=0,
        )
    store.log_analysis(
        kind="xai",
        name="pdp income",
        params={"method": "pdp_ice"},
        summary={"method": "pdp_ice"},
        result=pdp.to_dict(),
        model_name="tiny",
        model_version=1,
    )
    drift = compare_importances(
        tabular.global_importance(), {"age": 0.1, "income": 0.9, "tenure": 0.3}, k=3
    )
    store.log_analysis(
        kind="attribution_drift",
        name="tiny v1 → v2",
        params={"from": 1, "to": 2},
        summary=drift.to_dict(),
        result=drift.to_dict(),
        model_name="tiny",
        model_version=2,
    )
