"""A MiniLM text classifier fine-tuned offline: the model the adversary and XAI analyses probe.

    from kitchen.analysis.classifier import TextClassifier, fine_tune, load_examples
    clf = TextClassifier.from_encoder()
    data = load_examples("kitchen/sentiment", "train")  # also "test", "challenge"
    fine_tune(clf, data.texts, data.labels, epochs=1)
    clf.predict_proba(["Loved it."])  # array([[0.02, 0.98]])

Names resolve lazily so importing the package does not import torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kitchen.analysis.classifier.data import (
        CHALLENGE_SPLIT,
        Examples,
        has_split,
        load_examples,
    )
    from kitchen.analysis.classifier.model import ClassifierModule, TextClassifier, encoder_path
    from kitchen.analysis.classifier.train import FitResult, evaluate, fine_tune

_WHERE = {
    "CHALLENGE_SPLIT": "data",
    "Examples": "data",
    "has_split": "data",
    "load_examples": "data",
    "ClassifierModule": "model",
    "TextClassifier": "model",
    "encoder_path": "model",
    "FitResult": "train",
    "evaluate": "train",
    "fine_tune": "train",
}

__all__ = [
    "CHALLENGE_SPLIT",
    "ClassifierModule",
    "Examples",
    "FitResult",
    "TextClassifier",
    "encoder_path",
    "evaluate",
    "fine_tune",
    "has_split",
    "load_examples",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_WHERE[name]}")
    return getattr(module, name)
