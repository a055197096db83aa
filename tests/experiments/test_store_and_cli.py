"""Reading an experiment from a store opened read-only, and the CLI without an engine."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from kitchen.cli.experiment import experiment_app
from kitchen.errors import NotFoundError
from kitchen.experiments.analysis import analyze, load_experiment
from kitchen.experiments.records import SpecRecord, read_record, save_record
from kitchen.experiments.spec import parse_spec
from store import open_store

SPEC = {
    "name": "stored",
    "recipe": "sft",
    "conditions": [{"name": "a"}, {"name": "b", "learning_rate": 0.01}],
    "seeds": [0, 1],
    "retries": 0,
}
cli = typer.Typer()
cli.add_typer(experiment_app, name="experiment")


def _fill(home: Path) -> None:
    with open_store(home, background_flush=False, flush_interval_s=None) as store:
        for name, status, value in [
            ("a@s0#1", "succeeded", 0.4),
            ("a@s1#1", "succeeded", 0.5),
            ("b@s0#1", "succeeded", 0.7),
            ("b@s1#1", "failed", None),
        ]:
            run = store.create_run(recipe="sft", experiment="stored", name=name, config={})
            store.set_run_status(run.id, "running")
            if value is not None:
                store.log_metrics(run.id, 1, {"eval/exact_match": value})
            error = {"error_type": "TrainingError", "error_message": "NaN"} if value is None else {}
            store.set_run_status(run.id, status, **error)  # type: ignore[arg-type]
        store.create_run(recipe="sft", experiment="stored", name="by-hand", config={})
        store.flush()


def test_load_experiment_from_a_read_only_store(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _fill(home)
    save_record(home, SpecRecord(parse_spec(SPEC), "/work", "stored.yaml"))
    assert read_record(home, "stored").workdir == "/work"
    with open_store(home, read_only=True) as store:
        spec, runs = load_experiment(store, "stored")
    assert spec.name == "stored" and len(runs) == 4  # the hand-made run is not the harness's
    failed = next(r for r in runs if r.status == "failed")
    assert failed.error == "TrainingError: NaN" and failed.error_type == "TrainingError"
    analysis = analyze(spec, runs)
    assert [c.n for c in analysis.conditions] == [2, 1]
    assert [(d.condition, d.seed) for d in analysis.dead_letter] == [("b", 1)]


def test_unknown_experiment(tmp_path: Path) -> None:
    try:
        read_record(tmp_path, "nope")
    except NotFoundError as error:
        assert "kitchen experiment run" in error.message
    else:
        raise AssertionError("expected NotFoundError")


def test_status_and_dry_run_without_an_engine(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _fill(home)
    save_record(home, SpecRecord(parse_spec(SPEC), "", "stored.yaml"))
    runner = CliRunner()
    status = runner.invoke(cli, ["experiment", "status", "stored", "--json", "--home", str(home)])
    assert status.exit_code == 0, status.output
    body = json.loads(status.stdout)
    rows = {r["condition"]: r for r in body["conditions"]}
    assert (rows["a"]["done"], rows["b"]["done"], rows["b"]["dead"]) == (2, 1, 1)
    assert body["dead_letter"][0]["attempts"][0][3] == "TrainingError: NaN"

    spec_file = tmp_path / "stored.yaml"
    spec_file.write_text(json.dumps({**SPEC, "seeds": [0, 1, 2]}))
    dry = runner.invoke(
        cli, ["experiment", "run", str(spec_file), "--dry-run", "--home", str(home)]
    )
    assert dry.exit_code == 0, dry.output
    assert "found in the store: 3 succeeded, 0 queued or running, 1 dead-lettered; 2 to queue" in (
        " ".join(dry.output.split())
    )
    assert "estimate:" in dry.output

    spec_file.write_text(json.dumps({**SPEC, "conditions": [{"name": "a", "epochs": 0}]}))
    bad = runner.invoke(
        cli, ["experiment", "run", str(spec_file), "--dry-run", "--home", str(home)]
    )
    assert bad.exit_code == 2
    assert "condition 'a'" in bad.output and "epochs" in bad.output


def test_a_store_read_knows_an_interrupted_runs_checkpoint_and_resumes(tmp_path: Path) -> None:
    from kitchen.experiments.policy import slots
    from kitchen.experiments.source import StoreSource
    from kitchen.launch import resume_log

    home = tmp_path / "home"
    with open_store(home, background_flush=False, flush_interval_s=None) as store:
        bare = store.create_run(recipe="sft", experiment="stored", name="a@s0#1", config={})
        kept = store.create_run(recipe="sft", experiment="stored", name="a@s1#1", config={})
        for run in (bare, kept):
            store.set_run_status(run.id, "running")
        checkpoint = tmp_path / "ckpt"
        checkpoint.mkdir()
        (checkpoint / "state.json").write_text("{}")
        store.log_artifact(kept.id, checkpoint, kind="checkpoint", meta={"step": 10})
        store.log(kept.id, "warning", "the process running this run died; marked interrupted")
        store.log(kept.id, "info", resume_log(10))
        store.log(kept.id, "info", "a resumed run logs other lines too")
        store.set_run_status(kept.id, "failed", error_type="WorkerDied", error_message="-9")
        store.set_run_status(bare.id, "failed", error_type="WorkerDied", error_message="-9")
        store.flush()
    with open_store(home, read_only=True) as store:
        runs = StoreSource(store).experiment_runs("stored", ["train/loss"])
    by_name = {(r.condition, r.seed): r for r in runs}
    assert (by_name[("a", 0)].resumable, by_name[("a", 0)].resumes) == (False, 0)
    assert (by_name[("a", 1)].resumable, by_name[("a", 1)].resumes) == (True, 1)
    states = {(s.condition, s.seed): s.state for s in slots([("a", 0), ("a", 1)], runs, 2)}
    assert states == {("a", 0): "retry", ("a", 1): "resume"}
    # One resume plus the attempt itself used up a budget of one retry.
    assert [s.state for s in slots([("a", 1)], runs, 1)] == ["dead"]
