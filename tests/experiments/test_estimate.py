"""Time estimates from earlier runs: same config first, then the recipe's median."""

from __future__ import annotations

import pytest

from kitchen.experiments.estimate import estimate, format_duration, from_first_run
from kitchen.experiments.plan import expand
from kitchen.experiments.source import HistoryRun
from kitchen.experiments.spec import parse_spec

SPEC = parse_spec(
    {
        "name": "e",
        "recipe": "sft",
        "conditions": [{"name": "a", "epochs": 1}, {"name": "b", "epochs": 4}],
        "seeds": [0, 1],
    }
)


def _resolved(epochs: int, seed: int) -> dict[str, object]:
    return {"epochs": epochs, "lr": 0.1, "seed": seed, "experiment": "e", "name": "n"}


def test_no_history_says_so() -> None:
    guess = estimate(expand(SPEC), [], 2)
    assert guess.total_s is None
    assert guess.describe() == "no history: the estimate will follow the first finished run"


def test_same_config_minus_seed_is_preferred_over_the_recipe_median() -> None:
    runs = expand(SPEC)
    resolved = {r.key: _resolved(1 if r.condition == "a" else 4, r.seed) for r in runs}
    history = [
        HistoryRun({**_resolved(1, 7), "experiment": "old", "name": "x"}, 10.0),
        HistoryRun(_resolved(1, 8), 20.0),
        HistoryRun(_resolved(9, 0), 100.0),  # another config: only the recipe median uses it
    ]
    guess = estimate(runs, history, 2, resolved=resolved)
    # a: median(10, 20) = 15 per run; b: recipe median 20 per run; 2 seeds each; 2 slots.
    assert guess.work_s == pytest.approx(2 * 15 + 2 * 20)
    assert guess.total_s == pytest.approx(35.0)
    assert "2 matched by config" in guess.basis


def test_without_resolved_configs_the_recipe_median_is_used() -> None:
    guess = estimate(expand(SPEC), [HistoryRun({}, 30.0), HistoryRun({}, 60.0)], 1)
    assert guess.total_s == pytest.approx(4 * 45.0)


def test_after_the_first_run() -> None:
    guess = from_first_run(remaining=5, duration_s=12.0, slots=2)
    assert guess.total_s == pytest.approx(30.0)
    assert guess.describe().startswith("about 30s")
    assert format_duration(250) == "4m 10s" and format_duration(7500) == "2h 05m"
