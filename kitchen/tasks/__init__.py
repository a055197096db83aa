"""Evaluation tasks in inspect_ai's shape: ``Task(dataset, solver, scorer)`` run by ``run_task``.

A :class:`Task` holds :class:`Sample` objects, a chain of solvers (prompt rewriting and
generation, applied to batches so generation stays batched) and scorers from
:mod:`kitchen.scorers`. :func:`run_task` evaluates a :class:`Model` on it: a
:class:`KitchenModel` over Kitchen's sampler/tokenizer/renderer ports, or an
:class:`OpenAICompatibleModel` over HTTP. Built-in tasks (``gsm8k``, ``mmlu``, ``mmlu_stem``,
``humaneval``, ``arithmetic``) load the real hub datasets, or shipped samples offline; data
files become tasks through ``get_task("jsonl:PATH", fields=...)``. No torch here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kitchen.errors import ModelAPIError
from kitchen.tasks._types import (
    GenerateConfig,
    Generation,
    Model,
    Sample,
    SampleResult,
    StopReason,
    TaskResult,
    TaskState,
)
from kitchen.tasks.registry import TaskInfo, describe_task, get_task, register_task, task_names
from kitchen.tasks.run import run_task
from kitchen.tasks.solvers import (
    Generate,
    Solver,
    chain_of_thought,
    few_shot,
    generate,
    multiple_choice,
    prompt_template,
    self_critique,
    system_message,
)
from kitchen.tasks.task import Task
from kitchen.tasks.tokens import count_tokens

if TYPE_CHECKING:
    from kitchen.tasks.kitchen_model import KitchenModel
    from kitchen.tasks.openai_model import OpenAICompatibleModel

__all__ = [
    "Generate",
    "GenerateConfig",
    "Generation",
    "KitchenModel",
    "Model",
    "ModelAPIError",
    "OpenAICompatibleModel",
    "Sample",
    "SampleResult",
    "Solver",
    "StopReason",
    "Task",
    "TaskInfo",
    "TaskResult",
    "TaskState",
    "chain_of_thought",
    "count_tokens",
    "describe_task",
    "few_shot",
    "generate",
    "get_task",
    "multiple_choice",
    "prompt_template",
    "register_task",
    "run_task",
    "self_critique",
    "system_message",
    "task_names",
]


def __getattr__(name: str) -> Any:
    # The models pull in httpx or the ports only when used.
    if name == "KitchenModel":
        from kitchen.tasks.kitchen_model import KitchenModel

        return KitchenModel
    if name == "OpenAICompatibleModel":
        from kitchen.tasks.openai_model import OpenAICompatibleModel

        return OpenAICompatibleModel
    raise AttributeError(f"module 'kitchen.tasks' has no attribute {name!r}")
