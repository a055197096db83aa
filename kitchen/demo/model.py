"""A cheap, real sentiment classifier for the demo: TF-IDF features and a logistic regression
trained by SGD, in well under a second on ``kitchen/data/sentiment_train.jsonl``.

It is what the seeded analyses probe (adversarial attacks, SHAP/LIME explanations), so they
are computed by the real analysis code on a real model rather than made up. Training by
mini-batch SGD gives a genuine loss curve per step for the seeded training runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kitchen.errors import ConfigError, DataError

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
LABELS: tuple[str, ...] = ("negative", "positive")


@dataclass(frozen=True)
class Examples:
    """Texts and their labels (``negative`` / ``positive``), with ids."""

    ids: list[str]
    texts: list[str]
    labels: list[str]


def load_sentiment(split: str) -> Examples:
    """The shipped sentiment examples of ``split`` (``train`` or ``test``).

    Raises:
        DataError: the file is missing or a line lacks ``text`` or ``label``.
    """
    path = DATA_DIR / f"sentiment_{split}.jsonl"
    if not path.is_file():
        raise DataError(f"{path}: no such file; the demo needs the shipped sentiment data")
    ids, texts, labels = [], [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("label") not in LABELS or not isinstance(row.get("text"), str):
            raise DataError(f"{path.name} line {number}: needs 'text' and a label in {LABELS}")
        ids.append(str(row.get("id", f"{split}-{number}")))
        texts.append(row["text"])
        labels.append(row["label"])
    return Examples(ids, texts, labels)


class SentimentModel:
    """TF-IDF + logistic regression with the interface the analyses expect.

    Attributes:
        labels: Class names in column order of :meth:`predict_proba`.
        vectorizer: The fitted ``TfidfVectorizer``.
        classifier: The fitted ``SGDClassifier`` (log loss: a logistic regression).
        model: None — there is no torch module to take gradients through.
        tokenizer: None — LIME and the linear SHAP explainer need none.
    """

    labels: Sequence[str] = LABELS
    model: Any = None
    tokenizer: Any = None

    def __init__(self, vectorizer: Any, classifier: Any) -> None:
        self.vectorizer = vectorizer
        self.classifier = classifier

    def features(self, texts: Sequence[str]) -> np.ndarray:
        """Dense TF-IDF rows of ``texts``."""
        return np.asarray(self.vectorizer.transform(list(texts)).toarray(), dtype=np.float64)

    @property
    def feature_names(self) -> list[str]:
        """The vocabulary, in column order."""
        return [str(n) for n in self.vectorizer.get_feature_names_out()]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """``[len(texts), 2]`` probabilities of negative and positive."""
        proba = self.classifier.predict_proba(self.vectorizer.transform(list(texts)))
        return np.asarray(proba, dtype=np.float64)

    def embeddings(self) -> Any:
        """No embedding layer: gradient methods do not apply to a TF-IDF model."""
        raise ConfigError("the TF-IDF demo model has no embeddings; use LIME or SHAP")

    def to_json(self) -> bytes:
        """The fitted weights as JSON (vocabulary, idf, coefficients): the model artifact."""
        vocabulary = self.feature_names
        payload = {
            "kind": "tfidf+logistic_regression",
            "labels": list(self.labels),
            "ngram_range": list(self.vectorizer.ngram_range),
            "vocabulary": vocabulary,
            "idf": [round(float(v), 6) for v in self.vectorizer.idf_],
            "coef": [round(float(v), 6) for v in self.classifier.coef_[0]],
            "intercept": round(float(self.classifier.intercept_[0]), 6),
        }
        return json.dumps(payload, sort_keys=True).encode()


StepCallback = Callable[[int, dict[str, float]], None]


def train_sentiment(
    data: Examples,
    *,
    ngrams: int = 1,
    max_features: int = 2000,
    epochs: int = 6,
    batch_size: int = 64,
    alpha: float = 1e-4,
    seed: int = 0,
    holdout: Examples | None = None,
    on_step: StepCallback | None = None,
) -> SentimentModel:
    """Fit the classifier by mini-batch SGD, reporting ``train/loss`` per step (and
    ``eval/accuracy`` on ``holdout`` after each epoch) to ``on_step``.

    Deterministic for a given ``seed``: the batch order and the SGD state derive from it.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import SGDClassifier
    from sklearn.metrics import log_loss

    vectorizer = TfidfVectorizer(
        ngram_range=(1, ngrams), max_features=max_features, sublinear_tf=True, min_df=2
    )
    x = vectorizer.fit_transform(data.texts)
    y = np.array([LABELS.index(label) for label in data.labels])
    classifier = SGDClassifier(
        loss="log_loss", alpha=alpha, learning_rate="optimal", random_state=seed
    )
    rng = np.random.default_rng(seed)
    step = 0
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            classifier.partial_fit(x[batch], y[batch], classes=np.array([0, 1]))
            step += 1
            if on_step is not None:
                loss = log_loss(y[batch], classifier.predict_proba(x[batch]), labels=[0, 1])
                on_step(step, {"train/loss": float(loss)})
        if holdout is not None and on_step is not None:
            predicted = classifier.predict(vectorizer.transform(holdout.texts))
            truth = np.array([LABELS.index(label) for label in holdout.labels])
            on_step(step, {"eval/accuracy": float((predicted == truth).mean())})
    return SentimentModel(vectorizer, classifier)
