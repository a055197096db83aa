"""Close the training session and free its memory."""

from __future__ import annotations

from typing import Any

from kitchen.context import RunContext
from kitchen.stage import Stage


class Cleanup(Stage):
    """Release the session (and the GPU memory it holds)."""

    name = "cleanup"
    requires = ("session",)

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        if ctx.state.session is not None:  # none when an eval run scored an endpoint
            ctx.state.session.close()
        if ctx.state.reference is not None:  # a frozen reference or teacher model
            ctx.state.reference.close()
        return ctx
