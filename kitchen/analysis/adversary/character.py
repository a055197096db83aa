"""Character-level perturbations: swaps, deletions, insertions, homoglyphs and keyboard typos.

Each edits a share ``rate`` of the eligible characters (letters, for all five), chosen at
random without replacement, so the text keeps its length and word boundaries except where the
edit itself adds or removes a character. They model the noise real users type and the tricks
that fool tokenizers (a Cyrillic ``а`` looks like a Latin ``a`` but is a different token).
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from kitchen.analysis.adversary._base import Perturbation, check_choice, how_many

# Latin letters and the Unicode confusables that render (near-)identically.
HOMOGLYPHS: dict[str, dict[str, str]] = {
    "cyrillic": {
        "a": "\u0430",
        "c": "\u0441",
        "e": "\u0435",
        "i": "\u0456",
        "j": "\u0458",
        "o": "\u043e",
        "p": "\u0440",
        "s": "\u0455",
        "x": "\u0445",
        "y": "\u0443",
        "A": "\u0410",
        "B": "\u0412",
        "C": "\u0421",
        "E": "\u0415",
        "H": "\u041d",
        "K": "\u041a",
        "M": "\u041c",
        "O": "\u041e",
        "P": "\u0420",
        "T": "\u0422",
        "X": "\u0425",
    },
    "greek": {
        "o": "\u03bf",
        "v": "\u03bd",
        "u": "\u03c5",
        "i": "\u03b9",
        "A": "\u0391",
        "B": "\u0392",
        "E": "\u0395",
        "H": "\u0397",
        "I": "\u0399",
        "K": "\u039a",
        "M": "\u039c",
        "N": "\u039d",
        "O": "\u039f",
        "P": "\u03a1",
        "T": "\u03a4",
        "X": "\u03a7",
        "Z": "\u0396",
    },
}

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _qwerty_neighbours() -> dict[str, str]:
    """Each letter's neighbours on a QWERTY keyboard (same row and the rows above and below,
    offset as on a real keyboard)."""
    where = {ch: (r, c) for r, row in enumerate(_ROWS) for c, ch in enumerate(row)}
    out: dict[str, str] = {}
    for ch, (r, c) in where.items():
        near = []
        for other, (r2, c2) in where.items():
            if other == ch:
                continue
            # Each row sits about half a key right of the one above: key c of row r touches
            # keys c and c+1 of the row above and keys c-1 and c of the row below.
            beside = r2 == r and abs(c2 - c) == 1
            above = r2 == r - 1 and c2 in (c, c + 1)
            below = r2 == r + 1 and c2 in (c - 1, c)
            if beside or above or below:
                near.append(other)
        out[ch] = "".join(sorted(near))
    return out


QWERTY_NEIGHBOURS: dict[str, str] = _qwerty_neighbours()
KEYBOARDS: dict[str, dict[str, str]] = {"qwerty": QWERTY_NEIGHBOURS}


def _letters(text: str) -> list[int]:
    return [i for i, ch in enumerate(text) if ch.isalpha()]


@dataclass(frozen=True, slots=True)
class CharacterSwap(Perturbation):
    """Swap a letter with the next one inside the same word (``great`` → ``graet``)."""

    name = "character_swap"

    def apply(self, text: str, rng: random.Random) -> str:
        chars = list(text)
        # A swap needs a letter followed by a letter; the pair's first index is eligible.
        eligible = [
            i for i in range(len(chars) - 1) if chars[i].isalpha() and chars[i + 1].isalpha()
        ]
        for i in sorted(rng.sample(eligible, how_many(rng, self.rate, len(eligible)))):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        return "".join(chars)


@dataclass(frozen=True, slots=True)
class CharacterDelete(Perturbation):
    """Delete letters (``excellent`` → ``excelent``)."""

    name = "character_delete"

    def apply(self, text: str, rng: random.Random) -> str:
        eligible = _letters(text)
        drop = set(rng.sample(eligible, how_many(rng, self.rate, len(eligible))))
        return "".join(ch for i, ch in enumerate(text) if i not in drop)


@dataclass(frozen=True, slots=True)
class CharacterInsert(Perturbation):
    """Insert a random lowercase letter after chosen letters (``good`` → ``goxod``)."""

    name = "character_insert"

    def apply(self, text: str, rng: random.Random) -> str:
        eligible = _letters(text)
        chosen = set(rng.sample(eligible, how_many(rng, self.rate, len(eligible))))
        out = []
        for i, ch in enumerate(text):
            out.append(ch)
            if i in chosen:
                out.append(rng.choice(string.ascii_lowercase))
        return "".join(out)


@dataclass(frozen=True, slots=True)
class Homoglyph(Perturbation):
    """Replace letters by look-alike Unicode characters (``charset``: cyrillic or greek).

    ``rate`` is the share of the letters that *have* a confusable in the chosen set.
    """

    name = "homoglyph"
    charset: str = "cyrillic"

    def __post_init__(self) -> None:
        Perturbation.__post_init__(self)
        check_choice(self.name, "charset", self.charset, HOMOGLYPHS)

    def apply(self, text: str, rng: random.Random) -> str:
        table = HOMOGLYPHS[self.charset]
        eligible = [i for i, ch in enumerate(text) if ch in table]
        chosen = set(rng.sample(eligible, how_many(rng, self.rate, len(eligible))))
        return "".join(table[ch] if i in chosen else ch for i, ch in enumerate(text))


@dataclass(frozen=True, slots=True)
class KeyboardTypo(Perturbation):
    """Replace letters by a neighbouring key (``layout`` qwerty), keeping the case."""

    name = "keyboard_typo"
    layout: str = "qwerty"

    def __post_init__(self) -> None:
        Perturbation.__post_init__(self)
        check_choice(self.name, "layout", self.layout, KEYBOARDS)

    def apply(self, text: str, rng: random.Random) -> str:
        table = KEYBOARDS[self.layout]
        eligible = [i for i, ch in enumerate(text) if ch.lower() in table]
        chars = list(text)
        for i in sorted(rng.sample(eligible, how_many(rng, self.rate, len(eligible)))):
            typo = rng.choice(table[chars[i].lower()])
            chars[i] = typo.upper() if chars[i].isupper() else typo
        return "".join(chars)
