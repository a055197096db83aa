"""The stage tree of a recipe's workflow, with each node's live state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ui import format as fmt
from ui.live import StageState

ICONS = {
    "pending": ("○", "dim"),
    "running": ("▶", "bold cyan"),
    "done": ("✓", "green"),
    "failed": ("✗", "bold red"),
}


@dataclass(frozen=True, slots=True)
class TreeRow:
    """One row of ``Workflow.describe()``, with the key its stage events carry."""

    depth: int
    kind: str
    name: str
    key: str
    """For a stage: its path without loop indices (``epochs/batches/get_batch``)."""


def tree_rows(stages: Sequence[Mapping[str, Any]]) -> list[TreeRow]:
    """Rows of the describe output with their stage keys (loops name the path, branches not)."""
    stack: list[tuple[int, str, str]] = []
    rows = []
    for row in stages:
        depth, kind, name = int(row["depth"]), str(row["kind"]), str(row["name"])
        while stack and stack[-1][0] >= depth:
            stack.pop()
        loops = [n for _, k, n in stack if k == "loop"]
        if kind == "loop":
            key = "/".join([*loops, name]) + "[]"
        elif kind == "stage":
            key = "/".join([*loops, name])
        else:
            key = "/".join([*loops, f"?{name}"])
        rows.append(TreeRow(depth, kind, name, key))
        stack.append((depth, kind, name))
    return rows


def stage_label(row: TreeRow, state: StageState | None) -> Text:
    """A node's label: state icon, name, and for stages the runs and time so far."""
    if row.kind != "stage":
        word = "loop" if row.kind == "loop" else row.kind
        return Text.assemble((f"{word} ", "dim"), (row.name, "bold"))
    state = state or StageState()
    icon, style = ICONS.get(state.state, ("?", ""))
    text = Text.assemble((f"{icon} ", style), (row.name, style if state.state != "done" else ""))
    if state.finished > 1:
        text.append(f"  ×{state.finished}", style="dim")
    if state.seconds:
        text.append(f"  {fmt.duration(state.seconds)}", style="dim")
    if state.state == "running" and state.path != row.key:
        text.append(f"  {state.path}", style="cyan")
    if state.error:
        text.append(f"  {state.error}", style="red")
    return text


class StageTree(Tree[TreeRow]):
    """The workflow of a run; :meth:`update_states` relabels its nodes."""

    DEFAULT_CSS = """
    StageTree { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("workflow", id=id)
        self.show_root = False
        self.guide_depth = 3
        self.rows: list[tuple[TreeRow, TreeNode[TreeRow]]] = []

    def set_stages(self, stages: Sequence[Mapping[str, Any]]) -> None:
        """Build the tree from ``Workflow.describe()`` rows."""
        self.clear()
        self.rows = []
        parents: list[tuple[int, TreeNode[TreeRow]]] = []
        for row in tree_rows(stages):
            while parents and parents[-1][0] >= row.depth:
                parents.pop()
            parent = parents[-1][1] if parents else self.root
            label = stage_label(row, None)
            if row.kind == "stage":
                node = parent.add_leaf(label, data=row)
            else:
                node = parent.add(label, data=row, expand=True)
                parents.append((row.depth, node))
            self.rows.append((row, node))
        self.root.expand()

    def update_states(self, states: Mapping[str, StageState]) -> None:
        """Relabel every stage node from ``states`` (keyed like :attr:`TreeRow.key`)."""
        for row, node in self.rows:
            if row.kind == "stage":
                state = states.get(row.key)
                if state is None and "/" in row.key:
                    # The store keeps a loop's per-step stage events as one ``*/name`` summary.
                    state = states.get(f"*/{row.name}")
                node.set_label(stage_label(row, state))
