"""Generate the shipped sentiment set: short English reviews labelled positive or negative.

``sentiment_train.jsonl`` (1,600 reviews) and ``sentiment_test.jsonl`` (400) are produced by
:func:`make_sentiment` with its defaults and shipped beside this module; the text classifier
(:mod:`kitchen.analysis.classifier`) is fine-tuned and attacked on them offline. Regenerate with
``python -m kitchen.data.make_sentiment``; the output is byte-for-byte deterministic.

Reviews are built from sentence patterns over six domains (films, restaurants, gadgets, hotels,
books, apps) with their own items and aspects, so the classifier must read the sentiment words
rather than the topic. A share of reviews carry negation ("not bad", "not worth it") or a
contrast ("the plot was slow, but …") whose clause of the opposite polarity makes the task less
than trivial. Every text is unique and no text appears in both splits.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

Record = dict[str, Any]

# Per domain: what is reviewed, its aspects, and closing lines that fit it.
DOMAINS: dict[str, dict[str, tuple[str, ...]]] = {
    "film": {
        "items": ("film", "movie", "thriller", "comedy", "documentary", "sequel", "drama"),
        "aspects": (
            "the acting",
            "the plot",
            "the soundtrack",
            "the pacing",
            "the dialogue",
            "the ending",
            "the camera work",
            "the lead performance",
            "the script",
        ),
        "pos_close": ("I would watch it again tomorrow.", "Easily the best film I saw this year."),
        "neg_close": ("I walked out halfway through.", "Two hours I will never get back."),
    },
    "restaurant": {
        "items": ("restaurant", "bistro", "diner", "noodle bar", "pizzeria", "cafe", "steakhouse"),
        "aspects": (
            "the food",
            "the service",
            "the pasta",
            "the staff",
            "the dessert",
            "the coffee",
            "the portions",
            "the atmosphere",
            "the waiter",
            "the menu",
        ),
        "pos_close": ("We will definitely be back.", "Book a table, you will not regret it."),
        "neg_close": ("We will not be going back.", "Save your money and eat somewhere else."),
    },
    "gadget": {
        "items": (
            "blender",
            "pair of headphones",
            "backpack",
            "kettle",
            "phone case",
            "vacuum",
            "keyboard",
            "desk lamp",
            "smartwatch",
            "charger",
        ),
        "aspects": (
            "the build quality",
            "the battery",
            "the sound",
            "the design",
            "the price",
            "the instructions",
            "the packaging",
            "the fit and finish",
            "the customer support",
        ),
        "pos_close": ("Worth every penny.", "I already ordered a second one as a gift."),
        "neg_close": ("It went straight back for a refund.", "A complete waste of money."),
    },
    "hotel": {
        "items": ("hotel", "guesthouse", "resort", "hostel", "inn", "apartment rental"),
        "aspects": (
            "the room",
            "the bed",
            "the breakfast",
            "the reception staff",
            "the location",
            "the shower",
            "the view",
            "the cleanliness",
            "the pool",
        ),
        "pos_close": ("I would stay here again in a heartbeat.", "A perfect base for our trip."),
        "neg_close": ("Never again.", "We checked out a day early."),
    },
    "book": {
        "items": ("novel", "book", "memoir", "cookbook", "biography", "short story collection"),
        "aspects": (
            "the writing",
            "the characters",
            "the story",
            "the prose",
            "the ending",
            "the research",
            "the translation",
            "the first chapter",
            "the humour",
        ),
        "pos_close": ("I could not put it down.", "It has earned a place on my shelf."),
        "neg_close": ("I gave up after fifty pages.", "It is going straight to the charity shop."),
    },
    "app": {
        "items": ("app", "game", "budgeting tool", "photo editor", "music service", "website"),
        "aspects": (
            "the interface",
            "the latest update",
            "the login process",
            "the performance",
            "the notifications",
            "the search",
            "the layout",
            "the sync",
            "the onboarding",
        ),
        "pos_close": ("I use it every single day.", "Five stars, no hesitation."),
        "neg_close": ("Uninstalled within the hour.", "One star, and that is generous."),
    },
}

POS_ADJ = (
    "excellent",
    "wonderful",
    "superb",
    "delightful",
    "fantastic",
    "great",
    "lovely",
    "impressive",
    "outstanding",
    "charming",
    "brilliant",
    "terrific",
    "pleasant",
    "fabulous",
    "remarkable",
    "first-rate",
)
NEG_ADJ = (
    "terrible",
    "awful",
    "dreadful",
    "disappointing",
    "mediocre",
    "poor",
    "bland",
    "frustrating",
    "shoddy",
    "boring",
    "sloppy",
    "useless",
    "horrible",
    "lousy",
    "dismal",
    "underwhelming",
)
POS_FEEL = (
    "I loved",
    "I really enjoyed",
    "I was thrilled with",
    "I was pleasantly surprised by",
    "I adored",
    "I was delighted with",
    "I am very happy with",
)
NEG_FEEL = (
    "I hated",
    "I was let down by",
    "I regret choosing",
    "I was fed up with",
    "I was annoyed by",
    "I am deeply unhappy with",
    "I was disappointed by",
)
POS_ADV = ("really", "truly", "genuinely", "absolutely", "remarkably", "consistently")
NEG_ADV = ("really", "truly", "utterly", "painfully", "thoroughly", "consistently")
POS_GENERIC = ("Highly recommended.", "Would recommend to anyone.", "A real gem.", "Loved it.")
NEG_GENERIC = ("Not recommended.", "Avoid.", "What a letdown.", "Very disappointing overall.")


def _review(rng: random.Random, positive: bool) -> str:
    """One review of ``positive`` polarity from a randomly chosen pattern."""
    domain = DOMAINS[rng.choice(sorted(DOMAINS))]
    item = rng.choice(domain["items"])
    a1, a2 = rng.sample(domain["aspects"], 2)
    same_adj, other_adj = (POS_ADJ, NEG_ADJ) if positive else (NEG_ADJ, POS_ADJ)
    adj1, adj2 = rng.sample(same_adj, 2)
    other = rng.choice(other_adj)
    feel = rng.choice(POS_FEEL if positive else NEG_FEEL)
    adv = rng.choice(POS_ADV if positive else NEG_ADV)
    close = rng.choice(
        (domain["pos_close"] + POS_GENERIC) if positive else (domain["neg_close"] + NEG_GENERIC)
    )
    pattern = rng.randrange(8)
    if pattern == 0:
        text = f"The {item} was {adv} {adj1}. {a1.capitalize()} was {adj2}. {close}"
    elif pattern == 1:
        text = f"{feel} this {item}; {a1} was {adj1} and {a2} was {adj2}."
    elif pattern == 2:
        # A contrast: a clause of the other polarity, then the verdict.
        text = (
            f"{a1.capitalize()} was a bit {other}, but {a2} was {adv} {adj1} "
            f"and overall the {item} was {adj2}."
        )
    elif pattern == 3:
        verdict = (
            f"not {rng.choice(NEG_ADJ)} at all" if positive else f"not {rng.choice(POS_ADJ)} at all"
        )
        text = f"Honestly, {a1} was {verdict}. {close}"
    elif pattern == 4:
        text = f"{adj1.capitalize()} {item}. {a1.capitalize()}: {adj2}. {close}"
    elif pattern == 5:
        text = f"I expected little from this {item}, and {a1} turned out to be {adj1}. {close}"
    elif pattern == 6:
        worth = "well worth it" if positive else "not worth it"
        text = f"{feel} {a1}. The {item} is {worth}, {a2} was {adj2}."
    else:
        stars = rng.choice((4, 5)) if positive else rng.choice((1, 2))
        text = f"{stars} out of 5. {a1.capitalize()} {adv} {adj1}, {a2} {adj2}. {close}"
        text = text.replace(f"{a1.capitalize()} {adv}", f"{a1.capitalize()} was {adv}")
        text = text.replace(f", {a2} {adj2}", f", {a2} {adj2} too")
    return text


def make_sentiment(
    n_train: int = 1600, n_test: int = 400, seed: int = 7
) -> dict[str, list[Record]]:
    """Unique, balanced reviews split into ``train`` and ``test``.

    Args:
        n_train: Training reviews (half of each label).
        n_test: Test reviews (half of each label), none equal to a training review.
        seed: The generator's seed.

    Returns:
        ``{"train": [...], "test": [...]}`` with records ``{"id", "text", "label"}``.
    """
    rng = random.Random(seed)
    total = n_train + n_test
    seen: set[str] = set()
    records: list[tuple[str, str]] = []
    for label in ("positive", "negative"):
        made = 0
        while made < total // 2:
            text = _review(rng, label == "positive")
            if text.lower() in seen:
                continue
            seen.add(text.lower())
            records.append((text, label))
            made += 1
    rng.shuffle(records)
    # Balanced splits: take half of each label for the test set.
    test_pos = [r for r in records if r[1] == "positive"][: n_test // 2]
    test_neg = [r for r in records if r[1] == "negative"][: n_test // 2]
    test = set(test_pos + test_neg)
    splits: dict[str, list[Record]] = {"train": [], "test": []}
    for text, label in records:
        split = "test" if (text, label) in test else "train"
        rows = splits[split]
        rows.append({"id": f"{split}-{len(rows):04d}", "text": text, "label": label})
    return splits


def write(directory: Path | None = None) -> list[Path]:
    """Write ``sentiment_train.jsonl`` and ``sentiment_test.jsonl`` into ``directory``."""
    directory = directory or Path(__file__).parent
    paths = []
    for split, rows in make_sentiment().items():
        path = directory / f"sentiment_{split}.jsonl"
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write():
        print(written)
