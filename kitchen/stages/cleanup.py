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
        ctx.state.need("session").close()
        if ctx.state.reference is not None:  # a frozen reference or teacher model
            ctx.state.reference.close()
        return ctx
