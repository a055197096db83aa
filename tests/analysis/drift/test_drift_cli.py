"""`kitchen drift reference|check` on a store, and the `drift` recipe run in-process."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from kitchen.cli.drift import drift_app
from store import open_store

from .test_drift_report import T0, _events

runner = CliRunner()
SPLIT = (T0 + timedelta(days=1)).isoformat()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    rng = np.random.default_rng(5)
    with open_store(tmp_path, background_flush=False) as store:
        store.log_feedback(
            _events(rng, 1500, T0, 0.0) + _events(rng, 600, T0 + timedelta(days=1), 0.6)
        )
    return tmp_path


def drift(*args: str) -> tuple[int, str]:
    result = runner.invoke(drift_app, list(args))
    return result.exit_code, result.output


def test_reference_then_check_from_the_sketch(home: Path) -> None:
    code, out = drift(
        "reference", "--model", "m", "--version", "2", "--until", SPLIT,
        "--no-embed", "--embedded", "--home", str(home),
    )  # fmt: skip
    assert code == 0, out
    assert "1,500 events" in out and "0 text features" in out  # --no-embed: no embeddings
    code, out = drift(
        "check", "--model", "m", "--version", "2", "--current-since", SPLIT,
        "--no-embed", "--embedded", "--json", "--home", str(home),
    )  # fmt: skip
    assert code == 0, out
    data = json.loads(out)
    assert {"latency_ms", "features.score", "features.country"} <= set(data["drifted_features"])
    assert "features.stable" not in data["drifted_features"]
    with open_store(home, read_only=True) as store:
        (stored,) = store.list_analyses(kind="drift")
        (reference,) = store.list_analyses(kind="drift_reference")
        assert store.analysis_result(stored.id)["features"] == data["features"]
    assert (
        stored.id == data["analysis_id"]
        and json.loads(stored.params_json)["reference"]["analysis_id"] == reference.id
    )


def test_check_prints_a_table_and_fails_on_drift_when_asked(home: Path) -> None:
    code, out = drift(
        "check", "--model", "m", "--version", "2", "--current-since", SPLIT,
        "--reference-until", SPLIT, "--no-embed", "--no-save", "--fail-on-drift",
        "--drift-share", "0.3", "--home", str(home),
    )  # fmt: skip
    assert code == 1, out
    assert "latency_ms" in out and "DRIFT" in out and "raw reference window" in out
    with open_store(home, read_only=True) as store:
        assert store.list_analyses(kind="drift") == []  # --no-save stored nothing


def test_errors_name_the_option(home: Path) -> None:
    code, out = drift(
        "check", "--model", "m", "--version", "2", "--current-since", "yesterday",
        "--no-embed", "--no-save", "--home", str(home),
    )  # fmt: skip
    assert code == 2 and "--current-since must be an ISO 8601 time" in out
    code, out = drift(
        "check", "--model", "m", "--version", "2", "--current-since", SPLIT,
        "--no-embed", "--no-save", "--home", str(home),
    )  # fmt: skip
    assert code == 9 and "kitchen drift reference --model m --version 2" in out
    code, out = drift(
        "check", "--model", "m", "--version", "2", "--current-since", SPLIT, "--psi", "-1",
        "--no-embed", "--no-save", "--home", str(home),
    )  # fmt: skip
    assert code == 2 and "--psi" in out


def test_the_drift_recipe_stores_its_report_with_the_run(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kitchen.launch import run

    outcome = run(
        "drift",
        overrides=[
            "model=m",
            "version=2",
            f"current_since={SPLIT}",
            f"reference_until={SPLIT}",
            "embed=false",
            "thresholds.drift_share=0.3",
        ],
        home=home,
    )
    assert outcome.status == "succeeded", outcome.error
    assert outcome.eval_metrics["drift/drifted"] == 1.0
    assert outcome.eval_metrics["drift/n_drifted"] >= 3
    with open_store(home, read_only=True) as store:
        (stored,) = store.list_analyses(kind="drift", run_id=outcome.run_id)
        values = store.last_values([outcome.run_id])[outcome.run_id]
    assert json.loads(stored.summary_json)["drifted"] is True
    assert values["drift/share"] == outcome.eval_metrics["drift/share"]


def test_the_drift_recipe_needs_a_model(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kitchen.launch import run

    outcome = run("drift", overrides=[f"current_since={SPLIT}", "embed=false"], home=home)
    assert outcome.status == "failed" and outcome.error is not None
    assert "model: name the model" in outcome.error.message
