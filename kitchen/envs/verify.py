"""Checking math answers for equivalence with ``math_verify``, in worker processes.

``math_verify`` bounds its parsing with ``signal.alarm``, which works only in a process's main
thread, while Kitchen grades from worker threads. So :class:`AnswerChecker` runs the check in a
small pool of spawned processes (kept between calls) and bounds every call with its own timeout:
a check that overruns it, or crashes its worker, counts as wrong and the pool is rebuilt. Without
``math_verify`` installed it compares the answers as numbers or normalised strings instead, in
process, and says so in its result.
"""

from __future__ import annotations

import atexit
import importlib.util
import logging
import multiprocessing
import re
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

__all__ = [
    "AnswerChecker",
    "Check",
    "CheckStatus",
    "fallback_equal",
    "math_verify_available",
    "math_verify_equal",
    "shared_checker",
]

log = logging.getLogger(__name__)

CheckStatus = Literal["ok", "timeout", "error", "fallback"]
Verifier = Callable[[str, str], bool]

_FALLBACK_WARNED = False


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of one comparison.

    Attributes:
        correct: Whether the answer matches the reference (False on timeout or error).
        status: ``"ok"`` (checked by the verifier), ``"timeout"``, ``"error"`` (the verifier
            raised or its worker died) or ``"fallback"`` (math_verify missing; compared plainly).
    """

    correct: bool
    status: CheckStatus


def math_verify_available() -> bool:
    """Whether the ``math_verify`` package can be imported."""
    return importlib.util.find_spec("math_verify") is not None


def math_verify_equal(reference: str, answer: str, timeout_s: int = 5) -> bool:
    """Whether two final answers are mathematically equivalent, by ``math_verify``.

    Both are parsed as the content of a ``\\boxed{}``, which reads LaTeX (``\\frac{1}{2}``) and
    plain numbers (``0.5``, ``1,000``) alike. Must run in a main thread (``signal.alarm``).
    """
    from math_verify import parse, verify

    gold = parse(f"\\boxed{{{reference}}}", parsing_timeout=timeout_s)
    given = parse(f"\\boxed{{{answer}}}", parsing_timeout=timeout_s)
    return bool(verify(gold, given, timeout_seconds=timeout_s))


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:/\d+)?")


def fallback_equal(reference: str, answer: str) -> bool:
    """Compare answers without ``math_verify``: as exact numbers when both are, else as text.

    Strips ``$``, ``\\text{}``, ``\\!``, spaces and thousands separators and reads
    ``\\frac{a}{b}``, so ``1,000`` equals ``1000`` and ``\\frac{1}{2}`` equals ``0.5``.
    """
    ref, ans = _normalise(reference), _normalise(answer)
    if _NUMBER.fullmatch(ref) and _NUMBER.fullmatch(ans):
        return Fraction(ref) == Fraction(ans)
    return ref == ans


def _normalise(text: str) -> str:
    text = re.sub(r"\\text\{([^{}]*)\}", r"\1", text)
    text = re.sub(r"\\d?frac\{(-?\d+)\}\{(\d+)\}", r"\1/\2", text)
    text = text.replace("\\!", "").replace("$", "").replace("\\%", "").replace("%", "")
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    return re.sub(r"\s+", "", text).rstrip(".")


def _run(verifier: Verifier, reference: str, answer: str) -> bool:
    return bool(verifier(reference, answer))


def _warm_up() -> bool:
    # Import the verifier's dependencies once, outside any call's timeout.
    if math_verify_available():
        import math_verify  # noqa: F401
    return True


class AnswerChecker:
    """Compares answers in a reused pool of spawned processes, each call under a timeout.

    Args:
        timeout_s: Seconds one check may take; beyond it the answer counts as wrong.
        workers: Processes in the pool.
        verifier: A picklable, module-level ``(reference, answer) -> bool`` run in the workers
            (default: :func:`math_verify_equal`).
        startup_timeout_s: Seconds a fresh pool may take to start and import the verifier.
        use_math_verify: ``None`` to use ``math_verify`` when installed; ``False`` to always
            fall back to :func:`fallback_equal`.
    """

    def __init__(
        self,
        *,
        timeout_s: float = 5.0,
        workers: int = 2,
        verifier: Verifier | None = None,
        startup_timeout_s: float = 60.0,
        use_math_verify: bool | None = None,
    ) -> None:
        if timeout_s <= 0 or workers < 1:
            raise ValueError(f"need timeout_s > 0 and workers >= 1, got {timeout_s}, {workers}")
        self.timeout_s = timeout_s
        self.workers = workers
        self.verifier: Verifier = verifier or math_verify_equal
        self.startup_timeout_s = startup_timeout_s
        usable = math_verify_available() if use_math_verify is None else use_math_verify
        # A custom verifier runs in the pool whether or not math_verify is installed.
        self.fallback = verifier is None and not usable
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def check(self, reference: str, answer: str) -> Check:
        """Compare ``answer`` with ``reference``; never raises for a bad or slow answer."""
        if self.fallback:
            _warn_fallback()
            return Check(fallback_equal(reference, answer), "fallback")
        pool = self._ensure_pool()
        try:
            future: Future[bool] = pool.submit(_run, self.verifier, reference, answer)
            return Check(future.result(timeout=self.timeout_s), "ok")
        except FutureTimeout:
            log.warning("answer check timed out after %.1fs; counted as wrong", self.timeout_s)
            self._discard(pool)
            return Check(False, "timeout")
        except BrokenProcessPool:
            log.warning("answer check crashed its worker; counted as wrong")
            self._discard(pool)
            return Check(False, "error")
        except Exception as error:  # the verifier raised on this answer: a wrong answer
            log.warning("answer check failed (%s); counted as wrong", error)
            return Check(False, "error")

    def close(self) -> None:
        """Stop the worker processes (a later check starts new ones)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            _kill(pool)

    def __enter__(self) -> AnswerChecker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _ensure_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is not None:
                return self._pool
            context = multiprocessing.get_context("spawn")
            pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
            # Start every worker and import the verifier now, so a call's timeout never pays for
            # process start-up.
            warm = [pool.submit(_warm_up) for _ in range(self.workers)]
            try:
                for future in warm:
                    future.result(timeout=self.startup_timeout_s)
            except BaseException:
                _kill(pool)
                raise
            self._pool = pool
            return pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        _kill(pool)


def _kill(pool: ProcessPoolExecutor) -> None:
    # shutdown() waits for a running task, and a hung verifier never finishes, so the workers
    # are terminated first. `_processes` is private but stable since Python 3.2.
    processes: dict[Any, Any] = dict(getattr(pool, "_processes", None) or {})
    for process in processes.values():
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _warn_fallback() -> None:
    global _FALLBACK_WARNED
    if not _FALLBACK_WARNED:
        _FALLBACK_WARNED = True
        log.warning(
            "math_verify is not installed: math answers are compared as numbers or plain text; "
            "install math-verify for equivalence checking"
        )


_SHARED: dict[tuple[float, int], AnswerChecker] = {}
_SHARED_LOCK = threading.Lock()


def shared_checker(timeout_s: float = 5.0, workers: int = 2) -> AnswerChecker:
    """One checker (and worker pool) per setting, shared in this process; stopped at exit."""
    with _SHARED_LOCK:
        key = (timeout_s, workers)
        if key not in _SHARED:
            _SHARED[key] = AnswerChecker(timeout_s=timeout_s, workers=workers)
            atexit.register(_SHARED[key].close)
        return _SHARED[key]
