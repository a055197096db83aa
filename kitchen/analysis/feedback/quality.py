"""Quality checks on a model's output: empty, refusal, repetition, too short, too long.

Each check is cheap (a few regular expressions and counts) because it runs on every ingested
event. The thresholds are fields of :class:`QualityConfig`; the defaults are documented in
``docs/feedback.md`` and are what the engine's ingest route uses.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

FLAGS = ("empty", "refusal", "repetition", "too_short", "too_long")

# Refusal openings and stock phrases, matched case-insensitively near the start of the output
# (a refusal is how an answer begins, not a quoted phrase deep inside a long one).
REFUSAL_PATTERNS = (
    r"\bI(?:'m| am) (?:sorry|afraid),? (?:but )?I (?:can(?:'t|not)|won't|am unable|'m unable)",
    # "I cannot help but notice" is not a refusal.
    r"\bI (?:can(?:'t|not)|won't|will not) (?:help|assist|comply|provide|do that|answer)\b(?! but)",
    r"\bI(?:'m| am) (?:not able|unable) to (?:help|assist|comply|provide|answer|do)",
    r"\bI must (?:decline|refuse)",
    r"\bI(?:'m| am) not (?:allowed|permitted) to\b",
    r"\bas an AI(?: language model)?,? I (?:can(?:'t|not)|don't|do not|am not)",
    r"\b(?:this|that|your) request (?:violates|goes against|is against)",
    r"\bI(?:'d| would) rather not\b",
)
_REFUSAL = re.compile("|".join(f"(?:{p})" for p in REFUSAL_PATTERNS), re.IGNORECASE)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class QualityConfig:
    """Thresholds of the quality checks.

    Attributes:
        min_chars: An output shorter than this (stripped, but not blank) is ``too_short``.
        max_chars: An output longer than this is ``too_long``.
        refusal_window: Refusal patterns are searched in this many leading characters.
        ngram: The n of the repeated n-gram check (words, lowercased).
        min_words: Outputs with fewer words skip the n-gram check (too little evidence).
        max_repeated_share: ``repetition`` when more than this share of the n-grams repeat an
            earlier one.
        max_line_repeats: ``repetition`` when one non-blank line occurs more than this often.
    """

    min_chars: int = 3
    max_chars: int = 4000
    refusal_window: int = 300
    ngram: int = 3
    min_words: int = 12
    max_repeated_share: float = 0.5
    max_line_repeats: int = 3


DEFAULT_QUALITY = QualityConfig()


def repeated_ngram_share(text: str, n: int = 3) -> float:
    """The share of word n-grams in ``text`` that repeat an earlier one (0 when none can)."""
    words = [w.lower() for w in _WORD.findall(text)]
    grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    if not grams:
        return 0.0
    return 1.0 - len(set(grams)) / len(grams)


def _repeats_lines(text: str, limit: int) -> bool:
    lines = Counter(line.strip() for line in text.splitlines() if line.strip())
    return bool(lines) and max(lines.values()) > limit


def quality_flags(output: str, config: QualityConfig = DEFAULT_QUALITY) -> list[str]:
    """The quality flags of one output, in :data:`FLAGS` order (empty list when it looks fine).

    A blank output is only ``empty``: the other checks say nothing about it.
    """
    stripped = output.strip()
    if not stripped:
        return ["empty"]
    flags: list[str] = []
    if _REFUSAL.search(stripped[: config.refusal_window]):
        flags.append("refusal")
    many_words = len(_WORD.findall(stripped)) >= config.min_words
    if (
        many_words and repeated_ngram_share(stripped, config.ngram) > config.max_repeated_share
    ) or _repeats_lines(stripped, config.max_line_repeats):
        flags.append("repetition")
    if len(stripped) < config.min_chars:
        flags.append("too_short")
    if len(stripped) > config.max_chars:
        flags.append("too_long")
    return flags
