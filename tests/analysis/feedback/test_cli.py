"""``kitchen feedback ingest / summary / tail`` end to end, through a real auto-started engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kitchen.cli.feedback import feedback_app
from kitchen.engine.files import read_engine
from kitchen.engine.server import IDLE_ENV, stop
from kitchen.errors import DataError


def _lines(path: Path, events: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path


def test_ingest_summary_and_tail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(IDLE_ENV, "60")
    runner = CliRunner()
    home = tmp_path / "kitchen-home"
    events = [
        {"at": f"2024-05-0{1 + i % 3}T10:00:00Z", "q": f"question {i}", "a": f"Answer number {i}."}
        for i in range(7)
    ]
    events[1]["q"] = "my email is eve@example.com"
    events[2]["a"] = ""
    events[3]["model"] = "other@1"
    path = _lines(tmp_path / "prod.jsonl", events)

    # A bad line stops the ingest before any engine starts or anything is sent.
    bad = _lines(tmp_path / "bad.jsonl", [*events, {"at": "2024-05-01", "q": "x"}])
    failed = runner.invoke(
        feedback_app,
        ["ingest", str(bad), "--map", "ts=at", "--map", "input=q", "--map", "output=a"],
    )
    assert failed.exit_code == DataError.exit_code
    assert "bad.jsonl line 8: 'output' is missing" in failed.output
    assert read_engine(home) is None

    args = ["--map", "ts=at", "--map", "input=q", "--map", "output=a", "--model", "clf@2"]
    result = runner.invoke(
        feedback_app, ["ingest", str(path), *args, "--batch-size", "3", "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["events"] == 7 and len(out["batches"]) == 3  # 3 + 3 + 1
    assert out["redactions"] == {"email": 1} and out["redacted_events"] == 1
    assert out["flagged"] == {"empty": 1} and out["skipped"] == 0
    assert read_engine(home) is not None  # started for the ingest, serving the reads below

    summary = json.loads(runner.invoke(feedback_app, ["summary", "--json"]).stdout)
    assert {(s["model_name"], s["model_version"], s["n"]) for s in summary} == {
        ("clf", 2, 6),
        ("other", 1, 1),
    }
    tail = runner.invoke(feedback_app, ["tail", "-n", "2", "--model", "clf@2", "--json"])
    assert tail.exit_code == 0, tail.output
    rows = json.loads(tail.stdout)
    assert len(rows) == 2 and all(r["model_name"] == "clf" for r in rows)
    assert [r["ts"][:10] for r in rows] == ["2024-05-03", "2024-05-03"]
    everything = json.loads(runner.invoke(feedback_app, ["tail", "-n", "50", "--json"]).stdout)
    assert len(everything) == 7
    assert "eve@example.com" not in json.dumps(everything)
    assert any(r["input"] == "my email is [EMAIL]" for r in everything)

    table = runner.invoke(feedback_app, ["summary"])
    assert "clf@2" in table.stdout and "other@1" in table.stdout

    # With no engine serving, reads open the store read-only.
    stop(home)
    offline = json.loads(runner.invoke(feedback_app, ["tail", "-n", "1", "--json"]).stdout)
    assert offline[0]["ts"].startswith("2024-05-03") and offline[0]["quality_flags"] == []


def test_skip_invalid_reports_what_it_left_out(tmp_path: Path) -> None:
    path = _lines(
        tmp_path / "mixed.jsonl",
        [
            {"ts": 1714557600, "input": "a", "output": "Fine answer."},
            {"ts": 1714557600, "input": "b"},
            {"ts": "soon", "input": "c", "output": "x"},
        ],
    )
    result = CliRunner().invoke(feedback_app, ["ingest", str(path), "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert "stored 1 events" in result.stdout
    assert "skipped 2 invalid events" in result.stdout
    assert "mixed.jsonl line 2: 'output' is missing" in result.stdout
    assert "mixed.jsonl line 3: 'ts' must be an ISO 8601 time" in result.stdout


def test_reads_without_a_store_say_so() -> None:
    result = CliRunner().invoke(feedback_app, ["summary"])
    assert result.exit_code == 0 and "no feedback events yet" in result.stdout
    assert "no feedback events yet" in CliRunner().invoke(feedback_app, ["tail"]).stdout
    assert json.loads(CliRunner().invoke(feedback_app, ["tail", "--json"]).stdout) == []
