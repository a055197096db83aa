"""Render preference pairs into (chosen, rejected) token sequences."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kitchen.chat import Renderer
from kitchen.context import RunContext
from kitchen.errors import DataError
from kitchen.preference import PreferenceExample
from kitchen.stage import Stage
from kitchen.stages.predicates import plan_steps
from kitchen.types import Datum


def render_pairs(
    renderer: Renderer, pairs: Sequence[PreferenceExample], max_length: int
) -> tuple[list[Datum], int]:
    """``[chosen_0, rejected_0, chosen_1, …]`` with the loss on each final reply, and how many
    pairs were dropped because truncation left one side without a reply token."""
    data: list[Datum] = []
    dropped = 0
    for pair in pairs:
        chosen = renderer.render(pair.chosen_messages(), "last_assistant", max_length)
        rejected = renderer.render(pair.rejected_messages(), "last_assistant", max_length)
        if chosen.num_loss_tokens == 0 or rejected.num_loss_tokens == 0:
            dropped += 1
            continue
        data += [chosen, rejected]
    return data, dropped


class BuildPreferenceData(Stage):
    """Tokenise every pair; batches keep each (chosen, rejected) pair together."""

    name = "build_preference_data"
    requires = ("preference_train", "preference_eval", "renderer")
    provides = ("train_data", "eval_data", "datum_group", "num_batches", "total_steps")
    reads = ("max_length", "batch_size", "epochs", "max_steps")

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        cfg = ctx.config
        renderer = ctx.state.need("renderer")
        train, dropped = render_pairs(renderer, ctx.state.need("preference_train"), cfg.max_length)
        held_out, _ = render_pairs(renderer, ctx.state.need("preference_eval"), cfg.max_length)
        if not train:
            raise DataError(
                f"no preference pair keeps a reply token on both sides with "
                f"max_length={cfg.max_length}"
            )
        if dropped:
            ctx.log(f"dropped {dropped} pairs cut off by max_length", level="warning")
        pairs = len(train) // 2
        num_batches, total = plan_steps(ctx, pairs)
        ctx.log(f"{pairs} pairs, {total} steps", stage=self.name)
        return ctx.evolve(
            train_data=tuple(train),
            eval_data=tuple(held_out),
            datum_group=2,
            num_batches=num_batches,
            total_steps=total,
        )
