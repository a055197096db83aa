"""``kitchen dashboard``: start (or find) the engine serving a home, then serve the Streamlit
dashboard on loopback, reading through that engine."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

APP = Path(__file__).with_name("app.py")


def streamlit_command(port: int, *, browser: bool) -> list[str]:
    """The ``streamlit run`` command line of the dashboard on ``127.0.0.1:port``."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "false" if browser else "true",
        "--browser.gatherUsageStats",
        "false",
    ]


def dashboard(
    port: Annotated[int, typer.Option("--port", help="Port to serve the dashboard on")] = 8501,
    home: Annotated[
        Path | None,
        typer.Option("--home", help="Kitchen home (default $KITCHEN_HOME or ./.kitchen)"),
    ] = None,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Do not open a browser tab")
    ] = False,
) -> None:
    """The browser dashboard: runs, evaluations, drift, robustness, explanations, feedback."""
    from kitchen.engine.server import ensure_engine
    from kitchen.errors import KitchenError
    from kitchen.home import kitchen_home

    root = kitchen_home(home)
    try:
        info = ensure_engine(root)
    except KitchenError as error:
        typer.echo(f"{error.title}: {error.message}", err=True)
        raise typer.Exit(8) from None
    typer.echo(f"Kitchen dashboard on http://127.0.0.1:{port} (engine {info.pid} at {info.url})")
    # The page process finds the engine through the home's engine file, as every UI does.
    env = {**os.environ, "KITCHEN_HOME": str(root)}
    process = subprocess.Popen(streamlit_command(port, browser=not no_browser), env=env)
    # Stopped by Ctrl-C or a plain kill (SIGTERM), this command takes the page server with it:
    # Streamlit may outlive a SIGTERM, so it gets a few seconds and is then killed.
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        code = process.wait()
    except (KeyboardInterrupt, SystemExit):
        code = _stop(process)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if process.poll() is None:
            _stop(process)
    raise typer.Exit(code)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _stop(process: subprocess.Popen[bytes]) -> int:
    process.terminate()
    try:
        return process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def register(app: typer.Typer) -> None:
    """Add the ``dashboard`` command to ``app`` (the ``kitchen`` CLI)."""
    app.command("dashboard")(dashboard)


def main() -> None:
    """``python -m dashboard.cli``: the ``dashboard`` command on its own."""
    typer.run(dashboard)


if __name__ == "__main__":
    main()
