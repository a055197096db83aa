"""``kitchen explain``: run (embedded), show (table and JSON, text with per-token scores),
reproduce, drift — against a real store in the test's home."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from kitchen.cli.explain import explain_app

app = typer.Typer()
app.add_typer(explain_app, name="explain")


def _ids() -> list[str]:
    from kitchen.home import kitchen_home
    from kitchen.queries import reading

    with reading(kitchen_home(None)) as store:
        assert store is not None
        return [a.id for a in store.list_analyses(kind="xai")]


def test_run_show_reproduce_and_drift() -> None:
    runner = CliRunner()
    common = ["method=shap_tree", "examples=8", "--embedded", "-q"]
    first = runner.invoke(app, ["explain", "run", *common, "model_seed=0"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["explain", "run", *common, "model_seed=1", "model_version=2"])
    assert second.exit_code == 0, second.output
    newer, older = _ids()

    shown = runner.invoke(app, ["explain", "show", older, "--top", "3"])
    assert shown.exit_code == 0, shown.output
    assert "shap_tree" in shown.output and "max_gap" in shown.output
    assert "worst" in shown.output  # breast-cancer forests lean on the 'worst …' features

    data = json.loads(runner.invoke(app, ["explain", "show", older, "--json"]).output)
    assert data["analysis"]["kind"] == "xai" and len(data["result"]["examples"]) == 8

    again = runner.invoke(app, ["explain", "reproduce", older])
    assert again.exit_code == 0 and "reproduced" in again.output, again.output

    drift = runner.invoke(app, ["explain", "drift", older, newer, "--top-k", "5", "--json"])
    assert drift.exit_code == 0, drift.output
    figures = json.loads(drift.output)
    assert 0.5 < figures["spearman"] < 1.0  # another forest seed: similar, not identical

    missing = runner.invoke(app, ["explain", "show", "nope"])
    assert missing.exit_code != 0 and "no analysis" in missing.output


def test_show_colours_text_tokens() -> None:
    runner = CliRunner()
    ran = runner.invoke(
        app,
        [
            "explain",
            "run",
            "--embedded",
            "-q",
            "model=tiny-bert",
            "method=occlusion",
            "data=builtin:reviews",
            "examples=2",
        ],
    )
    assert ran.exit_code == 0, ran.output
    (analysis,) = _ids()
    shown = runner.invoke(app, ["explain", "show", analysis])
    assert "wonderful" in shown.output and "[class" in shown.output
