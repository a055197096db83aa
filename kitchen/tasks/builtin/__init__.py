"""The built-in tasks; each module registers its tasks on import."""

from __future__ import annotations

from kitchen.tasks.builtin import arithmetic, gsm8k, humaneval, mmlu

__all__ = ["arithmetic", "gsm8k", "humaneval", "mmlu"]
