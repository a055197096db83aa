"""Fine-tune and evaluate a :class:`TextClassifier`: a plain AdamW loop, readable top to bottom.

The loop shuffles with its own seeded generator, warms the learning rate up linearly over the
first 10 % of steps and decays it linearly to zero, and calls ``on_step`` after every update so
a stage can stream the loss as run metrics.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from kitchen.analysis.adversary.runner import label_indices
from kitchen.analysis.classifier.model import TextClassifier
from kitchen.errors import ConfigError

OnStep = Callable[[int, int, float, float], None]
"""``on_step(step, total_steps, loss, learning_rate)``."""


@dataclass(frozen=True, slots=True)
class FitResult:
    """What fine-tuning did: updates, the last and mean training loss, and seconds."""

    steps: int
    last_loss: float
    mean_loss: float
    seconds: float


def fine_tune(
    classifier: TextClassifier,
    texts: Sequence[str],
    labels: Sequence[str | int],
    *,
    epochs: int = 1,
    batch_size: int = 32,
    learning_rate: float = 5e-5,
    weight_decay: float = 0.01,
    max_steps: int = 0,
    seed: int = 0,
    on_step: OnStep | None = None,
) -> FitResult:
    """Train the whole classifier (encoder and head) with cross-entropy.

    Args:
        classifier: Trained in place.
        texts: Training texts.
        labels: Their labels (names or indices of ``classifier.labels``).
        epochs: Passes over the data.
        batch_size: Texts per update.
        learning_rate: Peak AdamW learning rate.
        weight_decay: AdamW weight decay (not on biases and norms).
        max_steps: Stop after this many updates (0: run every epoch).
        seed: Shuffling and dropout seed.
        on_step: Called after every update.

    Raises:
        ConfigError: no data, mismatched lengths or bad settings.
    """
    if not texts or len(texts) != len(labels):
        raise ConfigError(f"need texts with one label each; got {len(texts)} and {len(labels)}")
    if epochs < 1 or batch_size < 1 or learning_rate <= 0 or max_steps < 0:
        raise ConfigError("need epochs >= 1, batch_size >= 1, learning_rate > 0, max_steps >= 0")
    y = torch.as_tensor(label_indices(labels, classifier.labels))
    per_epoch = math.ceil(len(texts) / batch_size)
    total = per_epoch * epochs if not max_steps else min(max_steps, per_epoch * epochs)
    model = classifier.model
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    rest = [p for n, p in model.named_parameters() if p.ndim < 2]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": weight_decay}, {"params": rest, "weight_decay": 0.0}],
        lr=learning_rate,
    )
    warmup = max(1, total // 10)

    def schedule(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))

    lr_schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    order_rng = random.Random(seed)
    torch.manual_seed(seed)
    model.train()
    started = time.perf_counter()
    losses: list[float] = []
    step = 0
    try:
        while step < total:
            order = list(range(len(texts)))
            order_rng.shuffle(order)
            for start in range(0, len(order), batch_size):
                if step >= total:
                    break
                idx = order[start : start + batch_size]
                batch = classifier.encode([texts[i] for i in idx])
                logits = model(batch["input_ids"], batch["attention_mask"])
                loss = torch.nn.functional.cross_entropy(logits, y[idx].to(logits.device))
                optimizer.zero_grad(set_to_none=True)
                loss.backward()  # type: ignore[no-untyped-call]
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                lr = float(lr_schedule.get_last_lr()[0])
                lr_schedule.step()
                step += 1
                losses.append(float(loss.detach()))
                if on_step is not None:
                    on_step(step, total, losses[-1], lr)
    finally:
        model.eval()
    return FitResult(
        steps=step,
        last_loss=losses[-1],
        mean_loss=float(np.mean(losses)),
        seconds=time.perf_counter() - started,
    )


def evaluate(
    classifier: TextClassifier,
    texts: Sequence[str],
    labels: Sequence[str | int],
    *,
    batch_size: int = 64,
    groups: Sequence[str] = (),
) -> dict[str, float]:
    """Accuracy, mean cross-entropy and per-class recall on ``texts``.

    With ``groups`` (one name per text, such as the challenge split's kinds) it also reports
    ``<group>/accuracy`` and ``<group>/n`` for each group (texts in group ``""`` count only
    in the totals).
    """
    if not texts or len(texts) != len(labels):
        raise ConfigError(f"need texts with one label each; got {len(texts)} and {len(labels)}")
    if groups and len(groups) != len(texts):
        raise ConfigError(f"need one group per text; got {len(groups)} for {len(texts)}")
    y = label_indices(labels, classifier.labels)
    proba = classifier.predict_proba(texts, batch_size=batch_size)
    pred = proba.argmax(axis=1)
    out = {
        "accuracy": float((pred == y).mean()),
        "loss": float(-np.log(np.clip(proba[np.arange(len(y)), y], 1e-12, None)).mean()),
        "n": float(len(y)),
    }
    for k, name in enumerate(classifier.labels):
        mask = y == k
        if mask.any():
            out[f"recall_{name}"] = float((pred[mask] == k).mean())
    group_of = np.asarray(groups, dtype=object)
    for group in sorted(set(groups) - {""}):
        mask = group_of == group
        out[f"{group}/accuracy"] = float((pred[mask] == y[mask]).mean())
        out[f"{group}/n"] = float(mask.sum())
    return out
