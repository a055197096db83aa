"""Text explainers: occlusion and integrated gradients on a hand-built model whose answer is
known, IG completeness on a tiny BERT, SHAP-text additivity, seeded LIME text."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
import torch

from kitchen.analysis.xai.checks import stability
from kitchen.analysis.xai.gradients import integrated_gradients, occlusion
from kitchen.analysis.xai.hf import minilm_tokenizer
from kitchen.analysis.xai.text import TextModel, lime_text, shap_text
from kitchen.errors import ConfigError


class _BagOfWords(torch.nn.Module):
    """logits = [0, Σ_t w(t)] over unmasked tokens: 'good' adds +2, 'bad' adds −3."""

    def __init__(self, tokenizer: Any) -> None:
        super().__init__()
        self.embed = torch.nn.Embedding(tokenizer.vocab_size, 1)
        with torch.no_grad():
            self.embed.weight.zero_()
            self.embed.weight[tokenizer.convert_tokens_to_ids("good")] = 2.0
            self.embed.weight[tokenizer.convert_tokens_to_ids("bad")] = -3.0

    def forward(
        self,
        input_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        inputs_embeds: torch.Tensor | None = None,
    ) -> torch.Tensor:
        emb = self.embed(input_ids) if inputs_embeds is None else inputs_embeds
        assert attention_mask is not None
        score = (emb[..., 0] * attention_mask).sum(-1)
        return torch.stack([torch.zeros_like(score), score], dim=-1)


class _Known:
    """The bag-of-words model behind the TextModel contract."""

    labels = ("negative", "positive")

    def __init__(self) -> None:
        self.tokenizer = minilm_tokenizer()
        self.model = _BagOfWords(self.tokenizer)

    def embeddings(self) -> Any:
        return self.model.embed

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        enc = self.tokenizer(list(texts), return_tensors="pt", padding=True)
        with torch.no_grad():
            logits = self.model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
        return torch.softmax(logits.double(), -1).numpy()


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


@pytest.fixture(scope="module")
def known() -> _Known:
    return _Known()


def test_the_known_model_satisfies_the_contract(known: _Known, tiny_bert: Any) -> None:
    assert isinstance(known, TextModel) and isinstance(tiny_bert, TextModel)


def test_occlusion_finds_the_known_drop(known: _Known) -> None:
    found = occlusion(known, ["a good film", "a bad good film"], target=1)
    first = dict(zip(found.examples[0].features, found.examples[0].values, strict=True))
    assert first["good"] == pytest.approx(_sigmoid(2) - 0.5, abs=1e-6)
    assert first["a"] == first["film"] == first["[CLS]"] == 0.0
    second = found.examples[1]
    drops = dict(zip(second.features, second.values, strict=True))
    assert drops["bad"] == pytest.approx(_sigmoid(-1) - _sigmoid(2), abs=1e-6)
    assert drops["good"] == pytest.approx(_sigmoid(-1) - _sigmoid(-3), abs=1e-6)
    assert second.output == pytest.approx(_sigmoid(-1), abs=1e-6)


def test_occlusion_windows_average_over_covering_windows(known: _Known) -> None:
    found = occlusion(known, ["good x bad"], target=1, window=2)
    values = dict(zip(found.examples[0].features, found.examples[0].values, strict=True))
    p = _sigmoid(-1)
    window_1, window_2 = p - _sigmoid(-3), p - _sigmoid(2)  # [good x], [x bad]
    assert values["good"] == pytest.approx(window_1, abs=1e-6)
    assert values["x"] == pytest.approx((window_1 + window_2) / 2, abs=1e-6)
    assert values["bad"] == pytest.approx(window_2, abs=1e-6)


def test_integrated_gradients_exact_on_a_linear_logit(known: _Known) -> None:
    found = integrated_gradients(known, ["good bad film"], target=1, output="logit", steps=4)
    values = dict(zip(found.examples[0].features, found.examples[0].values, strict=True))
    assert values["good"] == pytest.approx(2.0, abs=1e-6)
    assert values["bad"] == pytest.approx(-3.0, abs=1e-6)
    assert values["film"] == 0.0 and values["[CLS]"] == 0.0  # specials keep their embedding
    assert found.checks["max_gap"] < 1e-6
    assert found.params["baseline"].startswith("pad")


def test_integrated_gradients_completeness_gap_shrinks_with_steps(tiny_bert: Any) -> None:
    texts = ["the movie was great and fun", "terrible acting, boring plot"]
    coarse = integrated_gradients(tiny_bert, texts, steps=2)
    fine = integrated_gradients(tiny_bert, texts, steps=96)
    assert fine.checks["max_gap"] < coarse.checks["max_gap"] / 10
    assert fine.checks["max_relative_gap"] < 0.01
    example = fine.examples[0]
    assert example.base_value is not None and example.output is not None
    total = sum(example.values)
    assert total == pytest.approx(example.output - example.base_value, abs=1e-3)
    left = integrated_gradients(tiny_bert, texts, steps=96, rule="left")
    assert fine.checks["max_gap"] < left.checks["max_gap"]  # trapezoid beats a one-sided sum


def test_shap_text_is_additive_and_tokenised(tiny_bert: Any) -> None:
    texts = ["a wonderful film", "dull and slow"]
    found = shap_text(tiny_bert, texts, max_evals=60)
    assert found.checks["max_gap"] < 1e-4
    assert "wonderful " in found.examples[0].features
    probs = tiny_bert.predict_proba(texts)
    for example, row in zip(found.examples, probs, strict=True):
        assert example.target == int(row.argmax())
        assert example.output == pytest.approx(row[example.target])


def test_lime_text_same_seed_same_explanation(known: _Known) -> None:
    texts = ["a good film but a bad ending", "bad bad good"]
    a = lime_text(known, texts, target=1, num_samples=200, seed=5)
    b = lime_text(known, texts, target=1, num_samples=200, seed=5)
    c = lime_text(known, texts, target=1, num_samples=200, seed=6)
    assert a.to_dict() == b.to_dict()
    assert a.to_dict()["examples"] != c.to_dict()["examples"]
    first = dict(zip(a.examples[0].features, a.examples[0].values, strict=True))
    assert first["good"] > 0 > first["bad"]  # LIME recovers the known signs
    assert stability(a, c).mean_spearman > 0.5


def test_bad_targets_and_settings_are_refused(known: _Known) -> None:
    with pytest.raises(ConfigError, match="target class 4 out of range"):
        occlusion(known, ["good"], target=4)
    with pytest.raises(ConfigError, match="steps ≥ 1"):
        integrated_gradients(known, ["good"], steps=0)
    with pytest.raises(ConfigError, match="no texts"):
        lime_text(known, [], seed=0)
