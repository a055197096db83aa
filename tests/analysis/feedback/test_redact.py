"""PII redaction: many formats found, and look-alikes (orders, dates, versions, ISBNs) kept."""

from __future__ import annotations

import pytest

from kitchen.analysis.feedback import luhn_valid, redact

POSITIVES = [
    ("write to john.doe+news@example.co.uk today", "email", "write to [EMAIL] today"),
    ("CONTACT: Ana_M@mail-server.io.", "email", "CONTACT: [EMAIL]."),
    ("call (212) 555-1234 now", "phone", "call [PHONE] now"),
    ("call 212-555-1234", "phone", "call [PHONE]"),
    ("call 212.555.1234", "phone", "call [PHONE]"),
    ("call 212 555 1234", "phone", "call [PHONE]"),
    ("call +1 212-555-1234", "phone", "call [PHONE]"),
    ("call 1-800-555-1234", "phone", "call [PHONE]"),
    ("call (415)555-2671", "phone", "call [PHONE]"),
    ("tel:+14155550123", "phone", "tel:[PHONE]"),
    ("UK +44 20 7946 0958", "phone", "UK [PHONE]"),
    ("FR +33 1 23 45 67 89", "phone", "FR [PHONE]"),
    ("DE +49 30 12345678", "phone", "DE [PHONE]"),
    ("JP +81-3-1234-5678", "phone", "JP [PHONE]"),
    ("IN +91 98765 43210", "phone", "IN [PHONE]"),
    ("visa 4111 1111 1111 1111", "card", "visa [CARD]"),
    ("visa 4111-1111-1111-1111", "card", "visa [CARD]"),
    ("visa 4111111111111111", "card", "visa [CARD]"),
    ("amex 3782 822463 10005", "card", "amex [CARD]"),
    ("mc 5555 5555 5555 4444", "card", "mc [CARD]"),
    ("discover 6011 1111 1111 1117", "card", "discover [CARD]"),
    ("ref 99 4111 1111 1111 1111", "card", "ref 99 [CARD]"),
    ("ssn 123-45-6789", "ssn", "ssn [SSN]"),
    ("ssn 078 05 1120", "ssn", "ssn [SSN]"),
]


@pytest.mark.parametrize(("text", "kind", "expected"), POSITIVES)
def test_pii_is_replaced_by_its_placeholder(text: str, kind: str, expected: str) -> None:
    found = redact(text)
    assert found.text == expected
    assert dict(found.counts) == {kind: 1}


NEGATIVES = [
    "order 1234567812345678 shipped",  # 16 digits, no card issuer prefix
    "card 4111 1111 1111 1112",  # Visa prefix, fails Luhn
    "4111111111111112 is not a card",
    "on 2024-01-15 12:30:45 UTC",
    "at 2023-12-01T10:00:00+01:00 and UTC+05:30",
    "version v1.2.3, build 10.0.19041.1 and 2024.01.15.1234",
    "ISBN 978-3-16-148410-0 and 9780306406157",
    "ts 1700000000000 ms, epoch 1700000000",
    "ip 192.168.1.100, mac 00:1B:44:11:3A:B7",
    "uuid 123e4567-e89b-12d3-a456-426614174000",
    "amount $1,234,567.89, up +15 points, 2 +1 = 3, pi +3.14159265",
    "invalid SSNs 000-12-3456 666-12-3456 900-12-3456 123-00-4567 123-45-0000",
    "not US numbers 123-456-7890 and 911-555-1234",
    "ticket 4155552671 and local 555-1234",
    "model clf@2 and user@localhost",
    "12/31/2024 and 31.12.2024",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_look_alikes_are_kept(text: str) -> None:
    found = redact(text)
    assert found.text == text
    assert found.total == 0


def test_mixed_text_counts_each_kind() -> None:
    text = (
        "I'm Jo (jo@x.org, +1 415-555-2671); card 4111 1111 1111 1111, SSN 123-45-6789, "
        "order 1234-5678-9012-3456, backup jo@y.org"
    )
    found = redact(text)
    assert dict(found.counts) == {"email": 2, "phone": 1, "card": 1, "ssn": 1}
    assert found.total == 5
    assert found.text == (
        "I'm Jo ([EMAIL], [PHONE]); card [CARD], SSN [SSN], "
        "order 1234-5678-9012-3456, backup [EMAIL]"
    )


def test_luhn() -> None:
    assert luhn_valid("4111111111111111") and luhn_valid("79927398713")
    assert not luhn_valid("4111111111111112") and not luhn_valid("79927398710")
