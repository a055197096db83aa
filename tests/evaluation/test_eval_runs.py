"""Evaluation end to end on kitchen/tiny: the eval recipe on the shipped GSM8K-shaped sample,
a task evaluated inside SFT, and `kitchen eval` / `kitchen compare` as a user types them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kitchen.cli.main import app
from kitchen.launch import run
from store import open_store

pytestmark = pytest.mark.integration
runner = CliRunner()


def kitchen(*args: str) -> Any:
    return runner.invoke(app, list(args))


def test_eval_recipe_scores_the_gsm8k_sample(tmp_path: Path) -> None:
    outcome = run(
        "eval",
        overrides=["task=gsm8k", "limit=6", "max_new_tokens=12", "threads=1", "batch_size=4"],
        home=tmp_path,
    )
    assert outcome.status == "succeeded", outcome.error
    metrics = outcome.eval_metrics
    assert metrics["gsm8k/n"] == 6
    assert 0.0 <= metrics["gsm8k/accuracy"] <= 1.0
    assert metrics["gsm8k/samples_per_s"] > 0
    with open_store(tmp_path, read_only=True, background_flush=False) as store:
        frame = store.eval_samples(outcome.run_id).to_pandas()
        values = store.last_values([outcome.run_id])[outcome.run_id]
        logs = [line.message for line in store.logs(outcome.run_id)]
    assert len(frame) == 6 and set(frame["task"]) == {"gsm8k"}
    assert (frame["output_tokens"] > 0).all() and (frame["output_tokens"] <= 12).all()
    assert (frame["input_tokens"] > 10).all() and (frame["latency_s"] > 0).all()
    # The GSM8K target is the number after "####" in the shipped answer.
    assert frame["target"].str.fullmatch(r"-?\d+").all()
    assert values["eval/gsm8k/accuracy"] == metrics["gsm8k/accuracy"]
    # Offline, the shipped sample stands in for the hub dataset, and the run says so.
    assert any("math_test.jsonl" in message for message in logs)


def test_sft_evaluates_a_task_before_and_after(tmp_path: Path) -> None:
    outcome = run(
        "sft",
        overrides=[
            "max_steps=2",
            "epochs=1",
            "limit=64",
            "save_every=0",
            "eval_samples=5",
            "eval_task=arithmetic",
            "threads=1",
        ],
        home=tmp_path,
    )
    assert outcome.status == "succeeded", outcome.error
    # The task's metrics join the held-out ones instead of replacing them.
    assert {"exact_match", "arithmetic/accuracy"} <= set(outcome.eval_metrics)
    assert {"exact_match", "arithmetic/accuracy"} <= set(outcome.baseline_metrics)
    with open_store(tmp_path, read_only=True, background_flush=False) as store:
        found = {(s.phase, s.task, s.n) for s in store.eval_summaries(outcome.run_id)}
        version = store.get_model_version("sft-kitchen-tiny", "latest")
    assert ("baseline", "arithmetic", 5) in found and ("eval", "arithmetic", 5) in found
    assert ("eval", "exact_match", 5) in found
    assert "eval/arithmetic/accuracy" in json.loads(version.metrics_json)


def test_kitchen_eval_then_compare(tmp_path: Path) -> None:
    home = str(tmp_path)
    common = ["--limit", "8", "--embedded", "--quiet", "--home", home, "threads=1"]
    first = kitchen("eval", "arithmetic", *common, "max_new_tokens=4")
    assert first.exit_code == 0, first.output
    second = kitchen("eval", "arithmetic", *common, "max_new_tokens=6", "seed=3")
    assert second.exit_code == 0, second.output
    with open_store(tmp_path, read_only=True, background_flush=False) as store:
        a, b = (row.id for row in store.runs_table(limit=2))
    shown = kitchen("compare", a, b, "--home", home, "--json")
    assert shown.exit_code == 0, shown.output
    found = json.loads(shown.output)
    assert found["task"] == "arithmetic" and found["n"] == 8
    assert found["test"]["test"].startswith("McNemar") and found["verdict"]
    text = kitchen("compare", a, b, "--home", home)
    assert text.exit_code == 0 and "shared samples" in text.output
    wrong = kitchen("compare", a, b, "--home", home, "--task", "mmlu")
    assert wrong.exit_code != 0
    assert "'mmlu' was not evaluated by both" in wrong.output


def test_kitchen_eval_rejects_bad_input_without_a_traceback(tmp_path: Path) -> None:
    unknown = kitchen("eval", "no-such-task", "--embedded", "--home", str(tmp_path))
    assert unknown.exit_code != 0
    assert "Traceback" not in unknown.output and "no-such-task" in unknown.output
    missing = kitchen("eval", str(tmp_path / "nope.jsonl"), "--embedded", "--home", str(tmp_path))
    assert missing.exit_code != 0 and "nope.jsonl" in missing.output
    bad_limit = kitchen("eval", "arithmetic", "--limit", "-1", "--home", str(tmp_path))
    assert bad_limit.exit_code == 2 and "limit" in bad_limit.output


def test_kitchen_tasks_lists_and_describes(tmp_path: Path) -> None:
    listed = kitchen("tasks")
    assert listed.exit_code == 0
    for name in ("gsm8k", "mmlu", "mmlu_stem", "humaneval", "arithmetic"):
        assert name in listed.output
    described = kitchen("tasks", "gsm8k")
    assert described.exit_code == 0 and "source" in described.output


@pytest.mark.parametrize(
    ("recipe", "overrides"),
    [
        ("dpo", ["limit=32", "epochs=1", "batch_size=8", "max_steps=1"]),
        ("rl_arith", ["steps=1", "groups_per_batch=2", "group_size=2", "save_every=0"]),
        ("distill", ["teacher=kitchen/tiny", "mode=logit", "limit=32", "max_steps=1"]),
    ],
)
def test_every_training_recipe_evaluates_a_task(
    recipe: str, overrides: list[str], tmp_path: Path
) -> None:
    outcome = run(
        recipe,
        overrides=[*overrides, "eval_samples=4", "eval_task=arithmetic", "threads=1"],
        home=tmp_path,
    )
    assert outcome.status == "succeeded", outcome.error
    assert "arithmetic/accuracy" in outcome.baseline_metrics
    assert "arithmetic/accuracy" in outcome.eval_metrics
    with open_store(tmp_path, read_only=True, background_flush=False) as store:
        found = {(s.phase, s.task) for s in store.eval_summaries(outcome.run_id)}
    assert {("baseline", "arithmetic"), ("eval", "arithmetic")} <= found
