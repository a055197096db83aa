"""Build the evaluation task a run names: a registered task or a data file."""

from __future__ import annotations

from typing import Any

from kitchen.context import RunContext
from kitchen.stage import Stage


class LoadTask(Stage):
    """Load ``config.task`` with ``config.task_options`` (the dataset is read here, once)."""

    name = "load_task"
    provides = ("task",)
    reads = ("task", "task_options")

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        from kitchen.tasks.registry import get_task

        cfg = ctx.config
        # A custom task's relative path is relative to the worker's folder, which the engine
        # sets to the submitter's.
        task = get_task(cfg.task, **dict(cfg.task_options))
        ctx.log(
            f"task {task.name}: {len(task.dataset)} samples from {task.source or 'memory'}",
            stage=self.name,
        )
        return ctx.evolve(task=task)
