"""The sandbox runs code, and contains what it should: loops, fork bombs, sockets, files, memory."""

from __future__ import annotations

import os
import socket
import time
import uuid
from pathlib import Path

import pytest

from kitchen.scorers import check_humaneval, get_scorer, run_python
from kitchen.scorers.sandbox import isolation_layers

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the sandbox needs POSIX")

PROMPT = 'def add(a, b):\n    """Add two numbers."""\n'
TEST = "def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n"


def _gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def test_passing_and_failing_solutions() -> None:
    good = check_humaneval(PROMPT, "    return a + b\n", TEST, "add")
    assert good.passed and good.status == "passed", good.stderr
    bad = check_humaneval(PROMPT, "    return a - b\n", TEST, "add")
    assert not bad.passed and bad.status == "failed"
    assert "AssertionError" in bad.stderr
    broken = run_python("def f(:\n")
    assert broken.status == "error"
    scorer = get_scorer("humaneval", timeout_s=5)
    meta = {"prompt": PROMPT, "test": TEST, "entry_point": "add"}
    assert scorer("    return a + b\n", "", metadata=meta).value == 1.0


def test_output_and_working_folder() -> None:
    result = run_python("open('a.txt', 'w').write('hi')\nprint(open('a.txt').read())")
    assert result.passed and result.stdout.strip() == "hi"
    assert "audit-hook" in result.isolation


def test_early_exit_does_not_pass() -> None:
    for code in ("import sys; sys.exit(0)", "import os; os._exit(0)", "raise SystemExit"):
        result = run_python(code + "\nassert False")
        assert result.status == "error", code


def test_infinite_loop_times_out() -> None:
    start = time.monotonic()
    result = run_python("while True: pass", timeout_s=1.0)
    assert result.status in ("timeout", "killed")
    assert time.monotonic() - start < 1.0 + 2
    assert _gone(result.pid)


def test_fork_bomb_is_contained() -> None:
    start = time.monotonic()
    result = run_python("import os\nwhile True: os.fork()", timeout_s=3.0, max_processes=8)
    assert not result.passed
    assert time.monotonic() - start < 3.0 + 2
    assert _gone(result.pid)


def test_sockets_are_refused() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        code = f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=1)"
        result = run_python(code)
        assert result.status == "error"
        raw = run_python(f"import socket\ns = socket.socket()\ns.connect(('127.0.0.1', {port}))")
        assert raw.status == "error"
        server.settimeout(0.2)
        with pytest.raises(TimeoutError):
            server.accept()


def test_writes_outside_the_folder_are_refused(tmp_path: Path) -> None:
    name = f"/tmp/kitchen-escape-{uuid.uuid4().hex}.txt"
    for code in (
        "open('../escape.txt', 'w').write('x')",
        f"open({name!r}, 'w').write('x')",
        f"import os; os.open({name!r}, os.O_WRONLY | os.O_CREAT)",
        f"import pathlib; pathlib.Path({str(tmp_path / 'x')!r}).write_text('x')",
        f"import os; os.remove({str(tmp_path / 'keep')!r})",
        "import os; os.symlink('/', 'root')",
        "import ctypes",
        "import subprocess; subprocess.run(['true'])",
    ):
        (tmp_path / "keep").write_text("k")
        result = run_python(code)
        assert result.status == "error", code
        assert "sandbox:" in result.stderr, code
        assert (tmp_path / "keep").exists()
    assert not Path(name).exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "keep"]


def test_protected_folder_cannot_be_read(tmp_path: Path) -> None:
    home = tmp_path / "kitchen-home"
    (home / "store").mkdir(parents=True)
    (home / "store" / "secret.txt").write_text("secret")
    for code in (
        f"print(open({str(home / 'store' / 'secret.txt')!r}).read())",
        f"import os; print(os.listdir({str(home)!r}))",
    ):
        result = run_python(code, protected=[home])
        assert result.status == "error", code
        assert "secret" not in result.stdout


def test_memory_limit() -> None:
    result = run_python("x = bytearray(2 * 1024**3)", memory_mb=512)
    assert result.status in ("error", "killed")
    assert "MemoryError" in result.stderr or result.status == "killed"


def test_environment_is_empty() -> None:
    os.environ["KITCHEN_SANDBOX_PROBE"] = "1"
    try:
        result = run_python("import os\nprint(sorted(os.environ))")
    finally:
        del os.environ["KITCHEN_SANDBOX_PROBE"]
    assert "KITCHEN_SANDBOX_PROBE" not in result.stdout
    assert "HOME" not in result.stdout


def test_isolation_is_reported() -> None:
    layers = isolation_layers()
    assert {"rlimits", "session", "audit-hook"} <= set(layers)


def test_containment_without_namespaces() -> None:
    # The audit hook and the fork budget hold where unshare is unavailable too.
    bomb = run_python("import os\nwhile True: os.fork()", timeout_s=3.0, namespaces=False)
    assert not bomb.passed and _gone(bomb.pid)
    assert "netns" not in bomb.isolation
    assert run_python("import socket; socket.socket()", namespaces=False).status == "error"
