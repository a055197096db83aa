"""Workflows as data: a tuple of nodes the runner walks.

``Step(stage)`` runs one stage; ``Loop(name, over, body)`` repeats its body ``over(ctx)`` times
with the iteration index visible through ``ctx.loop_index(name)``; ``Branch(name, when, body)``
runs its body when ``when(ctx)`` holds; ``Parallel(name, branches)`` runs independent branches
concurrently and merges the fields each provides. :func:`validate` checks, before anything runs,
that every stage's ``requires`` is provided by an earlier stage; :func:`describe` gives the tree
the CLI and TUI draw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Union

from kitchen.context import RunContext
from kitchen.errors import WorkflowError
from kitchen.stage import Stage
from kitchen.state import state_fields


@dataclass(frozen=True, slots=True)
class Step:
    stage: Stage

    @property
    def name(self) -> str:
        return self.stage.name


@dataclass(frozen=True, slots=True)
class Loop:
    """Run ``body`` ``over(ctx)`` times. A run may pause at the start of an iteration unless
    ``pausable`` is False (an inner loop whose iterations depend on state a checkpoint does
    not keep, like the updates over one rollout batch)."""

    name: str
    over: Callable[[RunContext[Any]], int]
    body: tuple[Node, ...]
    pausable: bool = True


@dataclass(frozen=True, slots=True)
class Branch:
    name: str
    when: Callable[[RunContext[Any]], bool]
    body: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Parallel:
    name: str
    branches: tuple[tuple[Node, ...], ...]


Node = Union[Step, Loop, Branch, Parallel]  # noqa: UP007 - a runtime alias used in isinstance
Workflow = tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class TreeLine:
    """One line of the stage tree: depth, kind and name."""

    depth: int
    kind: str
    name: str
    stage: Stage | None = None


def describe(workflow: Workflow) -> list[TreeLine]:
    """Flatten the workflow into tree lines, outermost first."""
    lines: list[TreeLine] = []

    def walk(nodes: tuple[Node, ...], depth: int) -> None:
        for node in nodes:
            if isinstance(node, Step):
                lines.append(TreeLine(depth, "stage", node.name, node.stage))
            elif isinstance(node, Loop):
                lines.append(TreeLine(depth, "loop", node.name))
                walk(node.body, depth + 1)
            elif isinstance(node, Branch):
                lines.append(TreeLine(depth, "branch", node.name))
                walk(node.body, depth + 1)
            else:
                lines.append(TreeLine(depth, "parallel", node.name))
                for branch in node.branches:
                    walk(branch, depth + 1)

    walk(workflow, 0)
    return lines


def stages(workflow: Workflow) -> Iterator[Stage]:
    """Every stage of the workflow, in order, nested ones included."""
    for line in describe(workflow):
        if line.stage is not None:
            yield line.stage


def validate(workflow: Workflow, initial: frozenset[str] = frozenset()) -> None:
    """Check the data flow of ``workflow`` before it runs.

    A field provided inside a loop counts as provided after it; one provided only inside a
    branch does not (the branch may not run). Parallel branches must provide disjoint fields.

    Raises:
        WorkflowError: naming the stage and the field no earlier stage provides.
    """
    known_fields = state_fields()
    seen_names: set[str] = set()
    for stage in stages(workflow):
        for name in (*stage.requires, *stage.provides):
            if name not in known_fields:
                raise WorkflowError(f"stage '{stage.name}' names unknown state field '{name}'")
        if stage.name in seen_names and not _reused_ok(workflow, stage):
            raise WorkflowError(f"two different stages are named '{stage.name}'")
        seen_names.add(stage.name)
    _check(workflow, set(initial))


def _reused_ok(workflow: Workflow, stage: Stage) -> bool:
    # The same stage object may appear twice (e.g. evaluate before and after training).
    return sum(1 for s in stages(workflow) if s is stage) > 1


def _check(nodes: tuple[Node, ...], provided: set[str]) -> set[str]:
    for node in nodes:
        if isinstance(node, Step):
            missing = [r for r in node.stage.requires if r not in provided]
            if missing:
                raise WorkflowError(
                    f"stage '{node.name}' requires {', '.join(missing)}, which no earlier "
                    "stage provides"
                )
            provided |= set(node.stage.provides)
        elif isinstance(node, Loop):
            provided = _check(node.body, provided)
        elif isinstance(node, Branch):
            _check(node.body, set(provided))
        else:
            outputs: list[set[str]] = []
            for branch in node.branches:
                outputs.append(_check(branch, set(provided)) - provided)
            for i, a in enumerate(outputs):
                for b in outputs[i + 1 :]:
                    if a & b:
                        raise WorkflowError(
                            f"parallel '{node.name}': branches both provide {sorted(a & b)}"
                        )
                provided |= a
    return provided
