"""Workflow validation and description."""

from __future__ import annotations

import pytest

from kitchen.errors import WorkflowError
from kitchen.workflow import Branch, Loop, Parallel, Step, describe, validate

from .helpers import Count, SetField


def test_requires_must_be_provided_earlier() -> None:
    needs = SetField("uses", "final_model", "x", requires=("last_checkpoint",))
    with pytest.raises(WorkflowError, match=r"uses.*last_checkpoint"):
        validate((Step(needs),))


def test_provided_by_loop_counts_after_it() -> None:
    make = SetField("make", "last_checkpoint", "x")
    use = SetField("use", "final_model", "y", requires=("last_checkpoint",))
    validate((Loop("l", lambda c: 1, (Step(make),)), Step(use)))


def test_provided_only_in_branch_does_not_count() -> None:
    make = SetField("make", "last_checkpoint", "x")
    use = SetField("use", "final_model", "y", requires=("last_checkpoint",))
    with pytest.raises(WorkflowError, match="use"):
        validate((Branch("b", lambda c: True, (Step(make),)), Step(use)))


def test_unknown_state_field_is_rejected() -> None:
    with pytest.raises(WorkflowError, match="unknown state field 'nope'"):
        validate((Step(SetField("s", "nope", 1)),))


def test_parallel_branches_must_not_overlap() -> None:
    a = SetField("a", "final_model", "x")
    b = SetField("b", "final_model", "y")
    with pytest.raises(WorkflowError, match="both provide"):
        validate((Parallel("p", ((Step(a),), (Step(b),))),))


def test_describe_flattens_the_tree() -> None:
    wf = (Step(Count("a")), Loop("l", lambda c: 2, (Step(Count("b")),)))
    lines = [(line.depth, line.kind, line.name) for line in describe(wf)]
    assert lines == [(0, "stage", "a"), (0, "loop", "l"), (1, "stage", "b")]


def test_every_shipped_recipe_validates_and_describes() -> None:
    from kitchen.recipes import get_recipe, recipe_names

    for name in recipe_names():
        recipe = get_recipe(name)
        validate(recipe.workflow)
        for line in describe(recipe.workflow):
            if line.stage is not None:
                info = line.stage.describe(recipe.config_type)
                assert info.name == line.name
                for option in info.options:
                    assert option.type != "?", f"{line.name} reads unknown config {option.name}"
