"""Generate ``tokenizer_corpus.txt``: plain English and numbers for training the tiny tokenizer.

The text is produced from small hand-written word lists and sentence templates (nothing copied
from any book or site), so it can ship under the project's licence. It only has to teach the
byte-level BPE the common English words, punctuation and the shapes of numbers, dates, sums and
short code that the shipped data sets use. Regenerate with ``python -m kitchen.data.make_corpus``;
the output is deterministic.
"""

from __future__ import annotations

import random
from pathlib import Path

NAMES = (
    "Ada", "Ben", "Chloe", "Dev", "Emma", "Felix", "Grace", "Hugo", "Iris", "Jon", "Kira",
    "Liam", "Maya", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tara", "Umar", "Vera",
)  # fmt: skip
NOUNS = (
    "apple", "book", "box", "bird", "car", "cup", "dog", "door", "egg", "field", "garden",
    "hat", "house", "key", "lamp", "letter", "map", "marble", "orange", "pencil", "river",
    "road", "school", "shop", "stone", "table", "ticket", "train", "tree", "window", "coin",
    "student", "teacher", "farmer", "baker", "friend", "cookie", "bottle", "sticker", "page",
)  # fmt: skip
ADJECTIVES = (
    "small", "large", "red", "green", "blue", "old", "new", "quiet", "busy", "bright",
    "heavy", "light", "warm", "cold", "round", "tall", "short", "early", "late", "happy",
)  # fmt: skip
VERBS = (
    "buys", "sells", "finds", "counts", "carries", "paints", "reads", "writes", "packs",
    "opens", "moves", "shares", "collects", "gives", "keeps", "loses", "sorts", "checks",
)  # fmt: skip
PLACES = (
    "market", "park", "library", "station", "kitchen", "office", "village", "harbour",
    "museum", "bakery", "classroom", "garden", "farm", "bridge", "square",
)  # fmt: skip
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
CONNECTIVES = ("Then", "Later", "After that", "Next", "Meanwhile", "In the end", "First")
SUBJECTS = ("history", "biology", "physics", "chemistry", "geography", "economics", "music")


def _plural(noun: str) -> str:
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def _sentence(rng: random.Random) -> str:
    name, other = rng.sample(NAMES, 2)
    noun, adj, verb, place = (
        rng.choice(NOUNS),
        rng.choice(ADJECTIVES),
        rng.choice(VERBS),
        rng.choice(PLACES),
    )
    n, m = rng.randint(2, 99), rng.randint(2, 99)
    templates = (
        f"{name} {verb} {n} {adj} {_plural(noun)} at the {place}.",
        f"The {adj} {noun} is in the {place}, next to the {rng.choice(NOUNS)}.",
        f"{rng.choice(CONNECTIVES)}, {name} gives {other} {n} {_plural(noun)}.",
        f"On {rng.choice(MONTHS)} {rng.randint(1, 28)}, {rng.randint(1900, 2030)}, "
        f"{name} visited the {place}.",
        f"If {name} has {n} {_plural(noun)} and {other} has {m}, they have {n + m} in total.",
        f"{name} had {n + m} {_plural(noun)} and lost {m}, so {n} are left.",
        f"Each {noun} costs {n} dollars, so {m} of them cost {n * m} dollars.",
        f"What is {n}+{m}? The answer is {n + m}.",
        f"{n} + {m} = {n + m}, and {n * m} is {n} times {m}.",
        f"Question: Why does {name} go to the {place}? Answer: to buy a {adj} {noun}.",
        f"Which subject studies the {noun}? (A) {rng.choice(SUBJECTS)} (B) "
        f"{rng.choice(SUBJECTS)} (C) {rng.choice(SUBJECTS)} (D) {rng.choice(SUBJECTS)}",
        f"def count_{noun}(items):\n    return sum(1 for x in items if x == {n})",
        f"The score was {n}.{rng.randint(0, 9)} percent, up from {m}.{rng.randint(0, 9)}.",
        f"Is the {noun} {adj}? Yes, it is {adj} and {rng.choice(ADJECTIVES)}.",
    )
    return rng.choice(templates)


def make_corpus(*, n_paragraphs: int = 900, seed: int = 7) -> str:
    """Build the corpus text: paragraphs of 3-6 generated sentences separated by blank lines.

    Args:
        n_paragraphs: How many paragraphs to write (the default gives ~200 KB).
        seed: Seed of the private random generator.

    Returns:
        The corpus, ending in a newline.
    """
    rng = random.Random(seed)
    paragraphs = [
        " ".join(_sentence(rng) for _ in range(rng.randint(3, 6))) for _ in range(n_paragraphs)
    ]
    return "\n\n".join(paragraphs) + "\n"


def write_corpus(directory: Path | None = None) -> Path:
    """Write ``tokenizer_corpus.txt`` into ``directory`` (default: beside this module)."""
    path = (directory or Path(__file__).parent) / "tokenizer_corpus.txt"
    path.write_text(make_corpus(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_corpus())
