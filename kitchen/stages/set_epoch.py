"""Order the epoch's batches: seeded shuffle, optionally grouped by length."""

from __future__ import annotations

import random
from typing import Any

from kitchen.context import RunContext
from kitchen.stage import Stage


class SetEpoch(Stage):
    """Shuffle the training set for this epoch (seed + epoch, so resume replays it exactly)."""

    name = "set_epoch"
    requires = ("train_data",)
    provides = ("epoch_order", "epoch")
    reads = ("seed", "batch_size", "grouping")
    replay_in_loop = True  # a pause mid-epoch resumes with this epoch's batch order

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        cfg = ctx.config
        epoch = ctx.loop_index("epochs")
        data = ctx.state.need("train_data")
        # Examples are runs of ``datum_group`` datums (a preference pair is 2) that stay
        # together and in order; batch_size counts examples.
        group = ctx.state.datum_group
        rng = random.Random(cfg.seed * 1_000_003 + epoch)
        order = list(range(len(data) // group))
        rng.shuffle(order)
        size = cfg.batch_size
        if cfg.grouping == "length":
            # Sort within windows of 50 batches so each batch holds similar lengths (little
            # padding) while batch order stays random.
            window = size * 50
            grouped: list[int] = []
            for start in range(0, len(order), window):
                chunk = order[start : start + window]
                grouped.extend(sorted(chunk, key=lambda i: len(data[i * group].input_ids)))
            order = grouped
        batches = [
            tuple(i * group + k for i in order[b : b + size] for k in range(group))
            for b in range(0, len(order), size)
        ]
        rng.shuffle(batches)
        return ctx.evolve(
            epoch_order=tuple(batches), epoch=epoch, epoch_loss_sum=0.0, epoch_loss_count=0
        )
