"""Kitchen: train and evaluate language models locally, with every result in one store.

The public API is small and resolved lazily, so ``import kitchen`` stays cheap (no torch).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "run": "kitchen.launch",
    "RunOutcome": "kitchen.launch",
    "get_recipe": "kitchen.recipes",
    "recipe_names": "kitchen.recipes",
    "Recipe": "kitchen.recipes.base",
    "Stage": "kitchen.stage",
    "Step": "kitchen.workflow",
    "Loop": "kitchen.workflow",
    "Branch": "kitchen.workflow",
    "Parallel": "kitchen.workflow",
    "RunContext": "kitchen.context",
    "CancelToken": "kitchen.context",
    "KitchenError": "kitchen.errors",
}

__all__ = [*sorted(_EXPORTS), "__version__"]

if TYPE_CHECKING:
    from kitchen.context import CancelToken, RunContext
    from kitchen.errors import KitchenError
    from kitchen.launch import RunOutcome, run
    from kitchen.recipes import get_recipe, recipe_names
    from kitchen.recipes.base import Recipe
    from kitchen.stage import Stage
    from kitchen.workflow import Branch, Loop, Parallel, Step


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kitchen' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
