"""Attack a text classifier: clean pass, then every attack at every severity, batched.

An example is attacked with up to ``tries`` variants (try ``t`` perturbs with seed
``"{seed}:{t}"``); once a variant changes the prediction the example is not tried again, so
``queries_per_example`` measures what breaking the model cost. All variants of one try are
scored in one batched ``predict_proba`` call stream.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from kitchen.analysis.adversary._base import Perturbation
from kitchen.analysis.adversary.report import (
    AttackResult,
    LevelResult,
    RobustnessReport,
    WorstExample,
    drop_severity,
)
from kitchen.errors import ConfigError

DEFAULT_SEVERITIES: tuple[float, ...] = (0.05, 0.1, 0.2)


class ProbabilisticClassifier(Protocol):
    """What the runner attacks: label names and class probabilities for a batch of texts."""

    @property
    def labels(self) -> Sequence[str]: ...

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray: ...


class QueryCounter:
    """Wraps a classifier and counts the texts it is asked to score."""

    def __init__(self, classifier: ProbabilisticClassifier, batch_size: int) -> None:
        self.classifier = classifier
        self.batch_size = batch_size
        self.queries = 0
        self.calls = 0

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        n_labels = len(self.classifier.labels)
        if not texts:
            return np.zeros((0, n_labels))
        parts = []
        for start in range(0, len(texts), self.batch_size):
            chunk = list(texts[start : start + self.batch_size])
            out = np.asarray(self.classifier.predict_proba(chunk), dtype=np.float64)
            if out.shape != (len(chunk), n_labels):
                raise ConfigError(
                    f"predict_proba returned shape {out.shape} for {len(chunk)} texts and "
                    f"{n_labels} labels"
                )
            parts.append(out)
            self.queries += len(chunk)
            self.calls += 1
        return np.concatenate(parts)


@dataclass
class _Tracker:
    """Per-example state of one attack level across tries."""

    clean_conf: np.ndarray  # clean probability of the true label
    broken: np.ndarray  # prediction changed by some variant
    all_correct: np.ndarray  # every variant predicted the true label
    worst_conf: np.ndarray  # lowest true-label probability seen
    worst_text: list[str]
    worst_proba: np.ndarray
    agree: int = 0
    variants: int = 0


def label_indices(labels: Sequence[str | int], names: Sequence[str]) -> np.ndarray:
    """Labels as indices into ``names`` (names or integer indices accepted).

    Raises:
        ConfigError: a label the classifier does not know.
    """
    out = []
    for label in labels:
        if isinstance(label, int | np.integer) and 0 <= int(label) < len(names):
            out.append(int(label))
        elif label in names:
            out.append(list(names).index(str(label)))
        else:
            raise ConfigError(f"label {label!r} is not one of the classifier's {list(names)}")
    return np.asarray(out, dtype=np.int64)


def attack_classifier(
    classifier: ProbabilisticClassifier,
    texts: Sequence[str],
    labels: Sequence[str | int],
    attacks: Sequence[Perturbation],
    *,
    severities: Sequence[float] = DEFAULT_SEVERITIES,
    seed: int = 0,
    tries: int = 1,
    batch_size: int = 64,
    worst_k: int = 5,
    ids: Sequence[str] | None = None,
    model_name: str | None = None,
    model_version: int | None = None,
    data: str | None = None,
) -> RobustnessReport:
    """Measure how ``attacks`` change ``classifier``'s answers on ``texts``.

    Args:
        classifier: Has ``labels`` and ``predict_proba(texts) -> [n, n_labels]``.
        texts: The clean inputs.
        labels: Their true labels (names or indices).
        attacks: Perturbations; those whose rate is a severity run once per severity.
        severities: Rates to sweep, weakest first.
        seed: Every variant's seed derives from it.
        tries: Variants per example and level at most (stopping once the prediction changes).
        batch_size: Texts per ``predict_proba`` call.
        worst_k: Worst examples kept per attack (at its strongest level).
        ids: Example ids for the worst-example listing (default the index).
        model_name: The registered model attacked, if it is one.
        model_version: Its version.
        data: Where ``texts`` came from (``kitchen/sentiment:challenge``, a file): the attack
            × version matrix compares versions on the same data only.

    Raises:
        ConfigError: no texts, mismatched lengths, or bad settings.
    """
    if not texts or len(texts) != len(labels):
        raise ConfigError(f"need texts with one label each; got {len(texts)} and {len(labels)}")
    if tries < 1 or batch_size < 1 or worst_k < 0 or not severities:
        raise ConfigError("need tries >= 1, batch_size >= 1, worst_k >= 0 and a severity")
    names = list(classifier.labels)
    y = label_indices(labels, names)
    ids = list(ids) if ids is not None else [str(i) for i in range(len(texts))]
    counter = QueryCounter(classifier, batch_size)
    clean = counter.proba(texts)
    clean_queries = counter.queries
    clean_pred = clean.argmax(axis=1)
    correct = clean_pred == y
    clean_acc = float(correct.mean())
    results = []
    for attack in attacks:
        levels: list[LevelResult] = []
        worst: tuple[WorstExample, ...] = ()
        rates = list(severities) if attack.sweeps() else [attack.rate]
        for rate in rates:
            variant = attack.with_rate(rate) if attack.sweeps() else attack
            before = counter.queries
            track = _run_level(variant, texts, y, clean, counter, seed, tries)
            levels.append(_level(rate, track, correct, clean_acc, counter.queries - before, y))
            worst = _worst(track, texts, ids, y, clean, names, worst_k)
        results.append(
            AttackResult(
                name=attack.label,
                type=attack.name,
                family=attack.family,
                params=attack.params(),
                levels=tuple(levels),
                worst=worst,
            )
        )
    return RobustnessReport(
        target="classifier",
        n_examples=len(texts),
        clean_accuracy=clean_acc,
        clean_queries=clean_queries,
        attacks=tuple(results),
        seed=seed,
        model_name=model_name,
        model_version=model_version,
        settings={"severities": list(severities), "tries": tries, "worst_k": worst_k},
        data=data,
    )


def _run_level(
    attack: Perturbation,
    texts: Sequence[str],
    y: np.ndarray,
    clean: np.ndarray,
    counter: QueryCounter,
    seed: int,
    tries: int,
) -> _Tracker:
    n = len(texts)
    clean_pred = clean.argmax(axis=1)
    true_conf = clean[np.arange(n), y]
    track = _Tracker(
        clean_conf=true_conf,
        broken=np.zeros(n, dtype=bool),
        all_correct=np.ones(n, dtype=bool),
        worst_conf=true_conf.copy(),
        worst_text=list(texts),
        worst_proba=clean.copy(),
    )
    for t in range(tries):
        active = np.flatnonzero(~track.broken)
        if active.size == 0:
            break
        perturbed = [attack(texts[int(i)], seed=f"{seed}:{t}") for i in active]
        proba = counter.proba(perturbed)
        pred = proba.argmax(axis=1)
        track.variants += len(active)
        track.agree += int((pred == clean_pred[active]).sum())
        track.broken[active] |= pred != clean_pred[active]
        track.all_correct[active] &= pred == y[active]
        conf = proba[np.arange(len(active)), y[active]]
        lower = conf < track.worst_conf[active]
        for j in np.flatnonzero(lower):
            i = active[j]
            track.worst_conf[i] = conf[j]
            track.worst_text[i] = perturbed[j]
            track.worst_proba[i] = proba[j]
    return track


def _level(
    rate: float,
    track: _Tracker,
    correct: np.ndarray,
    clean_acc: float,
    queries: int,
    y: np.ndarray,
) -> LevelResult:
    accuracy = float(track.all_correct.mean())
    drop = clean_acc - accuracy
    relative = drop / clean_acc if clean_acc > 0 else 0.0
    n_correct = int(correct.sum())
    flipped = int((track.broken & correct).sum())
    n = len(y)
    return LevelResult(
        severity=float(rate),
        accuracy=accuracy,
        accuracy_drop=drop,
        relative_drop=relative,
        drop_severity=drop_severity(relative),
        success_rate=flipped / n_correct if n_correct else None,
        queries_per_example=queries / n,
        consistency=track.agree / track.variants if track.variants else 1.0,
        mean_confidence_drop=float(np.clip(track.clean_conf - track.worst_conf, 0, None).mean()),
        originally_correct=n_correct,
        flipped=flipped,
        variants=track.variants,
    )


def _worst(
    track: _Tracker,
    texts: Sequence[str],
    ids: Sequence[str],
    y: np.ndarray,
    clean: np.ndarray,
    names: Sequence[str],
    k: int,
) -> tuple[WorstExample, ...]:
    n = len(texts)
    drops = clean[np.arange(n), y] - track.worst_conf
    # Biggest drop first; the index breaks ties so the order is stable.
    order = sorted(range(n), key=lambda i: (-drops[i], i))[:k]
    return tuple(
        WorstExample(
            id=str(ids[i]),
            original=texts[i],
            perturbed=track.worst_text[i],
            label=names[int(y[i])],
            clean_prediction=names[int(clean[i].argmax())],
            attacked_prediction=names[int(track.worst_proba[i].argmax())],
            clean_confidence=float(clean[i, y[i]]),
            attacked_confidence=float(track.worst_conf[i]),
            clean_proba=tuple(float(p) for p in clean[i]),
            attacked_proba=tuple(float(p) for p in track.worst_proba[i]),
        )
        for i in order
        if drops[i] > 0
    )
