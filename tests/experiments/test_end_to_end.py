"""One real experiment through a real engine: 2 conditions × 2 seeds of a tiny ``sft``, run,
then resumed (nothing left to do), then read back by ``status`` and ``report``."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from kitchen.cli.experiment import experiment_app
from kitchen.engine.client import EngineClient
from kitchen.engine.files import pid_alive
from kitchen.engine.server import start_background, stop
from kitchen.experiments.analysis import analyze, load_experiment

SPEC = """\
name: tiny-lr
recipe: sft
base: {epochs: 1, max_steps: 3, limit: 32, eval_samples: 4, baseline_eval: false,
       threads: 1, save_every: 0, batch_size: 8}
conditions:
  - {name: low, learning_rate: 1e-4}
  - {name: high, learning_rate: 3e-3}
seeds: [0, 1]
metric: train/loss
goal: min
retries: 1
backoff_s: 0
"""

cli = typer.Typer()
cli.add_typer(experiment_app, name="experiment")


@pytest.fixture
def engine_home(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "home"
    info = start_background(home, slots=2, grace_s=2.0)
    yield home
    stop(home)
    deadline = time.monotonic() + 10
    while pid_alive(info.pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def test_an_experiment_runs_resumes_and_reports(
    engine_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KITCHEN_EXPERIMENT_POLL_S", "0.2")
    spec_file = tmp_path / "tiny.yaml"
    spec_file.write_text(SPEC)
    runner = CliRunner()
    home = ["--home", str(engine_home)]

    first = runner.invoke(cli, ["experiment", "run", str(spec_file), "--yes", *home])
    print(first.output)
    assert first.exit_code == 0, first.output
    assert "2 conditions × 2 seeds = 4 runs" in first.output
    assert "no history: the estimate will follow the first finished run" in first.output
    assert first.output.count("queued    ") == 4
    assert first.output.count("succeeded") >= 4
    assert "estimate: about" in first.output  # updated after the first run finished
    assert "experiment tiny-lr: train/loss (min)" in first.output

    with EngineClient.for_home(engine_home) as client:
        spec, runs = load_experiment(client, "tiny-lr")
    assert sorted(r.run_id != "" and (r.condition, r.seed, r.attempt) for r in runs) == [
        ("high", 0, 1),
        ("high", 1, 1),
        ("low", 0, 1),
        ("low", 1, 1),
    ]
    assert all(r.status == "succeeded" and "train/loss" in r.metrics for r in runs)
    analysis = analyze(spec, runs)
    assert [c.n for c in analysis.conditions] == [2, 2]

    again = runner.invoke(cli, ["experiment", "resume", "tiny-lr", "--json", *home])
    assert again.exit_code == 0, again.output
    assert "found in the store: 4 succeeded" in again.output
    assert "queued    " not in again.output
    body = json.loads(again.stdout)
    assert body["finished"] is True and body["analysis"]["counts"] == {"succeeded": 4}

    status = runner.invoke(cli, ["experiment", "status", "tiny-lr", "--json", *home])
    assert status.exit_code == 0, status.output
    rows = {r["condition"]: r for r in json.loads(status.stdout)["conditions"]}
    assert rows["low"]["done"] == 2 and rows["high"]["done"] == 2
    assert rows["low"]["mean"] == pytest.approx(analysis.conditions[0].mean)

    report = runner.invoke(cli, ["experiment", "report", "tiny-lr", *home])
    assert report.exit_code == 0 and "pairwise" in report.output
