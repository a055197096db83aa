"""The engine file: where a running engine listens, its pid and its token.

``<home>/engine.json`` is written atomically with mode 0600 (the token grants full access to
the store) and removed when the engine exits. A file whose pid is dead was left by a crash
(kill -9, power loss); readers treat it as absent and remove it.
"""

from __future__ import annotations

import ipaddress
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

ENGINE_FILENAME = "engine.json"


@dataclass(frozen=True, slots=True)
class EngineInfo:
    """How to reach a running engine.

    Attributes:
        host: The address it listens on.
        port: Its TCP port.
        pid: Its process id.
        token: The bearer token every request must carry.
        started_at: When it started (Unix time).
        store: The DuckDB file it owns.
    """

    host: str
    port: int
    pid: int
    token: str
    started_at: float
    store: str

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:8765``."""
        # A wildcard bind (0.0.0.0, ::) is reached locally through loopback.
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    @property
    def address(self) -> str:
        """``host:port`` for messages."""
        return f"{self.host}:{self.port}"


def engine_file(home: Path) -> Path:
    """The engine file of ``home``."""
    return home / ENGINE_FILENAME


def write_engine(home: Path, info: EngineInfo) -> Path:
    """Write the engine file atomically, readable by its owner only."""
    home.mkdir(parents=True, exist_ok=True)
    target = engine_file(home)
    # mkstemp creates the file 0600, so the token is never readable by others, not even briefly.
    fd, tmp = tempfile.mkstemp(dir=home, prefix=".engine-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(asdict(info), handle)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def read_engine(home: Path) -> EngineInfo | None:
    """The engine serving ``home``, or None; a stale or unreadable file is removed."""
    path = engine_file(home)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        info = EngineInfo(
            host=str(data["host"]),
            port=int(data["port"]),
            pid=int(data["pid"]),
            token=str(data["token"]),
            started_at=float(data["started_at"]),
            store=str(data["store"]),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        path.unlink(missing_ok=True)
        return None
    if not pid_alive(info.pid):
        path.unlink(missing_ok=True)
        return None
    return info


def remove_engine(home: Path, pid: int) -> None:
    """Remove the engine file if it belongs to ``pid`` (a newer engine may have replaced it)."""
    path = engine_file(home)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(data, dict) and data.get("pid") == pid:
        path.unlink(missing_ok=True)


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    # A killed child its parent has not reaped yet still answers kill(0); it is dead all the same.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
