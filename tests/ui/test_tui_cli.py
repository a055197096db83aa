"""``kitchen tui``: the command registers on a Typer app, and the TUI imports no torch."""

from __future__ import annotations

import subprocess
import sys

import typer
from conftest import ROOT
from typer.testing import CliRunner

from ui.cli import register


def test_register_adds_the_tui_command() -> None:
    app = typer.Typer()
    app.command("other")(lambda: None)
    register(app)
    result = CliRunner().invoke(app, ["tui", "--help"])
    assert result.exit_code == 0
    assert "--home" in result.output and "--read-only" in result.output


def test_the_tui_imports_neither_torch_nor_the_adapters() -> None:
    code = (
        "import sys, ui.app, ui.cli; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers')"
        " or m.startswith('kitchen.adapters')]; print(bad)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_kitchen_cli_has_the_tui_through_its_plugin_entry_point() -> None:
    from kitchen.cli.main import app

    result = CliRunner().invoke(app, ["tui", "--help"])
    assert result.exit_code == 0, result.output
    assert "--read-only" in result.output
