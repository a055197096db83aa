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
    module = importlib.import_module(_RECIPES[name][0])
    recipe = module.RECIPE
    assert isinstance(recipe, Recipe)
    return recipe


__all__ = ["Recipe", "get_recipe", "recipe_names"]
