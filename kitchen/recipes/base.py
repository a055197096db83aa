"""A recipe: a frozen, typed config with defaults plus the workflow it runs."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from kitchen.workflow import Workflow, validate


@dataclass(frozen=True, slots=True)
class Recipe:
    """What to train (``config_type`` defaults) and how (``workflow``)."""

    name: str
    description: str
    config_type: type[BaseModel]
    workflow: Workflow

    def __post_init__(self) -> None:
        validate(self.workflow)
