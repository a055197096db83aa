"""The recipe registry. Recipe modules are imported only when asked for, so listing recipes
does not import stages' dependencies."""

from __future__ import annotations

import difflib
import importlib

from kitchen.errors import RecipeNotFoundError
from kitchen.recipes.base import Recipe

# name -> (module, one-line description); the description is here so `kitchen recipes`
# needs no import of the recipe module.
_RECIPES: dict[str, tuple[str, str]] = {
    "sft": ("kitchen.recipes.sft", "Supervised fine-tuning on chat or prompt/completion data"),
    "dpo": (
        "kitchen.recipes.dpo",
        "Direct preference optimisation (DPO, IPO, conservative DPO) on preference pairs",
    ),
    "rl_arith": (
        "kitchen.recipes.rl:ARITH",
        "GRPO-style RL on the addition environment (start from an SFT model)",
    ),
    "distill": (
        "kitchen.recipes.distill",
        "Distil a teacher into a student: on-policy reverse KL or logit KD",
    ),
    "eval": (
        "kitchen.recipes.eval",
        "Evaluate a model on a benchmark task (GSM8K, MMLU, HumanEval, a data file)",
    ),
    "classify": (
        "kitchen.recipes.classify",
        "Fine-tune the MiniLM text classifier (offline) and register it",
    ),
    "attack": (
        "kitchen.recipes.attack",
        "Attack a model with seeded perturbations; robustness tracked per version",
    ),
    "drift": (
        "kitchen.recipes.drift",
        "Check production feedback of a model version for drift; store the report",
    ),
    "explain": (
        "kitchen.recipes.explain",
        "Explain a model (SHAP, LIME, PDP/ICE, integrated gradients, occlusion)",
    ),
    "rl_math": (
        "kitchen.recipes.rl:MATH",
        "GRPO-style RL on math word problems checked with math-verify",
    ),
}


def recipe_names() -> dict[str, str]:
    """Every recipe name with its one-line description."""
    return {name: desc for name, (_, desc) in _RECIPES.items()}


def get_recipe(name: str) -> Recipe:
    """Load recipe ``name``.

    Raises:
        RecipeNotFoundError: naming the closest known recipe.
    """
    if name not in _RECIPES:
        hint = difflib.get_close_matches(name, list(_RECIPES), n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
        raise RecipeNotFoundError(
            f"no recipe named '{name}'{suggestion} Known recipes: {', '.join(_RECIPES)}"
        )
    # "package.module" holds RECIPE; "package.module:NAME" names the object.
    path, _, attribute = _RECIPES[name][0].partition(":")
    recipe = getattr(importlib.import_module(path), attribute or "RECIPE")
    assert isinstance(recipe, Recipe)
    return recipe


__all__ = ["Recipe", "get_recipe", "recipe_names"]
