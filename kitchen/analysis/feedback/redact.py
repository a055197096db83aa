"""PII redaction: emails, phone numbers, payment cards and US SSNs become typed placeholders.

Production text reaches the store only through here. Each detector is a regular expression that
finds candidates plus a check that rejects look-alikes (a card must pass the Luhn check and
carry a known issuer prefix and length; an SSN must use valid area, group and serial numbers; a
US phone number needs valid area and exchange codes). Overlapping matches go to the stronger
kind (email, card, SSN, then phone). The original text is never logged or kept: callers get the
redacted text and counts per kind only.

What is deliberately *not* redacted, to keep order numbers, dates and versions intact: bare
digit runs without separators (``2125551234`` — unless written ``+12125551234``), national
numbers outside North America without a leading ``+``, and SSNs written without separators.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

KINDS = ("email", "card", "ssn", "phone")
PLACEHOLDERS = {"email": "[EMAIL]", "card": "[CARD]", "ssn": "[SSN]", "phone": "[PHONE]"}

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,24}(?![\w-])"
)
# 13-19 digits, optionally in groups separated by one space or dash.
_CARD = re.compile(r"(?<![\w.-])\d(?:[ -]?\d){12,18}(?![\w]|[.-]\d)")
_SSN = re.compile(r"(?<![\w.-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\w]|[.-]\d)")
# North American numbers: optional +1 / 1, area code (bracketed or not), exchange, line.
_US_PHONE = re.compile(
    r"(?<![\w+.-])(?:(?:\+1|1)[ .-]?)?(?:\((\d{3})\)[ ]?|(\d{3})[ .-])(\d{3})[ .-](\d{4})"
    r"(?![\w]|[.-]\d)"
)
# International numbers: a leading +, a country code, then digit groups (E.164: 8-15 digits).
_INTL_PHONE = re.compile(r"(?<![\w+])\+[1-9]\d{0,2}(?:[ -]?\(?\d{1,5}\)?){1,6}(?![\w]|[.-]\d)")


@dataclass(frozen=True, slots=True)
class Redacted:
    """Redacted text and how many of each kind of PII it held."""

    text: str
    counts: Counter[str]

    @property
    def total(self) -> int:
        """How many spans were replaced."""
        return sum(self.counts.values())


def luhn_valid(digits: str) -> bool:
    """Whether a digit string passes the Luhn checksum (payment cards, IMEIs)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card_brand_ok(digits: str) -> bool:
    """Whether the issuer prefix and the length match a real card scheme."""
    n = len(digits)
    two, four, six = int(digits[:2]), int(digits[:4]), int(digits[:6])
    if digits[0] == "4":  # Visa
        return n in (13, 16, 19)
    if 51 <= two <= 55 or 222100 <= six <= 272099:  # Mastercard
        return n == 16
    if two in (34, 37):  # American Express
        return n == 15
    if four == 6011 or two == 65 or 644 <= int(digits[:3]) <= 649:  # Discover
        return 16 <= n <= 19
    if 3528 <= four <= 3589:  # JCB
        return 16 <= n <= 19
    if two in (36, 38, 39) or 300 <= int(digits[:3]) <= 305:  # Diners Club
        return 14 <= n <= 19
    if two == 62:  # UnionPay
        return 16 <= n <= 19
    return False


def _is_card(match: re.Match[str]) -> bool:
    raw = match.group(0)
    separators = {c for c in raw if not c.isdigit()}
    if len(separators) > 1:
        return False  # "4111 1111-1111 1111" mixes separators: not how cards are written
    digits = re.sub(r"\D", "", raw)
    if separators and any(len(g) < 3 for g in re.split(r"[ -]", raw)):
        return False  # groups of 1-2 digits look like dates or lists, not card numbers
    return 13 <= len(digits) <= 19 and _card_brand_ok(digits) and luhn_valid(digits)


def _is_ssn(match: re.Match[str]) -> bool:
    area, group, serial = match.group(1), match.group(3), match.group(4)
    area_ok = area not in ("000", "666") and not area.startswith("9")
    return area_ok and group != "00" and serial != "0000"


def _is_us_phone(match: re.Match[str]) -> bool:
    area = match.group(1) or match.group(2)
    exchange = match.group(3)
    # NANP: area and exchange codes start with 2-9; N11 codes are service numbers.
    return area[0] in "23456789" and exchange[0] in "23456789" and area[1:] != "11"


def _is_intl_phone(match: re.Match[str]) -> bool:
    digits = re.sub(r"\D", "", match.group(0))
    return 8 <= len(digits) <= 15


_DETECTORS: tuple[tuple[str, re.Pattern[str], Callable[[re.Match[str]], bool]], ...] = (
    ("email", _EMAIL, lambda m: True),
    ("card", _CARD, _is_card),
    ("ssn", _SSN, _is_ssn),
    ("phone", _US_PHONE, _is_us_phone),
    ("phone", _INTL_PHONE, _is_intl_phone),
)


def redact(text: str) -> Redacted:
    """Replace every email, phone number, payment card and SSN in ``text`` with its placeholder.

    Args:
        text: Any text.

    Returns:
        The text with ``[EMAIL]``, ``[PHONE]``, ``[CARD]`` and ``[SSN]`` in place of what was
        found, and the count per kind (``email``, ``phone``, ``card``, ``ssn``).
    """
    counts: Counter[str] = Counter()
    if not text or not any(c.isdigit() or c == "@" for c in text):
        return Redacted(text, counts)
    spans: list[tuple[int, int, str]] = []
    for kind, pattern, accept in _DETECTORS:
        position = 0
        while (match := pattern.search(text, position)) is not None:
            start, end = match.span()
            taken = any(start < s_end and s_start < end for s_start, s_end, _ in spans)
            if not taken and accept(match):
                spans.append((start, end, kind))
                position = end
            else:
                # A rejected run may hide a real one further in ("ref 99 4111 1111 ...").
                position = start + 1
    if not spans:
        return Redacted(text, counts)
    pieces: list[str] = []
    position = 0
    for start, end, kind in sorted(spans):
        pieces.append(text[position:start])
        pieces.append(PLACEHOLDERS[kind])
        counts[kind] += 1
        position = end
    pieces.append(text[position:])
    return Redacted("".join(pieces), counts)
