"""Answer-extracting scorers: numbers with a tolerance, math equivalence, multiple choice.

Numbers: the *last* number in the text counts. Accepted forms: ``42``, ``-3.5``, ``+2``,
``.5``, ``1,000`` and ``1,234,567.89`` (commas only as thousands separators in groups of three),
``1e-3`` and ``2.5E+4``, and simple fractions ``1/2`` and ``-3/4`` (read exactly). A trailing
``%`` is ignored (``50%`` is 50). LaTeX such as ``\\frac{1}{2}`` is left to ``math_verify``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from kitchen.scorers._base import Score, Target, register, targets_of

__all__ = [
    "Choice",
    "MathVerify",
    "Numeric",
    "extract_choice",
    "extract_number",
]

_NUMBER = re.compile(
    r"(?<![\w.])[-+−]?"  # a sign (ASCII or Unicode minus), not glued to a word
    r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?:[eE][-+]?\d+|/\d+(?:\.\d+)?)?"
)


def extract_number(text: str) -> float | None:
    """The last number in ``text`` as a float (see the module docstring), or ``None``."""
    matches = _NUMBER.findall(text)
    for raw in reversed(matches):
        value = _to_float(raw.replace(",", "").replace("−", "-"))
        if value is not None:
            return value
    return None


def _to_float(raw: str) -> float | None:
    try:
        if "/" in raw:
            numerator, denominator = raw.split("/")
            if float(denominator) == 0:
                return None
            return float(Fraction(numerator) / Fraction(denominator))
        return float(raw)
    except (ValueError, ZeroDivisionError):
        return None


@dataclass(frozen=True)
class Numeric:
    """1 when the output's last number is within tolerance of a target's.

    A match needs ``|out - target| <= max(tolerance, relative * |target|)``.
    """

    tolerance: float = 1e-6
    relative: float = 0.0

    def __call__(
        self, output: str, target: Target, *, metadata: Mapping[str, Any] | None = None
    ) -> Score:
        value = extract_number(output)
        if value is None:
            return Score(0.0, "", "no number in the output")
        answer = _format(value)
        for t in targets_of(target):
            expected = extract_number(t)
            if expected is None:
                continue
            allowed = max(self.tolerance, self.relative * abs(expected))
            if math.isfinite(value) and abs(value - expected) <= allowed:
                return Score(
                    1.0, answer, f"{answer} is within {allowed:g} of {t!r}", {"matched": t}
                )
        return Score(0.0, answer, f"{answer} matches no target")


def _format(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


@dataclass(frozen=True)
class MathVerify:
    """Mathematical equivalence by ``math_verify`` (see :mod:`kitchen.envs.verify`).

    The answer is the last ``\\boxed{}`` of the output; without one, the last number (as
    written). The check runs in the shared :class:`~kitchen.envs.verify.AnswerChecker` pool under
    ``timeout_s``; its status (``ok``, ``timeout``, ``error``, ``fallback``) is in the metadata.
    """

    timeout_s: float = 5.0

    def __call__(
        self, output: str, target: Target, *, metadata: Mapping[str, Any] | None = None
    ) -> Score:
        from kitchen.envs.math import extract_boxed
        from kitchen.envs.verify import shared_checker

        answer = extract_boxed(output)
        if answer is None:
            numbers = _NUMBER.findall(output)
            answer = numbers[-1] if numbers else None
        if answer is None:
            return Score(0.0, "", "no boxed answer or number in the output")
        checker = shared_checker(timeout_s=self.timeout_s)
        status = "error"
        for t in targets_of(target):
            reference = extract_boxed(t) or t
            check = checker.check(reference, answer)
            status = check.status
            if check.correct:
                meta = {"matched": t, "status": status}
                return Score(1.0, answer, f"equivalent to {t!r}", meta)
        return Score(0.0, answer, "equivalent to no target", {"status": status})


_CHOICE_PATTERNS = (
    # "The answer is (B)", "answer: **C**", "Answer - D", "the correct option is B"
    r"(?i:answer|option|choice)\s*(?i:is|:|-)?\s*(?i:option\s*)?[\s(\[*]*([{L}])(?![A-Za-z])",
    # The whole output is the letter: "B", "(B)", "B.", "**B**", "[C]"
    r"^\W*([{L}])\W*$",
    # Starts with the letter as a label: "B. Paris", "C) 12", "**D**: because ..."
    r"^\W*([{L}])(?:[.):]|\*\*)",
    # The last parenthesised letter: "... so (C)"
    r"\(([{L}])\)",
)


def extract_choice(text: str, letters: str = "ABCDEFGHIJ") -> str | None:
    """The chosen letter in a multiple-choice answer, upper-case, or ``None``.

    Tried in order, last match wins within a rule: an "answer is X" phrase, a bare letter,
    a leading "X." label, a parenthesised "(X)". Letters are matched case-sensitively, so the
    article "a" is never read as choice A; the words "answer is" may be in any case.
    """
    text = text.strip()
    for template in _CHOICE_PATTERNS:
        pattern = template.replace("{L}", re.escape(letters))
        found = re.findall(pattern, text, re.MULTILINE)
        if found:
            letter = str(found[-1]).upper()
            if letter in letters.upper():
                return letter
    return None


@dataclass(frozen=True)
class Choice:
    """1 when the extracted choice letter equals the target letter (or a target's first letter)."""

    letters: str = "ABCDEFGHIJ"

    def __call__(
        self, output: str, target: Target, *, metadata: Mapping[str, Any] | None = None
    ) -> Score:
        answer = extract_choice(output, self.letters)
        if answer is None:
            return Score(0.0, "", "no choice letter in the output")
        for t in targets_of(target):
            expected = extract_choice(t, self.letters) or t.strip().upper()
            if answer == expected:
                return Score(1.0, answer, f"chose {answer}", {"matched": t})
        return Score(0.0, answer, f"chose {answer}")


@register("numeric")
def _numeric(*, tolerance: float = 1e-6, relative: float = 0.0) -> Numeric:
    if tolerance < 0 or relative < 0:
        raise ValueError(f"tolerances must be >= 0, got {tolerance}, {relative}")
    return Numeric(tolerance, relative)


@register("math_verify")
def _math_verify(*, timeout_s: float = 5.0) -> MathVerify:
    return MathVerify(timeout_s)


@register("choice")
def _choice(*, letters: str = "ABCDEFGHIJ") -> Choice:
    return Choice(letters.upper())
