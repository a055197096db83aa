"""RL environments: the :class:`Env` protocol, GRPO problem sets and the built-in tasks.

``get_env("arithmetic")`` and ``get_env("math")`` give a :class:`ProblemSet`; see
:mod:`kitchen.envs.base` for the interface and :mod:`kitchen.envs.arithmetic` /
:mod:`kitchen.envs.math` for the tasks.
"""

from __future__ import annotations

from kitchen.envs.base import (
    Env,
    EnvGroupBuilder,
    EnvStep,
    Grade,
    Grader,
    Observation,
    Problem,
    ProblemEnv,
    ProblemSet,
    Split,
    as_messages,
)
from kitchen.envs.registry import EnvFactory, env_names, get_env, register_env

__all__ = [
    "Env",
    "EnvFactory",
    "EnvGroupBuilder",
    "EnvStep",
    "Grade",
    "Grader",
    "Observation",
    "Problem",
    "ProblemEnv",
    "ProblemSet",
    "Split",
    "as_messages",
    "env_names",
    "get_env",
    "register_env",
]
