"""Integrated gradients and occlusion through the MiniLM ``TextClassifier`` (pretrained encoder,
untrained head: no fine-tuning needed to check the plumbing and completeness)."""

from __future__ import annotations

import pytest

classifier = pytest.importorskip("kitchen.analysis.classifier.model")


def test_minilm_classifier_is_explained_through_forward_embeds() -> None:
    from kitchen.analysis.xai.gradients import integrated_gradients, occlusion
    from kitchen.analysis.xai.text import TextModel

    clf = classifier.TextClassifier.from_encoder(seed=0)
    assert isinstance(clf, TextModel)
    texts = ["a wonderful film", "dull and slow"]
    ig = integrated_gradients(clf, texts, steps=32, target=1)
    assert ig.checks["max_relative_gap"] < 0.02
    assert ig.examples[0].features[1] == "a"
    occluded = occlusion(clf, texts, target=1)
    assert occluded.examples[0].output == pytest.approx(clf.predict_proba(texts)[0, 1], abs=1e-5)
