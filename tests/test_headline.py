"""The headline eval metric shown by `kitchen runs`, the TUI and the dashboard."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from rich.console import Console

from kitchen.cli.render import print_runs
from kitchen.display import headline_eval
from kitchen.queries import row_dict
from store.records import RunRow


def test_exact_keys_come_before_task_accuracies() -> None:
    assert headline_eval({}) is None
    assert headline_eval({"train/loss": 1.0}) is None
    assert headline_eval({"eval/exact_match": 0.5, "eval/gsm8k/accuracy": 0.2}) == (
        "eval/exact_match",
        0.5,
    )
    assert headline_eval({"eval/reward_mean": -0.3}) == ("eval/reward_mean", -0.3)
    classify = {"eval/accuracy": 1.0, "eval/challenge/accuracy": 0.6}
    assert headline_eval(classify) == ("eval/accuracy", 1.0)  # the test split, not a subset


def test_a_task_accuracy_is_the_headline_of_an_eval_run() -> None:
    metrics = {"eval/mmlu/accuracy": 0.25, "eval/gsm8k/accuracy": 0.5, "eval/gsm8k/stderr": 0.1}
    assert headline_eval(metrics) == ("eval/gsm8k/accuracy", 0.5)  # first task by name
    assert headline_eval({"eval/gsm8k/stderr": 0.1}) is None


def row(recipe: str, metrics: dict[str, float]) -> RunRow:
    now = datetime.now(UTC)
    return RunRow(
        id=f"{recipe:x<32}",
        name=recipe,
        experiment="default",
        recipe=recipe,
        status="succeeded",
        created_at=now,
        started_at=now,
        finished_at=now,
        duration_s=3.0,
        last_step=0,
        metrics=metrics,
    )


def test_kitchen_runs_shows_each_runs_headline_in_its_own_unit() -> None:
    rows = [
        row_dict(row("eval", {"eval/arithmetic/accuracy": 0.375})),
        row_dict(row("rl", {"eval/reward_mean": 1.25, "train/loss": 0.5})),
        row_dict(row("sft", {"train/loss": 0.25})),
    ]
    assert (rows[0]["eval_key"], rows[0]["eval"]) == ("eval/arithmetic/accuracy", 0.375)
    buffer = io.StringIO()
    print_runs(Console(file=buffer, width=120, color_system=None), rows)
    lines = buffer.getvalue().splitlines()
    assert "eval" in next(line for line in lines if "recipe" in line)
    assert "37.5%" in next(line for line in lines if line.lstrip().startswith("evalx"))
    assert "1.25" in next(line for line in lines if line.lstrip().startswith("rlxx"))
    assert "—" in next(line for line in lines if line.lstrip().startswith("sftx")).split()[-1]
