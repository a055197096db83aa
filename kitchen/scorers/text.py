"""Text scorers: normalised exact match, includes, regex and SQuAD token F1.

Normalisation follows SQuAD v1.1's ``normalize_answer``: lower-case, drop punctuation, drop the
articles *a*, *an*, *the*, collapse whitespace. One extension: punctuation is every Unicode
punctuation character (category ``P*``), not just ASCII's, so ``«Paris»`` equals ``Paris``; for
ASCII text the result is SQuAD's exactly. (This is stricter than
:func:`kitchen.evaluators.exact_match.normalize_answer`, which keeps punctuation and articles.)
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kitchen.scorers._base import Score, Target, register, targets_of

__all__ = [
    "F1",
    "ExactMatch",
    "Includes",
    "Regex",
    "normalize_text",
    "token_f1",
]

_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)


def _is_punct(char: str) -> bool:
    return unicodedata.category(char).startswith("P") or char in "$+<=>^`|~"


def normalize_text(text: str) -> str:
    """SQuAD's ``normalize_answer``, with Unicode punctuation: ``"The  Cat!"`` → ``"cat"``."""
    text = "".join(c for c in text.lower() if not _is_punct(c))
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def token_f1(prediction: str, reference: str) -> float:
    """SQuAD token F1 between the normalised texts (1.0 when both normalise to nothing)."""
    pred, ref = normalize_text(prediction).split(), normalize_text(reference).split()
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


@dataclass(frozen=True)
class ExactMatch:
    """1 when the output equals a target after :func:`normalize_text` (or plain strip)."""

    normalize: bool = True

    def __call__(
        self, output: str, target: Target, *, metadata: Mapping[str, Any] | None = None
    ) -> Score:
        norm = normalize_text if self.normalize else str.strip
        answer = norm(output)
        for t in targets_of(target):
            if answer == norm(t):
                return Score(1.0, answer, f"matches {t!r}", {"matched": t})
        return Score(0.0, answer, "matches no target")


@dataclass(frozen=True)
class Includes:
    """1 when a target occurs in the output (normalised both sides, or case-folded only)."""

    normalize: bool = True

    def __call__(
        self, output: str, target: Target, *, metadata: Mapping[str, Any] | None = None
    ) -> Score:
        norm = normalize_text if self.normalize else str.casefold
        text = norm(output)
        for t in targets_of(target):
            needle = norm(t)
            hit = bool(needle) and (
                f" {needle} " in f" {text} " if self.normalize else needle in text
            )
            if hit:
                return Score(1.0, output, f"includes {t!r}", {"matched": t})
        return Score(0.0, output, "includes no target")


@dataclass(frozen=True)
class Regex:
    """Extract ``group`` of the last match of ``pattern`` and compare it (normalised) to a target.

    With no match the score is 0. ``flags`` are :mod:`re` flags.
    """

    pattern: str
    group: int | str = 0
    flags: int = 0

    def __call__(
        self, output: str, target: Target, *, metadata: Mapping[str, Any] | None = None
    ) -> Score:
        matches = list(re.finditer(self.pattern, output, self.flags))
        if not matches:
            return Score(0.0, "", f"no match for {self.pattern!r}")
        answer = matches[-1].group(self.group) or ""
        for t in targets_of(target):
            if normalize_text(answer) == normalize_text(t):
                return Score(1.0, answer, f"matches {t!r}", {"matched": t})
        return Score(0.0, answer, "matches no target")


@dataclass(frozen=True)
class F1:
    """SQuAD token F1, the best over the targets."""

    def __call__(
        self, output: str, target: Target, *, metadata: Mapping[str, Any] | None = None
    ) -> Score:
        targets = targets_of(target)
        if not targets:
            return Score(0.0, output, "no target")
        best = max((token_f1(output, t), t) for t in targets)
        return Score(best[0], output, f"best F1 against {best[1]!r}", {"matched": best[1]})


@register("exact_match")
def _exact_match(*, normalize: bool = True) -> ExactMatch:
    return ExactMatch(normalize)


@register("includes")
def _includes(*, normalize: bool = True) -> Includes:
    return Includes(normalize)


@register("regex")
def _regex(pattern: str, group: int | str = 0, flags: int = 0) -> Regex:
    re.compile(pattern, flags)  # fail at construction on a bad pattern
    return Regex(pattern, group, flags)


@register("f1")
def _f1() -> F1:
    return F1()
