"""Learning-rate schedules, backend-neutral and pure Python.

Stages ask :func:`lr_at` for the rate of each optimiser step and pass it to
``TrainingSession.optim_step``; backends never own a scheduler, so the torch backend, the fake
and a remote backend follow exactly the same curve.
"""

from __future__ import annotations

import math
from typing import Literal, get_args

from kitchen.errors import ConfigError

Schedule = Literal["constant", "linear", "cosine"]

__all__ = ["Schedule", "lr_at"]


def lr_at(
    step: int,
    *,
    schedule: Schedule,
    base_lr: float,
    total_steps: int,
    warmup_steps: int = 0,
) -> float:
    """The learning rate for optimiser step ``step`` (0-based).

    Every schedule starts with a linear warmup: step ``s < warmup_steps`` gets
    ``base_lr * (s + 1) / warmup_steps``, so the first step already moves the weights and the last
    warmup step reaches ``base_lr``. After warmup, ``constant`` stays at ``base_lr``, ``linear``
    falls in a straight line and ``cosine`` along half a cosine, both reaching 0 at
    ``step == total_steps`` (so the last real step, ``total_steps - 1``, is still above 0).

    Args:
        step: The 0-based index of the optimiser step.
        schedule: ``"constant"``, ``"linear"`` or ``"cosine"``.
        base_lr: The peak learning rate.
        total_steps: How many optimiser steps the run takes.
        warmup_steps: How many of those steps ramp up linearly.

    Returns:
        The learning rate, never negative.

    Raises:
        ConfigError: An argument is out of range or ``schedule`` is unknown; the message names it.
    """
    _check(step, schedule, base_lr, total_steps, warmup_steps)
    if step < warmup_steps:
        return base_lr * (step + 1) / warmup_steps
    if schedule == "constant":
        return base_lr
    decay_steps = total_steps - warmup_steps
    if decay_steps <= 0:
        # Warmup covers the whole run: there is nothing left to decay over.
        return base_lr
    progress = min(1.0, (step - warmup_steps) / decay_steps)
    if schedule == "linear":
        return base_lr * (1.0 - progress)
    return base_lr * 0.5 * (1.0 + math.cos(math.pi * progress))


def _check(step: int, schedule: str, base_lr: float, total_steps: int, warmup_steps: int) -> None:
    if schedule not in get_args(Schedule):
        choices = ", ".join(get_args(Schedule))
        raise ConfigError(f"schedule: unknown schedule {schedule!r}; choose one of {choices}")
    if step < 0:
        raise ConfigError(f"step: must be >= 0, got {step}")
    if not math.isfinite(base_lr) or base_lr < 0:
        raise ConfigError(f"base_lr: must be a finite number >= 0, got {base_lr}")
    if total_steps < 1:
        raise ConfigError(f"total_steps: must be >= 1, got {total_steps}")
    if warmup_steps < 0:
        raise ConfigError(f"warmup_steps: must be >= 0, got {warmup_steps}")
