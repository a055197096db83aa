"""Loop counts and branch conditions the training workflows share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kitchen.context import RunContext


def plan_steps(ctx: RunContext[Any], examples: int) -> tuple[int, int]:
    """``(batches per epoch, total optimiser steps)`` for ``examples`` training examples:
    ``batch_size`` examples a batch, ``epochs`` passes, capped by ``max_steps`` when set."""
    cfg = ctx.config
    num_batches = -(-examples // cfg.batch_size)
    total = num_batches * cfg.epochs
    if cfg.max_steps:
        total = min(total, cfg.max_steps)
    return num_batches, total


def batches_this_epoch(ctx: RunContext[Any]) -> int:
    """Batches to run this epoch: all of them, or fewer when ``max_steps`` is reached."""
    remaining = ctx.state.total_steps - ctx.state.global_step
    return max(0, min(ctx.state.num_batches, remaining))


def every_n_epochs(field: str, *, not_last: bool = False) -> Callable[[RunContext[Any]], bool]:
    """A branch condition true after every ``config.<field>``-th epoch that trained.

    With ``not_last`` the final epoch is left out (the workflow evaluates after training
    anyway).
    """

    def when(ctx: RunContext[Any]) -> bool:
        every = int(getattr(ctx.config, field))
        if every <= 0 or ctx.state.epoch_loss_count == 0:
            return False
        epoch = ctx.loop_index("epochs")
        finished = ctx.state.global_step >= ctx.state.total_steps
        if not_last and finished:
            return False
        return (epoch + 1) % every == 0

    when.__name__ = f"every_{field}"
    return when


def every_n_iterations(
    field: str, loop: str, *, not_last: bool = False
) -> Callable[[RunContext[Any]], bool]:
    """A branch condition true after every ``config.<field>``-th iteration of ``loop``.

    With ``not_last`` the loop's final iteration is left out (the workflow evaluates after it
    anyway); the last is the one that reaches ``total_steps``.
    """

    def when(ctx: RunContext[Any]) -> bool:
        every = int(getattr(ctx.config, field))
        if every <= 0:
            return False
        if not_last and ctx.state.global_step >= ctx.state.total_steps:
            return False
        return (ctx.loop_index(loop) + 1) % every == 0

    when.__name__ = f"every_{field}"
    return when
