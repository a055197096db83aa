"""The CLI as a user meets it: listings, plans, and every kind of bad input ending in a short
message and its own exit code, with failed runs stored and nothing lost."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kitchen.adapters.duckdb.open import Recording
from kitchen.adapters.fake.training import FakeBackend, FakeSession
from kitchen.cli.main import app
from kitchen.context import Ports
from kitchen.types import Datum, StepResult
from store import open_store

runner = CliRunner()
FAST = ["max_steps=3", "baseline_eval=false", "eval_samples=0", "save_every=0", "limit=96"]


def kitchen(*args: str) -> Any:
    return runner.invoke(app, list(args))


def stored_runs(home: Path) -> list[Any]:
    with open_store(home, read_only=True, background_flush=False) as store:
        return store.runs_table(limit=100)


def test_help_does_not_import_torch() -> None:
    code = (
        "import sys; from kitchen.cli.main import app; import kitchen; "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_recipes_and_describe_json() -> None:
    result = kitchen("recipes", "--json")
    assert result.exit_code == 0
    assert {"name": "sft"}.items() <= json.loads(result.stdout)[0].items()
    described = json.loads(kitchen("describe", "sft", "--json").stdout)
    names = [s["name"] for s in described["stages"]]
    assert names[:4] == ["load_dataset", "init_session", "init_tokenizer", "build_dataset"]
    assert "forward_backward" in names and names[-1] == "cleanup"
    assert "learning_rate" in described["config_schema"]["properties"]


def test_dry_run_prints_the_plan_and_runs_nothing(_isolated_home: Path) -> None:
    result = kitchen("run", "sft", "--dry-run", "epochs=2")
    assert result.exit_code == 0
    assert "config is valid" in result.stdout and "forward_backward" in result.stdout
    assert not (_isolated_home / "kitchen.duckdb").exists()


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["run", "sfx"], 3, "did you mean 'sft'"),
        (["run", "sft", "learning_rat=0.1"], 2, "did you mean 'learning_rate'"),
        (["run", "sft", "epochs=many"], 2, "epochs"),
        (["run", "sft", "learning_rate=-1"], 2, "learning_rate"),
        (["run", "sft", "nope.yaml"], 2, "nope.yaml"),
        (["show", "ffffffffffff"], 9, "ffffffffffff"),
        (["run", "--embedded", "--resume", "ffffffffffff"], 9, "ffffffffffff"),
    ],
)
def test_mistakes_before_a_run_exist(args: list[str], code: int, needle: str) -> None:
    result = kitchen(*args)
    assert result.exit_code == code, result.output
    assert needle in result.output
    assert "Traceback" not in result.output


def _write(path: Path, lines: Sequence[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("dataset", "needle"),
    [
        ("missing.jsonl", "missing.jsonl"),
        ("bad.jsonl", "line 2"),
        ("nofield.jsonl", "question"),
    ],
)
def test_data_mistakes_fail_the_run_and_store_why(
    tmp_path: Path, _isolated_home: Path, dataset: str, needle: str
) -> None:
    good = '{"prompt": "1+1?", "completion": "2"}'
    _write(tmp_path / "bad.jsonl", [good, '{"prompt": "2+2?", "completion": '])
    _write(tmp_path / "nofield.jsonl", ['{"prompt": "1+1?", "answer": "2"}'])
    extra = ["dataset_fields={completion: question}"] if dataset == "nofield.jsonl" else []
    # One run that succeeds first: it must survive the failures that follow.
    assert kitchen("run", "--embedded", "sft", *FAST).exit_code == 0
    result = kitchen("run", "--embedded", "sft", f"dataset={tmp_path / dataset}", *extra, *FAST)
    assert result.exit_code == 4, result.output
    assert needle in result.output and "Traceback" not in result.output
    runs = stored_runs(_isolated_home)
    assert [r.status for r in runs] == ["failed", "succeeded"]
    with open_store(_isolated_home, read_only=True, background_flush=False) as store:
        failed = store.get_run(runs[0].id)
        assert failed.error_type == "DataError" and needle in (failed.error_message or "")


class _NanSession(FakeSession):
    def forward_backward(self, batch: Sequence[Datum], *args: Any, **kwargs: Any) -> StepResult:
        result = super().forward_backward(batch, *args, **kwargs)
        return StepResult(math.nan, result.num_tokens, result.num_loss_tokens)


class _NanBackend(FakeBackend):
    def start_session(self, spec: Any) -> FakeSession:
        session = super().start_session(spec)
        session.__class__ = _NanSession
        return session


def test_nan_loss_fails_with_its_own_code(
    monkeypatch: pytest.MonkeyPatch, _isolated_home: Path
) -> None:
    real = Recording.default_ports

    def nan_ports(self: Recording, config: Any) -> Ports:
        ports = real(self, config)
        return Ports(
            _NanBackend(),
            ports.datasets,
            ports.hub,
            ports.blobs,
            ports.metrics,
            ports.registry,
            ports.evaluator,
            ports.analyses,
        )

    monkeypatch.setattr(Recording, "default_ports", nan_ports)
    result = kitchen("run", "--embedded", "sft", *FAST)
    assert result.exit_code == 6, result.output
    assert "loss became nan at step 1" in result.output
    assert [r.status for r in stored_runs(_isolated_home)] == ["failed"]


def test_runs_and_show_after_a_run(_isolated_home: Path) -> None:
    assert kitchen("run", "--embedded", "sft", *FAST).exit_code == 0
    rows = json.loads(kitchen("runs", "--json").stdout)
    assert len(rows) == 1 and rows[0]["status"] == "succeeded" and rows[0]["last_step"] == 3
    shown = json.loads(kitchen("show", rows[0]["id"][:16], "--json").stdout)
    assert shown["run"]["id"] == rows[0]["id"]
    assert shown["params"]["max_steps"] == 3
    assert {a["kind"] for a in shown["artifacts"]} == {"model"}
    relations = {e["relation"] for e in shown["lineage"]}
    assert {"trained_on", "base_of", "produced"} <= relations
    assert shown["models"][0]["name"] == "sft-kitchen-tiny"
    human = kitchen("show", rows[0]["id"])
    assert human.exit_code == 0 and "train/loss" in human.stdout
