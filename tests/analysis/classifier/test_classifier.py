"""The MiniLM text classifier: accuracy after a short fine-tune, save/load, the attributes the
explainability helpers use, and its fall under heavy character noise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kitchen.analysis.adversary import attack_classifier, make_attack
from kitchen.analysis.classifier import TextClassifier, evaluate, load_examples
from kitchen.errors import DataError
from tests.analysis.classifier.conftest import ACCURACY_FLOOR

Trained = tuple[TextClassifier, Path]


@pytest.fixture(scope="module")
def test_set() -> object:
    return load_examples("kitchen/sentiment", "test")


def test_fine_tuned_classifier_beats_the_floor(trained: Trained, test_set: object) -> None:
    clf, _ = trained
    metrics = evaluate(clf, test_set.texts, test_set.labels)  # type: ignore[attr-defined]
    assert metrics["n"] == 400
    assert metrics["accuracy"] >= ACCURACY_FLOOR
    assert min(metrics["recall_negative"], metrics["recall_positive"]) >= 0.8


def test_predictions_and_saved_copy_agree(trained: Trained) -> None:
    clf, folder = trained
    texts = ["An absolutely wonderful film.", "Dreadful service, never again.", "Meh"]
    proba = clf.predict_proba(texts)
    assert proba.shape == (3, 2) and np.allclose(proba.sum(axis=1), 1.0)
    assert clf.predict(texts[:2]) == ["positive", "negative"]
    again = TextClassifier.load(folder)
    assert again.labels == ("negative", "positive") and again.max_length == 64
    np.testing.assert_allclose(again.predict_proba(texts), proba, atol=1e-6)
    assert {p.name for p in folder.iterdir()} >= {
        "model.safetensors",
        "config.json",
        "classifier.json",
        "tokenizer.json",
    }
    with pytest.raises(TypeError, match="not one string"):
        clf.predict_proba("one string")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="not a saved text classifier"):
        TextClassifier.load(folder.parent)


def test_embedding_path_matches_the_token_path(trained: Trained) -> None:
    import torch

    clf, _ = trained
    layer = clf.embeddings()
    assert isinstance(layer, torch.nn.Embedding)
    assert layer.num_embeddings == clf.tokenizer.vocab_size
    batch = clf.encode(["Lovely staff and a superb view."])
    with torch.no_grad():
        direct = clf.model(batch["input_ids"], batch["attention_mask"])
        via = clf.model.forward_embeds(layer(batch["input_ids"]), batch["attention_mask"])
    torch.testing.assert_close(direct, via)
    # Integrated gradients need gradients to reach the embeddings.
    embeds = layer(batch["input_ids"]).detach().requires_grad_(True)
    clf.model.forward_embeds(embeds, batch["attention_mask"])[0, 1].backward()
    assert embeds.grad is not None and float(embeds.grad.abs().sum()) > 0


def test_heavy_character_noise_drops_accuracy(trained: Trained, test_set: object) -> None:
    clf, _ = trained
    texts = test_set.texts[:80]  # type: ignore[attr-defined]
    labels = test_set.labels[:80]  # type: ignore[attr-defined]
    noise = make_attack("keyboard_typo+character_delete")
    report = attack_classifier(clf, texts, labels, [noise], severities=(0.05, 0.4), seed=0)
    light, heavy = report.attack("keyboard_typo+character_delete").levels
    assert report.clean_accuracy >= ACCURACY_FLOOR
    assert heavy.accuracy <= report.clean_accuracy - 0.1
    assert heavy.accuracy_drop > light.accuracy_drop
    assert heavy.success_rate is not None and heavy.success_rate > 0.1
    assert report.attack("keyboard_typo+character_delete").worst
