"""A recipe: a frozen, typed config with defaults plus the workflow it runs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from kitchen.workflow import Workflow, describe, validate


@dataclass(frozen=True, slots=True)
class Recipe:
    """What to train (``config_type`` defaults) and how (``workflow``)."""

    name: str
    description: str
    config_type: type[BaseModel]
    workflow: Workflow

    def __post_init__(self) -> None:
        validate(self.workflow)


def describe_json(recipe: Recipe) -> dict[str, Any]:
    """The stage tree, config schema and defaults as plain JSON-ready data.

    What ``kitchen describe --json`` prints and the engine's recipe route returns.
    """
    stages = []
    for line in describe(recipe.workflow):
        entry: dict[str, Any] = {"depth": line.depth, "kind": line.kind, "name": line.name}
        if line.stage is not None:
            info = line.stage.describe(recipe.config_type)
            entry.update(
                description=info.description,
                requires=list(info.requires),
                provides=list(info.provides),
                options=[
                    {
                        "name": o.name,
                        "type": o.type,
                        "default": _jsonable(o.default),
                        "description": o.description,
                    }
                    for o in info.options
                ],
            )
        stages.append(entry)
    defaults = recipe.config_type.model_construct().model_dump(mode="json")
    return {
        "name": recipe.name,
        "description": recipe.description,
        "stages": stages,
        "config_schema": recipe.config_type.model_json_schema(),
        "defaults": defaults,
    }


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
    return value
