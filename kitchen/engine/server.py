"""Run the engine: in this process (``serve``), or detached in the background.

The engine opens the store read-write and keeps it open, so it is the only process that can
touch the file; the engine file tells everyone else where to ask instead. The file is written
only after the socket is bound and listening (connections queue until uvicorn accepts them), and
removed on exit; a crash leaves it behind with a dead pid, which readers discard.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from kitchen.engine.files import (
    EngineInfo,
    engine_file,
    is_loopback,
    pid_alive,
    read_engine,
    remove_engine,
    write_engine,
)
from kitchen.engine.scheduler import DEFAULT_GRACE_S
from kitchen.errors import KitchenError, StoreAccessError
from kitchen.home import kitchen_home

if TYPE_CHECKING:
    import uvicorn

    from kitchen.engine.app import EngineState

LOG_FILENAME = "engine.log"
IDLE_ENV = "KITCHEN_ENGINE_IDLE"
DEFAULT_AUTO_IDLE_S = 300.0
RACE_WAIT_S = 5.0  # how long ensure_engine waits for a concurrently started engine's file


def _refuse_if_running(home: Path) -> None:
    running = read_engine(home)
    if running is not None:
        raise KitchenError(
            f"an engine (pid {running.pid}) already serves {home} on {running.address}; "
            "use it, or stop it with `kitchen engine stop`",
            title="Engine already running",
        )


def _check_host(host: str, allow_remote: bool) -> None:
    if is_loopback(host):
        return
    if not allow_remote:
        raise KitchenError(
            f"refusing to listen on {host}: the engine serves loopback only unless you pass "
            "--allow-remote (anyone who can reach the port and read the token gets the store)",
            title="Remote bind refused",
        )
    print(
        f"WARNING: the engine listens on {host}, reachable from other machines; "
        "its token is the only protection",
        file=sys.stderr,
    )


def serve(
    home: Path | str | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    idle_timeout: float | None = None,
    allow_remote: bool = False,
    slots: int = 1,
    grace_s: float = DEFAULT_GRACE_S,
) -> None:
    """Serve the store of ``home`` until stopped (SIGTERM, ``/v1/shutdown``, idle time).

    Runs submitted to it execute in worker processes, ``slots`` at a time; a cancelled worker
    is killed after ``grace_s`` seconds. Stopping cancels the running workers gracefully first,
    while the server still takes their last events.

    Raises:
        KitchenError: another engine serves ``home``, or a remote bind without ``allow_remote``.
        StoreAccessError: another process holds the store.
    """
    import uvicorn

    from kitchen.engine.app import create_app
    from kitchen.engine.scheduler import Scheduler
    from store import StoreError, StoreLockedError, open_store

    root = kitchen_home(home)
    _check_host(host, allow_remote)
    _refuse_if_running(root)
    try:
        store = open_store(root)
    except StoreLockedError as error:
        raise StoreAccessError(f"{error}; the engine needs the store to itself") from None
    except StoreError as error:
        raise StoreAccessError(f"cannot open the store in {root}: {error}") from None
    try:
        # This process now holds the write lock, so a run still marked running lost its process.
        for run_id in store.interrupt_running():
            store.log(run_id, "warning", "the process running this run died; marked interrupted")
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit this: without it a keep-alive client waits ~40 ms per
        # response (Nagle holds the body until the client's delayed ACK of the headers).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(128)
        token = secrets.token_urlsafe(32)
        info = EngineInfo(
            host, sock.getsockname()[1], os.getpid(), token, time.time(), str(store.path)
        )
        stopping = threading.Event()
        scheduler: Scheduler | None = None
        server: uvicorn.Server | None = None

        def stop_server() -> None:
            # Workers report their end through the server, so stop them before it closes.
            if stopping.is_set():
                return
            stopping.set()

            def drain() -> None:
                if scheduler is not None:
                    scheduler.stop()
                if server is not None:
                    server.should_exit = True

            threading.Thread(target=drain, name="engine-stop", daemon=True).start()

        app = create_app(store, token, on_shutdown=stop_server)
        state: EngineState = app.state.engine
        scheduler = Scheduler(state, root, info.url, token, slots=slots, grace_s=grace_s)
        state.scheduler = scheduler
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=1
        )
        server = _graceful_server(config, stop_server)
        write_engine(root, info)
        print(f"Kitchen engine {info.pid} serves {store.path} on {info.url}", file=sys.stderr)
        restored = scheduler.restore()
        if restored:
            print(f"queued again: {len(restored)} run(s) left queued", file=sys.stderr)
        scheduler.start()
        if idle_timeout is not None:
            _watch_idle(state, server, idle_timeout)
        server.run(sockets=[sock])
    finally:
        remove_engine(root, os.getpid())
        if scheduler is not None:
            scheduler.stop(timeout_s=1.0)  # normally a no-op: drain() has stopped the workers
        store.close()


def _server_class() -> type[uvicorn.Server]:
    import uvicorn

    class GracefulServer(uvicorn.Server):
        """A uvicorn server whose SIGINT/SIGTERM first stops the runs, then the server."""

        def __init__(self, config: uvicorn.Config, begin_stop: Callable[[], None]) -> None:
            super().__init__(config)
            self._begin_stop = begin_stop

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            if self.should_exit or not self._begin_stop_once():
                super().handle_exit(sig, frame)  # a second signal: stop now

        def _begin_stop_once(self) -> bool:
            if getattr(self, "_stop_begun", False):
                return False
            self._stop_begun = True
            self._begin_stop()
            return True

    return GracefulServer


def _graceful_server(config: uvicorn.Config, begin_stop: Callable[[], None]) -> uvicorn.Server:
    server_class: Any = _server_class()
    server: uvicorn.Server = server_class(config, begin_stop)
    return server


def _watch_idle(state: EngineState, server: uvicorn.Server, idle_timeout: float) -> None:
    # A thread, not a task: it must fire even if a handler blocks the event loop.
    def watch() -> None:
        while not server.should_exit:
            time.sleep(min(0.2, idle_timeout / 4))
            if state.idle_for() >= idle_timeout:
                print(f"engine idle for {idle_timeout:g}s; exiting", file=sys.stderr)
                server.should_exit = True

    threading.Thread(target=watch, name="engine-idle", daemon=True).start()


def start_background(
    home: Path | str | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    idle_timeout: float | None = None,
    allow_remote: bool = False,
    slots: int = 1,
    grace_s: float = DEFAULT_GRACE_S,
    timeout_s: float = 30.0,
) -> EngineInfo:
    """Start a detached engine for ``home`` and wait until it answers.

    Raises:
        KitchenError: one already serves ``home``, or the new one failed to start.
        StoreAccessError: the new one could not open the store: another process holds it.
    """
    import httpx

    root = kitchen_home(home)
    _check_host(host, allow_remote)
    _refuse_if_running(root)
    root.mkdir(parents=True, exist_ok=True)
    args = [sys.executable, "-m", "kitchen.engine.server", "--home", str(root)]
    args += ["--host", host, "--port", str(port)]
    if idle_timeout is not None:
        args += ["--idle-timeout", str(idle_timeout)]
    if allow_remote:
        args.append("--allow-remote")
    args += ["--slots", str(slots), "--grace", str(grace_s)]
    log_path = root / LOG_FILENAME
    with open(log_path, "ab") as log:
        # A new session: the engine outlives this shell and ignores its Ctrl-C.
        proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
        )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log_path.read_text(errors="replace").strip().splitlines()[-3:]
            message = f"the engine exited at start (code {proc.returncode}): {' | '.join(tail)}"
            if proc.returncode == StoreAccessError.exit_code:
                raise StoreAccessError(message)  # another process holds the store
            raise KitchenError(message, title="Engine failed to start")
        info = read_engine(root)
        if info is not None and info.pid == proc.pid:
            try:
                headers = {"Authorization": f"Bearer {info.token}"}
                if httpx.get(f"{info.url}/v1/health", headers=headers, timeout=2).is_success:
                    return info
            except httpx.HTTPError:
                pass
        time.sleep(0.02)
    proc.kill()
    raise KitchenError(f"the engine did not answer within {timeout_s:g}s; see {log_path}")


def auto_idle_timeout() -> float:
    """The idle time of an auto-started engine: ``$KITCHEN_ENGINE_IDLE`` seconds, else 300.

    Raises:
        KitchenError: the variable is set but is not a positive number.
    """
    raw = os.environ.get(IDLE_ENV, "").strip()
    if not raw:
        return DEFAULT_AUTO_IDLE_S
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise KitchenError(
            f"{IDLE_ENV}={raw!r}: expected a positive number of seconds",
            title="Invalid engine setting",
        )
    return value


def ensure_engine(
    home: Path | str | None = None,
    *,
    idle_timeout: float | None = None,
    timeout_s: float = 30.0,
) -> EngineInfo:
    """The engine serving ``home``; one is started in the background when none does.

    An engine started here exits by itself after ``idle_timeout`` seconds (default
    :func:`auto_idle_timeout`) with no queued or running runs and no clients. When two
    processes race to start one, the loser uses the winner's.

    Raises:
        KitchenError: no engine serves ``home`` and a new one failed to start.
        StoreAccessError: another process (not an engine) holds the store.
    """
    root = kitchen_home(home)
    running = read_engine(root)
    if running is not None:
        return running
    idle = auto_idle_timeout() if idle_timeout is None else idle_timeout
    try:
        return start_background(root, idle_timeout=idle, timeout_s=timeout_s)
    except KitchenError as error:
        # Another process may have started one between our look and our start (then ours
        # found it, or could not take the store it holds): use that one once it answers.
        held = isinstance(error, StoreAccessError)
        if not held and "already" not in error.message:
            raise
        deadline = time.monotonic() + RACE_WAIT_S
        while time.monotonic() < deadline:
            running = read_engine(root)
            if running is not None:
                return running
            time.sleep(0.05)
        if held:
            raise StoreAccessError(
                f"cannot start an engine for {root}: another process holds its store "
                "(an embedded `kitchen run`, or a script); wait for it or stop it"
            ) from None
        raise


def stop(home: Path | str | None = None, *, timeout_s: float = 10.0) -> EngineInfo | None:
    """Stop the engine serving ``home``; returns the one stopped, or None when none ran."""
    import httpx

    root = kitchen_home(home)
    info = read_engine(root)
    if info is None:
        return None
    try:
        headers = {"Authorization": f"Bearer {info.token}"}
        httpx.post(f"{info.url}/v1/shutdown", headers=headers, timeout=2)
    except httpx.HTTPError:
        pass  # not answering: the signals below still work
    for sig in (None, signal.SIGTERM, signal.SIGKILL):
        if sig is not None:
            try:
                os.kill(info.pid, sig)
            except ProcessLookupError:
                break
        deadline = time.monotonic() + timeout_s / 2
        while time.monotonic() < deadline and pid_alive(info.pid):
            time.sleep(0.02)
        if not pid_alive(info.pid):
            break
    remove_engine(root, info.pid)
    return info


def main(argv: list[str] | None = None) -> int:
    """``python -m kitchen.engine.server``: what ``start_background`` runs."""
    parser = argparse.ArgumentParser(prog="kitchen-engine")
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--idle-timeout", type=float, default=None)
    parser.add_argument("--allow-remote", action="store_true")
    parser.add_argument("--slots", type=int, default=1)
    parser.add_argument("--grace", type=float, default=DEFAULT_GRACE_S)
    ns = parser.parse_args(argv)
    try:
        serve(
            ns.home,
            host=ns.host,
            port=ns.port,
            idle_timeout=ns.idle_timeout,
            allow_remote=ns.allow_remote,
            slots=ns.slots,
            grace_s=ns.grace,
        )
    except KitchenError as error:
        print(f"{error.title}: {error.message}", file=sys.stderr)
        return error.exit_code
    return 0


__all__ = [
    "auto_idle_timeout",
    "engine_file",
    "ensure_engine",
    "main",
    "serve",
    "start_background",
    "stop",
]

if __name__ == "__main__":
    sys.exit(main())
