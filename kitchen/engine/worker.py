"""``python -m kitchen.engine.worker RUN_ID``: execute one queued run for the engine.

The engine passes its address, token and the job in environment variables (never argv). The
run goes through the same :func:`kitchen.launch.run` as an embedded one, with an
:class:`~kitchen.engine.recording.EngineRecording`. SIGINT sets the run's CancelToken, so it
stops at the next stage boundary and ends ``cancelled``; the engine kills a worker that
ignores it past the grace period. SIGUSR1 asks for a pause: a checkpoint at the next loop
boundary, then the run ends ``paused`` and the process exits (freeing its GPU memory).

A worker whose engine is gone (no answer for :data:`ENGINE_LOST_S` seconds, e.g. the engine was
killed) exits at once and records nothing: the next engine to open the store marks the run
``interrupted`` at its last checkpoint, and it can be resumed there.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from typing import Any

from kitchen.context import CancelToken
from kitchen.engine.files import EngineInfo
from kitchen.engine.scheduler import ENV_JOB, ENV_TOKEN, ENV_URL
from kitchen.errors import KitchenError
from kitchen.home import kitchen_home

ENGINE_LOST_S = 3.0
ENGINE_LOST_EXIT = 75  # EX_TEMPFAIL
_PING_S = 0.5


def _watch_engine(info: EngineInfo, lost_after_s: float = ENGINE_LOST_S) -> None:
    """Exit this process when the engine has not answered for ``lost_after_s`` seconds."""
    import threading

    import httpx

    from kitchen.engine.client import EngineClient

    def watch() -> None:
        last_ok = time.monotonic()
        with EngineClient(info, timeout=httpx.Timeout(2.0)) as client:
            while True:
                time.sleep(_PING_S)
                try:
                    client.health()
                    last_ok = time.monotonic()
                except Exception:
                    if time.monotonic() - last_ok >= lost_after_s:
                        print(
                            f"the engine has not answered for {lost_after_s:g}s; exiting",
                            file=sys.stderr,
                            flush=True,
                        )
                        os._exit(ENGINE_LOST_EXIT)

    threading.Thread(target=watch, name="engine-watch", daemon=True).start()


def _client_info() -> EngineInfo:
    from urllib.parse import urlsplit

    url = urlsplit(os.environ[ENV_URL])
    return EngineInfo(
        url.hostname or "127.0.0.1", url.port or 80, 0, os.environ[ENV_TOKEN], time.time(), ""
    )


def main(argv: list[str] | None = None) -> int:
    """Run the job; the exit code is 0 once the run's end is recorded, whatever that end."""
    from kitchen.engine.client import EngineClient
    from kitchen.engine.recording import EngineRecording
    from kitchen.launch import run

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or ENV_URL not in os.environ or ENV_TOKEN not in os.environ:
        print("usage: KITCHEN_ENGINE_URL=… KITCHEN_ENGINE_TOKEN=… worker RUN_ID", file=sys.stderr)
        return 2
    run_id = args[0]
    job: dict[str, Any] = json.loads(os.environ.get(ENV_JOB, "{}"))
    cancel = CancelToken()

    def on_interrupt(signum: int, frame: Any) -> None:
        cancel.cancel("cancelled through the engine")

    def on_pause(signum: int, frame: Any) -> None:
        cancel.pause("paused through the engine")

    signal.signal(signal.SIGINT, on_interrupt)
    signal.signal(signal.SIGUSR1, on_pause)
    home = kitchen_home(None)
    _watch_engine(_client_info())
    with EngineClient(_client_info()) as client:
        recording = EngineRecording(client, run_id, home)
        try:
            outcome = run(
                None if job.get("resume") else job.get("recipe"),
                config=job.get("config"),
                resume=run_id if job.get("resume") else None,
                home=home,
                cancel=cancel,
                recording=recording,
            )
        except KitchenError as error:
            # Before the run started (e.g. nothing to resume): the engine records the exit.
            print(f"{type(error).__name__}: {error.message}", file=sys.stderr)
            return error.exit_code
        finally:
            recording.close()
    print(f"run {run_id} {outcome.status}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
