"""A frozen second model: the RL reference of a KL penalty, or a distillation teacher."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kitchen.context import RunContext
from kitchen.stage import Stage
from kitchen.stages.init_session import session_spec


class InitReference(Stage):
    """Load a frozen model into ``reference``, when the run needs one.

    Args:
        name: The stage's name (``init_reference``, ``init_teacher``).
        model: The model to load, from the config (default: the policy's starting model).
        when: Whether this run needs it (e.g. ``kl_coef > 0``); skipped otherwise.
    """

    provides = ("reference",)

    def __init__(
        self,
        name: str = "init_reference",
        *,
        model: Callable[[Any], str] | None = None,
        when: Callable[[Any], bool] | None = None,
    ) -> None:
        self.name = name
        self.model = model
        self.when = when

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        if self.when is not None and not self.when(ctx.config):
            return ctx
        name = self.model(ctx.config) if self.model is not None else None
        reference = ctx.ports.backend.start_session(session_spec(ctx, name))
        ctx.log(
            f"frozen {name or ctx.config.model}: {reference.num_parameters:,} parameters on "
            f"{reference.device}",
            stage=self.name,
        )
        return ctx.evolve(reference=reference)

    def rollback(self, ctx: RunContext[Any], error: BaseException) -> None:
        if ctx.state.reference is not None:
            ctx.state.reference.close()
