"""Learning-rate schedules: warmup, end points, shapes and the errors that name a field."""

from __future__ import annotations

import itertools
import math

import pytest

from kitchen.errors import ConfigError
from kitchen.schedules import Schedule, lr_at


@pytest.mark.parametrize("schedule", ["constant", "linear", "cosine"])
def test_warmup_ramps_linearly_to_base_lr(schedule: Schedule) -> None:
    lrs = [
        lr_at(s, schedule=schedule, base_lr=1.0, total_steps=100, warmup_steps=4) for s in range(4)
    ]
    assert lrs == [0.25, 0.5, 0.75, 1.0]


def test_constant_stays_at_base_lr() -> None:
    assert {lr_at(s, schedule="constant", base_lr=3e-4, total_steps=10) for s in range(12)} == {
        3e-4
    }


def test_linear_decays_to_zero_at_total_steps() -> None:
    def lr(step: int) -> float:
        return lr_at(step, schedule="linear", base_lr=2.0, total_steps=12, warmup_steps=2)

    assert lr(2) == 2.0
    assert lr(7) == pytest.approx(1.0)
    assert lr(11) > 0
    assert lr(12) == 0.0
    assert lr(50) == 0.0  # past the end it stays at 0, never negative


def test_cosine_is_half_at_the_midpoint_and_falls_monotonically() -> None:
    lrs = [
        lr_at(s, schedule="cosine", base_lr=1.0, total_steps=20, warmup_steps=0) for s in range(21)
    ]
    assert lrs[0] == 1.0
    assert lrs[10] == pytest.approx(0.5)
    assert lrs[20] == pytest.approx(0.0, abs=1e-12)
    assert all(b <= a for a, b in itertools.pairwise(lrs))
    assert all(math.isfinite(x) and x >= 0 for x in lrs)


def test_warmup_longer_than_the_run_holds_base_lr_after_warmup() -> None:
    assert lr_at(5, schedule="cosine", base_lr=1.0, total_steps=3, warmup_steps=5) == 1.0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"schedule": "step"}, "schedule"),
        ({"base_lr": -1.0}, "base_lr"),
        ({"base_lr": math.nan}, "base_lr"),
        ({"total_steps": 0}, "total_steps"),
        ({"warmup_steps": -1}, "warmup_steps"),
    ],
)
def test_bad_arguments_name_the_field(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {
        "schedule": "linear",
        "base_lr": 1e-3,
        "total_steps": 10,
        "warmup_steps": 0,
        **kwargs,
    }
    with pytest.raises(ConfigError, match=field):
        lr_at(0, **args)  # type: ignore[arg-type]


def test_negative_step_is_rejected() -> None:
    with pytest.raises(ConfigError, match="step"):
        lr_at(-1, schedule="constant", base_lr=1.0, total_steps=1)
