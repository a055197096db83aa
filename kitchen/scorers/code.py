"""The ``humaneval`` scorer: run a completion against its tests in the sandbox."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kitchen.scorers._base import Score, Target, register
from kitchen.scorers.sandbox import check_humaneval

__all__ = ["HumanEval"]


@dataclass(frozen=True)
class HumanEval:
    """1 when ``prompt + output`` passes ``test`` (HumanEval's harness, in the sandbox).

    ``metadata`` must hold ``prompt``, ``test`` and ``entry_point``; ``target`` is unused.
    """

    limits: Mapping[str, Any] = field(default_factory=dict)

    def __call__(
        self, output: str, target: Target, *, metadata: Mapping[str, Any] | None = None
    ) -> Score:
        meta = metadata or {}
        missing = [k for k in ("prompt", "test", "entry_point") if k not in meta]
        if missing:
            raise ValueError(f"the humaneval scorer needs metadata {missing}")
        result = check_humaneval(
            str(meta["prompt"]), output, str(meta["test"]), str(meta["entry_point"]), **self.limits
        )
        details = {"status": result.status, "duration_s": result.duration_s}
        return Score(float(result.passed), output, result.stderr[-2000:], details)


@register("humaneval")
def _humaneval(**limits: Any) -> HumanEval:
    return HumanEval(limits)
