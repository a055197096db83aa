"""Word-level perturbations: deletion, insertion, synonym replacement and shuffling.

Words are whitespace-separated runs; punctuation stays attached to its word. ``rate`` is the
share of words deleted, inserted (relative to the original count), replaced (of those with a
synonym) or moved.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from kitchen.analysis.adversary._base import Perturbation, how_many
from kitchen.analysis.adversary.synonyms import SYNONYMS

# Words that add little meaning: an insertion attack tests whether filler moves the prediction.
FILLERS: tuple[str, ...] = (
    "really",
    "just",
    "quite",
    "actually",
    "basically",
    "somewhat",
    "literally",
    "perhaps",
    "maybe",
    "honestly",
    "so",
    "still",
    "rather",
    "also",
    "well",
    "anyway",
    "simply",
    "kind of",
)

_CORE = re.compile(r"^(\W*)(.*?)(\W*)$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class WordDeletion(Perturbation):
    """Delete a share ``rate`` of the words (at least one word is kept)."""

    name = "word_deletion"
    family = "word"

    def apply(self, text: str, rng: random.Random) -> str:
        words = text.split()
        k = min(how_many(rng, self.rate, len(words)), max(len(words) - 1, 0))
        drop = set(rng.sample(range(len(words)), k))
        return " ".join(w for i, w in enumerate(words) if i not in drop)


@dataclass(frozen=True, slots=True)
class WordInsertion(Perturbation):
    """Insert filler words (``FILLERS``) at random positions: ``rate`` × the word count."""

    name = "word_insertion"
    family = "word"

    def apply(self, text: str, rng: random.Random) -> str:
        words = text.split()
        for _ in range(how_many(rng, self.rate, len(words))):
            words.insert(rng.randrange(len(words) + 1), rng.choice(FILLERS))
        return " ".join(words)


@dataclass(frozen=True, slots=True)
class SynonymReplacement(Perturbation):
    """Replace words by a synonym from the shipped table, keeping case and punctuation.

    ``rate`` is the share of the words that have a synonym in the table.
    """

    name = "synonym_replacement"
    family = "word"

    def apply(self, text: str, rng: random.Random) -> str:
        words = text.split()
        cores = [_CORE.match(w) for w in words]
        eligible = [i for i, m in enumerate(cores) if m and m.group(2).lower() in SYNONYMS]
        for i in sorted(rng.sample(eligible, how_many(rng, self.rate, len(eligible)))):
            m = cores[i]
            assert m is not None
            lead, core, trail = m.groups()
            new = rng.choice(SYNONYMS[core.lower()])
            if core.isupper() and len(core) > 1:
                new = new.upper()
            elif core[:1].isupper():
                new = new[:1].upper() + new[1:]
            words[i] = f"{lead}{new}{trail}"
        return " ".join(words)


@dataclass(frozen=True, slots=True)
class WordShuffle(Perturbation):
    """Move a share ``rate`` of the words: the chosen positions are permuted among themselves
    (a derangement where possible, so every chosen word really moves)."""

    name = "word_shuffle"
    family = "word"

    def apply(self, text: str, rng: random.Random) -> str:
        words = text.split()
        k = how_many(rng, self.rate, len(words))
        if k < 2:
            # One word cannot move alone: a rate that rounds to one word swaps two.
            k = 2 if k == 1 and len(words) >= 2 else 0
        positions = sorted(rng.sample(range(len(words)), k))
        # A cyclic shift by a random offset moves every chosen word to another chosen slot.
        offset = rng.randrange(1, k) if k >= 2 else 0
        moved = [words[positions[(j + offset) % k]] for j in range(k)]
        for j, position in enumerate(positions):
            words[position] = moved[j]
        return " ".join(words)
