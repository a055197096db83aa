"""Seeded analyses, computed by the real analysis code on the demo's real models and events.

- ``drift``: per model version, a reference sketch of the first half of the feedback period
  (``drift_reference``), the second half checked against it (drift injected: expected to
  drift), and for version 1 the first week against the second (expected not to).
- ``adversary``: character and word attacks on each version, on the test split.
- ``xai``: exact linear SHAP of each version on a shared probe set, and LIME for version 2.
- ``attribution_drift``: how version 2's SHAP importances differ from version 1's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from kitchen.demo.feedback import DAYS, DRIFT_DAY
from kitchen.demo.model import Examples, SentimentModel
from store import Store

ATTACKS = ("character_swap", "homoglyph", "synonym_replacement", "word_deletion")
ATTACK_EXAMPLES = 80
PROBES = 8


def seed_drift(
    store: Store,
    models: Sequence[tuple[str, int, SentimentModel]],
    end: datetime,
    *,
    embed: bool,
    seed: int,
) -> Counter[str]:
    """Reference sketches and drift checks of the stored feedback; counts per kind."""
    from kitchen.analysis.drift import DriftOptions, Window, build_reference, run_drift_check
    from kitchen.analysis.drift.check import encoder_for

    options = DriftOptions(embed=embed, seed=seed, permutations=200)
    encoder = encoder_for(options)
    start = end - timedelta(days=DAYS)
    middle = start + timedelta(days=DRIFT_DAY)
    made: Counter[str] = Counter()
    for name, version, _ in models:
        first = Window(name, version, since=start, until=middle)
        build_reference(store, store, first, options=options, encoder=encoder)
        made["drift_reference"] += 1
        run_drift_check(
            store,
            Window(name, version, since=middle, until=end),
            options=options,
            encoder=encoder,
            name=f"drift {name} v{version}: second half vs first half",
        )
        made["drift"] += 1
    name, version, _ = models[0]
    week = timedelta(days=7)
    run_drift_check(
        store,
        Window(name, version, since=start + week, until=start + 2 * week),
        reference=Window(name, version, since=start, until=start + week),
        options=options,
        encoder=encoder,
        name=f"drift {name} v{version}: week 2 vs week 1 (no drift injected)",
    )
    made["drift"] += 1
    return made


def seed_adversary(
    store: Store, models: Sequence[tuple[str, int, SentimentModel]], test: Examples, seed: int
) -> Counter[str]:
    """A robustness report per version, stored as ``adversary`` analyses."""
    from kitchen.analysis.adversary import attack_classifier, make_attack, save_report

    attacks = [make_attack(name) for name in ATTACKS]
    made: Counter[str] = Counter()
    for name, version, model in models:
        report = attack_classifier(
            model,
            test.texts[:ATTACK_EXAMPLES],
            test.labels[:ATTACK_EXAMPLES],
            attacks,
            seed=seed,
            ids=test.ids[:ATTACK_EXAMPLES],
            model_name=name,
            model_version=version,
            data="kitchen/sentiment",
        )
        save_report(store, report)
        made["adversary"] += 1
    return made


def seed_xai(
    store: Store,
    models: Sequence[tuple[str, int, SentimentModel]],
    train: Examples,
    test: Examples,
    seed: int,
) -> Counter[str]:
    """SHAP per version on shared probes, LIME for the last version, and the attribution
    drift between the first two versions' SHAP explanations."""
    from kitchen.analysis.xai.drift import compare_importances
    from kitchen.analysis.xai.explanation import ModelRef
    from kitchen.analysis.xai.persist import log_attribution_drift, log_explanation
    from kitchen.analysis.xai.tabular import shap_linear
    from kitchen.analysis.xai.text import lime_text

    probes = test.texts[:PROBES]
    made: Counter[str] = Counter()
    explained = []
    for name, version, model in models:
        background = model.features(train.texts[:200])
        explanation = shap_linear(
            model.classifier,
            model.features(probes),
            background,
            feature_names=model.feature_names,
            target=1,
            model_ref=ModelRef(name, version),
        )
        stored = log_explanation(
            store, explanation, name=f"SHAP (linear) {name} v{version} on {PROBES} reviews"
        )
        explained.append((explanation, str(stored.id)))
        made["xai"] += 1
    name, version, model = models[-1]
    lime = lime_text(
        model, probes[:4], target=1, num_samples=300, seed=seed, model_ref=ModelRef(name, version)
    )
    log_explanation(store, lime, name=f"LIME {name} v{version} on 4 reviews")
    made["xai"] += 1
    (before, before_id), (after, after_id) = explained[0], explained[1]
    # The versions have different vocabularies (v2 adds bigrams), so per-example stability is
    # undefined; the global importances compare over the union (absent = 0).
    drift = compare_importances(before.global_importance(), after.global_importance(), k=10)
    log_attribution_drift(store, drift, before=before, after=after, sources=(before_id, after_id))
    made["attribution_drift"] += 1
    return made
