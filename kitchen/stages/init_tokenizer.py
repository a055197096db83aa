"""Take the session's tokenizer and pick the chat renderer."""

from __future__ import annotations

from typing import Any

from kitchen.chat import get_renderer
from kitchen.context import RunContext
from kitchen.stage import Stage


class InitTokenizer(Stage):
    """Expose the session's tokenizer and the chat template renderer."""

    name = "init_tokenizer"
    requires = ("session",)
    provides = ("tokenizer", "renderer")
    reads = ("chat_template",)

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        tokenizer = ctx.state.need("session").tokenizer
        renderer = get_renderer(ctx.config.chat_template, tokenizer)
        return ctx.evolve(tokenizer=tokenizer, renderer=renderer)
