"""Verifiers run inside the checker's worker processes (importable by module name there)."""

from __future__ import annotations

import os
import time


def slow_verifier(reference: str, answer: str) -> bool:
    """Hangs far past any test timeout, like a pathological sympy parse."""
    time.sleep(60)
    return True


def crashing_verifier(reference: str, answer: str) -> bool:
    """Kills its worker process outright."""
    os._exit(3)


def raising_verifier(reference: str, answer: str) -> bool:
    """Raises, as a parser bug would."""
    raise ValueError(f"cannot parse {answer!r}")


def equal_verifier(reference: str, answer: str) -> bool:
    """Plain string equality."""
    return reference == answer
