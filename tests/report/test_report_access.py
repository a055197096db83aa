"""How a report is reached: the engine route answers the bytes ``build_report`` makes, and
``kitchen report`` writes a file through the engine or from the store itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kitchen.cli.report import default_path, report_command
from kitchen.engine.app import create_app
from kitchen.report import build_report
from tests.report.conftest import Seeded

TOKEN = "report-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def engine_app(seeded: Seeded) -> FastAPI:
    """The engine app over the seeded store, with the report route (until app.py mounts it)."""
    from kitchen.engine import routes_reports

    app = create_app(seeded.store, TOKEN)
    if not any(getattr(r, "path", "") == "/v1/reports/{target}" for r in app.routes):
        app.include_router(routes_reports.router, prefix="/v1")
    return app


@pytest.fixture(scope="module")
def client(seeded: Seeded) -> Iterator[TestClient]:
    with TestClient(engine_app(seeded), headers=AUTH) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("fmt", "media"),
    [
        ("html", "text/html"),
        ("md", "text/markdown"),
        ("json", "application/json"),
        ("pdf", "application/pdf"),
    ],
)
def test_route_answers_the_same_bytes(
    client: TestClient, seeded: Seeded, fmt: str, media: str
) -> None:
    response = client.get(f"/v1/reports/{seeded.full}", params={"format": fmt})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert response.content == build_report(seeded.store, seeded.full, fmt)


def test_route_compare_experiment_and_errors(client: TestClient, seeded: Seeded) -> None:
    compared = client.get(
        f"/v1/reports/{seeded.full[:12]}", params={"format": "json", "compare": seeded.other}
    )
    assert compared.content == build_report(
        seeded.store, seeded.full[:12], "json", compare_to=seeded.other
    )
    sweep = client.get("/v1/reports/sweep", params={"format": "json"})
    assert sweep.status_code == 200 and sweep.json()["experiment"]["best"] == "high"
    missing = client.get("/v1/reports/nothing-here")
    assert missing.status_code == 404 and "no run or experiment" in missing.json()["detail"]
    assert client.get(f"/v1/reports/{seeded.full}", params={"format": "docx"}).status_code == 422
    assert (
        client.get(f"/v1/reports/{seeded.full}", headers={"Authorization": "Bearer no"}).status_code
        == 401
    )


def test_engine_client_fetches_the_same_bytes(seeded: Seeded) -> None:
    from kitchen.engine.client import EngineClient
    from kitchen.engine.files import EngineInfo

    info = EngineInfo(host="127.0.0.1", port=1, pid=0, token=TOKEN, started_at=0.0, store="")
    engine = EngineClient(info)
    engine._http.close()
    with TestClient(engine_app(seeded), base_url="http://testserver/v1", headers=AUTH) as http:
        engine._http = http  # the real client's requests, answered in process
        body = engine.report(seeded.full, "md", compare=seeded.other, max_samples=3)
    assert body == build_report(
        seeded.store, seeded.full, "md", compare_to=seeded.other, max_samples=3
    )


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command("report")(report_command)
    app.command("noop")(lambda: None)  # two commands: typer keeps the command name
    return app


def test_cli_writes_the_file_from_the_store(
    closed_home: tuple[Path, Seeded], tmp_path: Path
) -> None:
    home, seeded = closed_home
    out = tmp_path / "out" / "r.json"
    result = CliRunner().invoke(
        _cli(), ["report", seeded.full, "--format", "json", "-o", str(out), "--home", str(home)]
    )
    assert result.exit_code == 0, result.output
    assert str(out) in result.output
    assert out.read_bytes().startswith(b"{") and seeded.full.encode() in out.read_bytes()


def test_cli_default_name_and_unknown_target(
    closed_home: tuple[Path, Seeded], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, _ = closed_home
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(_cli(), ["report", "sweep", "--format", "md", "--home", str(home)])
    assert result.exit_code == 0, result.output
    assert (
        (tmp_path / "report-sweep.md").read_text(encoding="utf-8").startswith("# Experiment sweep")
    )
    assert default_path("a/b c", "pdf").name == "report-a-b-c.pdf"
    missing = CliRunner().invoke(_cli(), ["report", "nothing-here", "--home", str(home)])
    assert missing.exit_code == 9
    assert "no run or experiment named 'nothing-here'" in missing.output
    assert "Traceback" not in missing.output
    bad = CliRunner().invoke(_cli(), ["report", "sweep", "--format", "docx", "--home", str(home)])
    assert bad.exit_code == 2 and "unknown report format" in bad.output
