"""Envs by name, so a recipe can say ``env="arithmetic"`` or ``env="math"``.

Built-in envs are imported only when asked for; :func:`register_env` adds more.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, cast

from kitchen.envs.base import ProblemSet
from kitchen.errors import ConfigError

__all__ = ["EnvFactory", "env_names", "get_env", "register_env"]

EnvFactory = Callable[..., ProblemSet]
"""Builds a problem set from keyword options."""

F = TypeVar("F", bound=EnvFactory)

# Name -> "module:function", imported on first use so `import kitchen.envs` stays light.
_BUILTIN: dict[str, str] = {
    "arithmetic": "kitchen.envs.arithmetic:make_arithmetic_env",
    "math": "kitchen.envs.math:make_math_env",
}
_REGISTERED: dict[str, EnvFactory] = {}


def register_env(name: str) -> Callable[[F], F]:
    """Register a factory under ``name`` (a decorator); a later registration replaces it."""

    def decorate(factory: F) -> F:
        _REGISTERED[name] = factory
        return factory

    return decorate


def env_names() -> tuple[str, ...]:
    """Every env name :func:`get_env` knows, sorted."""
    return tuple(sorted({*_BUILTIN, *_REGISTERED}))


def get_env(name: str, **options: Any) -> ProblemSet:
    """Build the problem set of env ``name``.

    Args:
        name: A registered env name.
        **options: Keyword options of its factory (``group_size``, ``seed``, ...).

    Raises:
        ConfigError: the name is unknown, or an option is not one the factory takes.
    """
    factory = _factory(name)
    params = inspect.signature(factory).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    unknown = sorted(set(options) - set(params))
    if unknown and not takes_any:
        known = ", ".join(p for p in params if params[p].kind is inspect.Parameter.KEYWORD_ONLY)
        raise ConfigError(
            f"env {name!r}: unknown option(s) {', '.join(unknown)}; it takes: {known}"
        )
    return factory(**options)


def _factory(name: str) -> EnvFactory:
    if name in _REGISTERED:
        return _REGISTERED[name]
    if name not in _BUILTIN:
        raise ConfigError(
            f"env: unknown env {name!r}; known: {', '.join(env_names())}", title="Unknown env"
        )
    module, _, attr = _BUILTIN[name].partition(":")
    return cast(EnvFactory, getattr(importlib.import_module(module), attr))
