"""Text explainers over a transformer classifier: SHAP (partition, Text masker) and LIME.

Both are black-box: they only call ``predict_proba(texts)``. The classifier contract is
:class:`TextModel` — what :class:`kitchen.analysis.classifier.TextClassifier` provides — so a
tiny test model, the MiniLM classifier and a registered model all explain the same way.
Gradient methods (integrated gradients, occlusion) live in :mod:`.gradients`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from kitchen.analysis.xai.explanation import Attribution, Explanation, ModelRef, gap_checks
from kitchen.errors import ConfigError


@runtime_checkable
class TextModel(Protocol):
    """A text classifier the XAI methods can explain.

    Attributes:
        model: A torch module; called as ``model(input_ids=…, attention_mask=…)`` or
            ``model(inputs_embeds=…, attention_mask=…)``, it returns logits (a tensor, or an
            object with ``.logits`` as Hugging Face models do).
        tokenizer: A Hugging Face (fast) tokenizer.
        labels: One name per class, in logit order.
    """

    model: Any
    tokenizer: Any
    labels: Sequence[str]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities, ``[len(texts), len(labels)]``."""
        ...

    def embeddings(self) -> Any:
        """The input (word) embedding layer whose output integrated gradients perturbs."""
        ...


def _targets(
    model: TextModel, texts: Sequence[str], target: int | None
) -> tuple[np.ndarray, list[int]]:
    """Probabilities of ``texts`` and the class explained for each (``target``, else the
    predicted class)."""
    if not texts:
        raise ConfigError("no texts to explain")
    probs = np.asarray(model.predict_proba(list(texts)), dtype=np.float64)
    n_classes = probs.shape[1]
    if target is not None and not 0 <= target < n_classes:
        raise ConfigError(f"target class {target} out of range: the model has {n_classes}")
    chosen = [int(target) if target is not None else int(row.argmax()) for row in probs]
    return probs, chosen


def shap_text(
    model: TextModel,
    texts: Sequence[str],
    *,
    target: int | None = None,
    max_evals: int = 200,
    batch_size: int = 32,
    seed: int = 0,
    model_ref: ModelRef | None = None,
) -> Explanation:
    """SHAP values per token: ``shap.Explainer`` with a ``Text`` masker over ``predict_proba``.

    The masker hides tokens with the tokenizer's mask token (partition explainer, Owen values);
    base value + Σ attributions = P(target | text), and the gap is reported.
    """
    import shap

    probs, chosen = _targets(model, texts, target)
    masker = shap.maskers.Text(model.tokenizer)

    def predict(batch: Any) -> np.ndarray:
        return np.asarray(model.predict_proba([str(t) for t in batch]), dtype=np.float64)

    explainer = shap.Explainer(predict, masker, output_names=list(model.labels), seed=seed)
    found = explainer(list(texts), max_evals=max_evals, batch_size=batch_size, silent=True)
    examples = []
    for i, text in enumerate(texts):
        t = chosen[i]
        tokens = tuple(str(tok) for tok in found.data[i])
        values = np.asarray(found.values[i], dtype=np.float64)[:, t]
        examples.append(
            Attribution(
                features=tokens,
                values=tuple(float(v) for v in values),
                base_value=float(np.asarray(found.base_values[i]).reshape(-1)[t]),
                output=float(probs[i, t]),
                target=t,
                text=text,
            )
        )
    return Explanation(
        method="shap_text",
        model=model_ref or ModelRef(type(model).__name__),
        examples=tuple(examples),
        seed=seed,
        params={
            "output": "probability",
            "target": target,
            "max_evals": max_evals,
            "masker": f"Text(mask_token={getattr(model.tokenizer, 'mask_token', None)!r})",
        },
        checks=gap_checks(examples),
    )


def lime_text(
    model: TextModel,
    texts: Sequence[str],
    *,
    target: int | None = None,
    num_samples: int = 500,
    seed: int = 0,
    model_ref: ModelRef | None = None,
) -> Explanation:
    """LIME per word position (``bow=False``): a local linear fit over texts with words
    removed, sampled with ``seed`` — the same seed gives the same explanation."""
    from lime.lime_text import LimeTextExplainer

    _, chosen = _targets(model, texts, target)
    explainer = LimeTextExplainer(class_names=list(model.labels), bow=False, random_state=seed)

    def predict(batch: Sequence[str]) -> np.ndarray:
        return np.asarray(model.predict_proba(list(batch)), dtype=np.float64)

    examples = []
    for text, t in zip(texts, chosen, strict=True):
        found = explainer.explain_instance(
            text,
            predict,
            labels=(t,),
            num_features=max(len(text.split()), 1) * 2,
            num_samples=num_samples,
        )
        words = found.domain_mapper.indexed_string
        values = np.zeros(words.num_words())
        for index, weight in found.local_exp[t]:
            values[index] = weight
        examples.append(
            Attribution(
                features=tuple(str(words.word(i)) for i in range(words.num_words())),
                values=tuple(float(v) for v in values),
                target=t,
                text=text,
                score=float(found.score),
            )
        )
    scores = [e.score for e in examples if e.score is not None]
    return Explanation(
        method="lime_text",
        model=model_ref or ModelRef(type(model).__name__),
        examples=tuple(examples),
        seed=seed,
        params={"target": target, "num_samples": num_samples, "bow": False},
        checks={"mean_r2": float(np.mean(scores))} if scores else {},
    )
