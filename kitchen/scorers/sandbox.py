"""Run untrusted Python (model-written code) in a limited subprocess.

What is contained, on Linux (each run reports the layers it used in ``isolation``):

- ``rlimits``: CPU seconds (``RLIMIT_CPU``), address space (``RLIMIT_AS``, so a 2 GB allocation
  fails), processes (``RLIMIT_NPROC``, so a fork bomb stops at ``max_processes``), file size
  (``RLIMIT_FSIZE``, which also bounds captured output), open files (``RLIMIT_NOFILE``), no
  core dumps.
- ``session``: the child leads a new session; on timeout, and after every run, its whole
  process group is killed.
- ``netns`` / ``pidns``: when ``unshare --user --map-root-user --net`` works unprivileged (probed
  once), the child has its own network namespace holding only a down loopback device (no
  network at all), and, with ``--pid --fork --kill-child``, its own PID namespace, so every
  process it starts (even one that left its session) dies with it.
- ``audit-hook``: before the program runs, an audit hook (``kitchen/scorers/_guard.py``)
  refuses: sockets; writing, deleting, renaming or changing files outside the fresh temporary
  folder (its working folder, deleted afterwards); reading or listing ``protected`` roots (by
  default the Kitchen home and the user's home folder); links; ``dir_fd=`` tricks; starting
  programs (``exec``, ``posix_spawn``, ``subprocess``, ``os.system``; ``fork`` is allowed, under
  ``RLIMIT_NPROC``); signals to other processes; importing ``ctypes``, ``cffi``,
  ``_posixsubprocess``, subinterpreters and CPython's test helpers; building code objects.
- ``env``: the environment is emptied (only ``PATH`` and a UTF-8 locale; no ``HOME``, no
  ``KITCHEN_HOME``, no proxies, no tokens); Python runs isolated (``-I -S -B``: no user site,
  no site-packages, no ``PYTHON*`` variables, no ``.pyc`` writes); stdin is empty.

What is not contained: audit hooks are a Python-level guard, not a security boundary. Code that
reaches native code (a memory-corruption bug in CPython, or an extension module not refused
here) bypasses them, and without ``netns`` a program that did so could use the network. Reads
are refused only under ``protected`` roots: the rest of the filesystem the user can read is
readable. Without ``pidns`` a process that calls ``setsid`` escapes the group kill. The pass
check (a per-run token written after the program ends) defeats ``exit(0)``-style early exits,
not a program that searches its own memory for the token. Off Linux only the rlimits (where
``resource`` exists), the session and the audit hook apply. Run hostile code in a VM/container.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "SandboxResult",
    "SandboxStatus",
    "check_humaneval",
    "default_protected_roots",
    "isolation_layers",
    "run_python",
]

SandboxStatus = Literal["passed", "failed", "timeout", "error", "killed"]

_GUARD = Path(__file__).with_name("_guard.py")
_PROGRAM = "program.py"


@dataclass(frozen=True, slots=True)
class SandboxResult:
    """The outcome of one sandboxed run.

    Attributes:
        passed: Whether the program ran to its end without an exception.
        status: ``passed``; ``failed`` (an ``AssertionError``, i.e. a failed test);
            ``error`` (another exception, a syntax error, a refused operation, an early exit);
            ``timeout`` (wall-clock ``timeout_s`` ran out); ``killed`` (ended by a signal, e.g.
            the CPU or file-size limit).
        stdout: Captured standard output (truncated to ``max_output_chars``).
        stderr: Captured standard error, with the traceback when there is one.
        duration_s: Wall-clock seconds from start to the end of the process group.
        isolation: The layers used (see the module docstring).
        pid: The process id of the group leader (the process group id).
    """

    passed: bool
    status: SandboxStatus
    stdout: str
    stderr: str
    duration_s: float
    isolation: tuple[str, ...] = ()
    pid: int = 0


def default_protected_roots() -> list[Path]:
    """The Kitchen home and, unless Python or the temporary folder lives in it, the home folder."""
    from kitchen.home import kitchen_home

    roots = [kitchen_home().resolve()]
    home = Path.home().resolve()
    needed = [Path(p).resolve() for p in (sys.prefix, sys.base_prefix, tempfile.gettempdir())]
    if not any(p == home or home in p.parents for p in needed):
        roots.append(home)
    return roots


@functools.cache
def _unshare_prefix() -> tuple[tuple[str, ...], tuple[str, ...]]:
    # Probe once which namespaces an unprivileged user may create here.
    unshare = shutil.which("unshare")
    if unshare is None or not sys.platform.startswith("linux"):
        return (), ()
    base = (unshare, "--user", "--map-root-user", "--net")
    for extra, layers in (
        (("--pid", "--fork", "--kill-child"), ("netns", "pidns")),
        ((), ("netns",)),
    ):
        command = [*base, *extra, sys.executable, "-I", "-S", "-c", "pass"]
        try:
            done = subprocess.run(command, capture_output=True, timeout=20, check=False)
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            return (*base, *extra), layers
    return (), ()


def isolation_layers() -> tuple[str, ...]:
    """The layers :func:`run_python` uses on this machine."""
    base = ("rlimits", "session", "env", "audit-hook")
    return base + _unshare_prefix()[1]


def run_python(
    code: str,
    *,
    tests: str = "",
    timeout_s: float = 5.0,
    memory_mb: int = 512,
    max_processes: int = 16,
    max_file_mb: int = 16,
    max_output_chars: int = 20_000,
    protected: Sequence[str | os.PathLike[str]] | None = None,
    namespaces: bool = True,
) -> SandboxResult:
    """Run ``code`` followed by ``tests`` in a sandboxed Python subprocess.

    Args:
        code: The program (for a benchmark, the prompt and the model's completion).
        tests: Code appended after ``code``, typically asserts.
        timeout_s: Wall-clock limit; the CPU limit is its ceiling plus one second.
        memory_mb: Address-space limit of each process.
        max_processes: Processes (and threads) the program may add.
        max_file_mb: Largest file the program may write (and largest captured output).
        max_output_chars: Characters of stdout and stderr kept in the result.
        protected: Folders the program may not read (default :func:`default_protected_roots`).
        namespaces: Use network and PID namespaces when this machine allows them.
    """
    if timeout_s <= 0 or memory_mb <= 0 or max_processes < 1:
        raise ValueError("timeout_s, memory_mb and max_processes must be positive")
    roots = default_protected_roots() if protected is None else [Path(p) for p in protected]
    prefix, ns_layers = _unshare_prefix() if namespaces else ((), ())
    isolation = ("rlimits", "session", "env", "audit-hook", *ns_layers)
    workdir = Path(tempfile.mkdtemp(prefix="kitchen-sandbox-"))
    read_fd, write_fd = os.pipe()
    try:
        (workdir / _PROGRAM).write_text(f"{code}\n\n{tests}\n", encoding="utf-8")
        nonce = secrets.token_hex(16)
        settings = {
            "workdir": str(workdir),
            "program": _PROGRAM,
            "protected": [str(r) for r in roots],
            "result_fd": write_fd,
            "nonce": nonce,
            "max_forks": max_processes,
            "limits": _limits(timeout_s, memory_mb, max_processes, max_file_mb, bool(prefix)),
        }
        command = [*prefix, sys.executable, "-I", "-S", "-B", "-u", "-c", _GUARD.read_text()]
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            start = time.monotonic()
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=err,
                cwd=workdir,
                env=env,
                pass_fds=(write_fd,),
                start_new_session=True,
            )
            os.close(write_fd)
            write_fd = -1
            assert process.stdin is not None
            try:
                process.stdin.write(json.dumps(settings).encode() + b"\n")
                process.stdin.close()
            except BrokenPipeError:
                pass
            timed_out = _wait(process.pid, start + timeout_s)
            _kill_group(process.pid, patience_s=0)
            returncode = process.wait()
            _kill_group(process.pid)
            duration = time.monotonic() - start
            report = _read_report(read_fd)
            stdout, stderr = _read(out, max_output_chars), _read(err, max_output_chars)
    finally:
        os.close(read_fd)
        if write_fd != -1:
            os.close(write_fd)
        _remove(workdir)
    status = _status(timed_out, report, nonce, returncode)
    if status == "killed":
        stderr += f"\nsandbox: killed by {_signal_name(returncode)}"
    elif status == "error" and not report.startswith(nonce):
        stderr += f"\nsandbox: the program did not finish (exit status {returncode})"
    result = SandboxResult(
        status == "passed", status, stdout, stderr, duration, isolation, process.pid
    )
    return result


def check_humaneval(
    prompt: str, completion: str, test: str, entry_point: str, **limits: Any
) -> SandboxResult:
    """Check a HumanEval completion as the reference harness does.

    The program is ``prompt + completion + "\\n" + test + "\\n" + f"check({entry_point})"``
    (``human_eval/execution.py``), run by :func:`run_python` with ``limits``.
    """
    program = f"{prompt}{completion}\n{test}\ncheck({entry_point})"
    return run_python(program, **limits)


def _limits(
    timeout_s: float, memory_mb: int, max_processes: int, max_file_mb: int, userns: bool
) -> dict[str, tuple[int, int]]:
    cpu = int(timeout_s) + 1
    # In a fresh user namespace the process count is the namespace's own; otherwise it counts
    # every process of this user, so the limit is what exists now plus the allowance.
    nproc = max_processes + (3 if userns else _user_tasks())
    file_size = max_file_mb * 1024 * 1024
    return {
        "RLIMIT_CPU": (cpu, cpu + 1),
        "RLIMIT_AS": (memory_mb * 1024 * 1024,) * 2,
        "RLIMIT_NPROC": (nproc, nproc),
        "RLIMIT_FSIZE": (file_size, file_size),
        "RLIMIT_NOFILE": (256, 256),
        "RLIMIT_CORE": (0, 0),
    }


def _user_tasks() -> int:
    # Tasks (threads) of this real user, which RLIMIT_NPROC counts; best effort.
    uid, count = str(os.getuid()), 0
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            lines = (entry / "status").read_text().splitlines()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in lines if ":" in line)
        if fields.get("Uid", "").split()[:1] == [uid]:
            count += int(fields.get("Threads", "1").strip() or 1)
    return count


def _wait(pid: int, deadline: float) -> bool:
    # Wait for the leader to exit without reaping it, so its group id cannot be reused before
    # the group is killed. Returns whether the deadline passed first.
    pause = 0.002
    while True:
        try:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return False
        except ChildProcessError:
            return False
        if time.monotonic() >= deadline:
            return True
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def _kill_group(pid: int, patience_s: float = 5.0) -> None:
    # Kill until the group is empty (once the leader is reaped): a process forking while the
    # kill is delivered can leave a new member behind.
    deadline = time.monotonic() + patience_s
    while True:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            return
        if time.monotonic() >= deadline:
            return
        time.sleep(0.01)


def _read_report(fd: int) -> str:
    os.set_blocking(fd, False)
    try:
        return os.read(fd, 4096).decode(errors="replace")
    except BlockingIOError:
        return ""


def _read(file: Any, limit: int) -> str:
    file.seek(0)
    text: str = file.read(limit * 4).decode("utf-8", errors="replace")
    return text if len(text) <= limit else text[:limit] + "\n[... output truncated]"


def _status(timed_out: bool, report: str, nonce: str, returncode: int) -> SandboxStatus:
    if timed_out:
        return "timeout"
    words = report.split()
    if len(words) == 2 and words[0] == nonce and words[1] in ("passed", "failed", "error"):
        outcome: SandboxStatus = words[1]  # type: ignore[assignment]
        return outcome
    if returncode < 0 or returncode > 128:
        return "killed"
    return "error"


def _signal_name(returncode: int) -> str:
    number = -returncode if returncode < 0 else returncode - 128
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _remove(folder: Path) -> None:
    def retry(function: Callable[..., Any], path: str, _: Any) -> None:
        # The program may have made entries read-only; it cannot have changed their owner.
        os.chmod(os.path.dirname(path), 0o700)
        if os.path.isdir(path) and not os.path.islink(path):
            os.chmod(path, 0o700)
        function(path)

    shutil.rmtree(folder, onerror=retry)
