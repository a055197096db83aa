"""``kitchen dashboard``: start (or find) the engine serving a home, then serve the Streamlit
dashboard on loopback, reading through that engine."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

APP = Path(__file__).with_name("app.py")


def streamlit_command(port: int) -> list[str]:
    """The ``streamlit run`` command line of the dashboard on ``127.0.0.1:port``.

    Always headless: otherwise a first run asks for an e-mail address on the terminal (and
    dies when there is none, under nohup or a service) and Streamlit opens a browser itself;
    :func:`open_browser` does that here, only where there is a screen to open it on.
    """
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
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]


def browser_hint(port: int, environ: Mapping[str, str]) -> str | None:
    """Why no browser tab will open (an SSH session, no display), with what to do instead."""
    if environ.get("SSH_CONNECTION") or environ.get("SSH_TTY"):
        return (
            f"over SSH: forward the port from your machine with "
            f"`ssh -L {port}:127.0.0.1:{port} <this host>` and open http://127.0.0.1:{port}"
        )
    if sys.platform.startswith("linux") and not (
        environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")
    ):
        return f"no display here: open http://127.0.0.1:{port} in a browser that can reach it"
    return None


def open_browser(url: str, timeout_s: float = 30.0) -> None:
    """Open ``url`` in a browser tab once the server answers (in a daemon thread)."""
    import threading
    import urllib.request
    import webbrowser

    def wait_then_open() -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                    webbrowser.open(url, new=2)
                    return
            except OSError:
                time.sleep(0.25)

    threading.Thread(target=wait_then_open, name="open-browser", daemon=True).start()


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
    url = f"http://127.0.0.1:{port}"
    typer.echo(f"Kitchen dashboard on {url} (engine {info.pid} at {info.url})")
    # The page process finds the engine through the home's engine file, as every UI does.
    env = {**os.environ, "KITCHEN_HOME": str(root)}
    process = subprocess.Popen(streamlit_command(port), env=env)
    if not no_browser:
        hint = browser_hint(port, os.environ)
        if hint is None:
            open_browser(url)
        else:
            typer.echo(hint)
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
