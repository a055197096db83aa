"""Render every training conversation into token ids with a loss mask."""

from __future__ import annotations

from typing import Any

from kitchen.context import RunContext
from kitchen.errors import DataError
from kitchen.stage import Stage
from kitchen.stages.predicates import plan_steps


class BuildDataset(Stage):
    """Tokenise the training set and work out how many steps the run takes."""

    name = "build_dataset"
    requires = ("dataset", "renderer")
    provides = ("train_data", "num_batches", "total_steps")
    reads = ("max_length", "train_on", "batch_size", "epochs", "max_steps")

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        cfg = ctx.config
        renderer = ctx.state.need("renderer")
        data = []
        dropped = 0
        for example in ctx.state.need("dataset").train:
            datum = renderer.render(example.messages, cfg.train_on, cfg.max_length)
            if datum.num_loss_tokens == 0:
                dropped += 1  # e.g. the answer was cut off by max_length
                continue
            data.append(datum)
        if not data:
            raise DataError(
                f"no training example has tokens to learn from with train_on={cfg.train_on} "
                f"and max_length={cfg.max_length}: does the data have assistant answers?"
            )
        if dropped:
            ctx.log(f"dropped {dropped} examples with no loss tokens", level="warning")
        num_batches, total = plan_steps(ctx, len(data))
        tokens = sum(len(d.input_ids) for d in data)
        ctx.log(f"{len(data)} sequences, {tokens:,} tokens, {total} steps", stage=self.name)
        return ctx.evolve(train_data=tuple(data), num_batches=num_batches, total_steps=total)
