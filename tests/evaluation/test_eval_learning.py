"""The headline path, slow: fine-tune, evaluate the registered version and the base model on the
same task, and `kitchen compare` says the fine-tuned one is better, with numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from kitchen.launch import run
from kitchen.queries import score_comparison

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def test_fine_tuned_model_beats_its_base_on_the_task(tmp_path: Path) -> None:
    trained = run(
        "sft",
        overrides=["max_steps=700", "epochs=6", "save_every=0", "eval_samples=0", "threads=1"],
        home=tmp_path,
    )
    assert trained.status == "succeeded", trained.error
    common = ["task=arithmetic", "limit=100", "threads=1"]
    base = run("eval", overrides=[*common, "model=kitchen/tiny"], home=tmp_path)
    tuned = run("eval", overrides=[*common, "model=models:/sft-kitchen-tiny@latest"], home=tmp_path)
    assert base.status == tuned.status == "succeeded"
    # Measured: 0% for the random base, ~90% after 700 steps (greedy, 100 unseen additions).
    assert base.eval_metrics["arithmetic/accuracy"] == 0.0
    assert tuned.eval_metrics["arithmetic/accuracy"] >= 0.5
    found = score_comparison(tmp_path, base.run_id, tuned.run_id)
    assert found["n"] == 100
    assert found["test"]["test"].startswith("McNemar")
    assert found["test"]["p_value"] < 1e-6
    assert found["test"]["estimate"] <= -0.5  # base − tuned
    assert found["verdict"].startswith(found["names"][1])  # the tuned run is named as better
