"""Thirty days of production feedback for two versions of the demo sentiment model.

Inputs are reviews from the shipped test split; outputs are the model version's real
predictions, worded as an assistant would. The second half of the period drifts on purpose,
so the drift analyses have something to find:

- ``customer_age`` (numeric) shifts its mean from 38 to 46;
- ``country`` gains a category the first half never saw (``br``);
- outputs get longer (extra explanation sentences) and latency rises with them;
- refusals go from about 2% to about 10% of outputs;
- half of the inputs are two reviews pasted together (longer inputs, a new kind of traffic).

About 4% of inputs carry PII (emails, phone numbers, test card numbers, SSNs) so that the
redaction on ingest has work to do. Everything derives from one seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from kitchen.demo.model import LABELS, Examples, SentimentModel

DAYS = 30
DRIFT_DAY = 15
COUNTRIES = ("us", "uk", "de", "fr", "in")
NEW_COUNTRY = "br"
CHANNELS = ("web", "mobile", "api")
REFUSALS = (
    "I'm sorry, but I can't help with that request.",
    "I cannot assist with analysing this content.",
    "As an AI language model, I cannot give an opinion on this review.",
)
EXPLANATIONS = (
    "The reviewer's wording carries most of the signal here.",
    "Several phrases point the same way, which makes the call fairly confident.",
    "Mixed remarks appear, but the overall tone decides it.",
    "Intensifiers such as 'really' or 'truly' strengthen the impression.",
    "The closing sentence usually summarises how the customer feels.",
    "Comparisons with earlier purchases also inform the label.",
)
TEST_CARDS = ("4111 1111 1111 1111", "5555-5555-5555-4444", "3782 822463 10005", "6011111111111117")
NAMES = ("ana", "bo", "chen", "dara", "eli", "fatima", "gus", "hana")


def _pii(rng: np.random.Generator) -> str:
    """A sentence with one piece of PII of a random kind (all fictional or test numbers)."""
    kind = int(rng.integers(4))
    name = NAMES[int(rng.integers(len(NAMES)))]
    if kind == 0:
        return f" You can reach me at {name}.{int(rng.integers(10, 99))}@example.com."
    if kind == 1:
        return f" Call me back on +1 415-555-{int(rng.integers(1000, 9999))}."
    if kind == 2:
        return f" My card {TEST_CARDS[int(rng.integers(len(TEST_CARDS)))]} was charged twice."
    area, group, serial = rng.integers(100, 899), rng.integers(10, 99), rng.integers(1000, 9999)
    return f" My SSN is {area}-{group}-{serial} if you need it."


def _answer(label: str, confidence: float, extra: int, rng: np.random.Generator) -> str:
    words = "clearly" if confidence > 0.8 else "probably" if confidence > 0.6 else "possibly"
    text = f"Sentiment: {label}. The review is {words} {label}."
    picks = rng.choice(len(EXPLANATIONS), size=extra, replace=False) if extra else ()
    return " ".join([text, *(EXPLANATIONS[int(i)] for i in picks)])


def generate_events(
    examples: Examples,
    models: Sequence[tuple[str, int, SentimentModel]],
    *,
    n: int,
    end: datetime,
    seed: int,
) -> list[dict[str, Any]]:
    """``n`` raw events (not yet redacted) spread over the :data:`DAYS` days before ``end``,
    served by ``models`` (name, version, model) in equal shares, oldest first."""
    rng = np.random.default_rng(seed)
    start = end - timedelta(days=DAYS)
    offsets = np.sort(rng.uniform(0, DAYS * 86_400, size=n))
    picks = rng.integers(len(examples.texts), size=n)
    served = rng.integers(len(models), size=n)
    texts = [examples.texts[int(i)] for i in picks]
    proba = np.zeros((n, len(LABELS)))
    for index, (_, _, model) in enumerate(models):
        chosen = np.flatnonzero(served == index)
        if chosen.size:
            proba[chosen] = model.predict_proba([texts[int(i)] for i in chosen])
    events = []
    for i in range(n):
        late = offsets[i] >= DRIFT_DAY * 86_400
        name, version, _ = models[int(served[i])]
        truth = examples.labels[int(picks[i])]
        predicted = LABELS[int(proba[i].argmax())]
        extra = int(rng.integers(2, 5)) if late else int(rng.integers(0, 2))
        roll = rng.random()
        if roll < (0.10 if late else 0.02):
            output = REFUSALS[int(rng.integers(len(REFUSALS)))]
        elif roll < (0.11 if late else 0.03):
            output = ""
        else:
            output = _answer(predicted, float(proba[i].max()), extra, rng)
        text = texts[i]
        if late and rng.random() < 0.5:
            text += " Also: " + examples.texts[int(rng.integers(len(examples.texts)))]
        text += _pii(rng) if rng.random() < 0.04 else ""
        countries = (*COUNTRIES, NEW_COUNTRY) if late else COUNTRIES
        weights = [0.3, 0.2, 0.15, 0.1, 0.05, 0.2] if late else [0.35, 0.25, 0.2, 0.12, 0.08]
        event: dict[str, Any] = {
            "ts": (start + timedelta(seconds=float(offsets[i]))).isoformat(),
            "model": f"{name}@{version}",
            "input": text,
            "output": output,
            "latency_ms": round(float(rng.lognormal(np.log(120 + 25 * extra), 0.3)), 1),
            "label": truth,
            "features": {
                "customer_age": int(np.clip(rng.normal(46 if late else 38, 9), 18, 90)),
                "country": countries[int(rng.choice(len(countries), p=weights))],
                "channel": CHANNELS[int(rng.integers(len(CHANNELS)))],
                "input_words": len(text.split()),
            },
        }
        signal = rng.random()
        if signal < 0.45:  # thumbs: mostly up when the prediction was right
            right = predicted == truth and output and output not in REFUSALS
            event["user_signal"] = "up" if (rng.random() < 0.85) == bool(right) else "down"
        elif signal < 0.6:
            event["rating"] = int(rng.integers(3, 6) if predicted == truth else rng.integers(1, 4))
        events.append(event)
    return events
