"""The sandbox child's prelude: set limits, install the audit hook, run the program, report.

:mod:`kitchen.scorers.sandbox` passes this file's text to ``python -I -S -B -u -c``; Kitchen
never imports it in its own process. It reads one JSON line of settings from standard input,
lowers its resource limits, installs an audit hook (:func:`make_hook`), compiles and runs
``program.py`` from the working folder, and writes ``<nonce> <outcome>`` to the result
descriptor only if the program ran to its end, so a program that exits early (``exit(0)``,
``os._exit(0)``) does not pass. Standard library only.
"""

from __future__ import annotations

import builtins
import os
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

# Events refused outright: process creation other than fork (a new interpreter would run
# without this hook), signals to other processes, links (which could point out of the folder),
# code-object construction (hand-made bytecode can corrupt memory) and ctypes calls.
_REFUSED = frozenset(
    {
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.system",
        "os.startfile",
        "os.forkpty",
        "subprocess.Popen",
        "os.kill",
        "os.killpg",
        "os.symlink",
        "os.link",
        "code.__new__",
        "sys.addaudithook",
    }
)
# Modules that reach around the hook: foreign calls, raw process spawning, subinterpreters
# (which run without this process's audit hooks) and CPython's unsafe test helpers.
_REFUSED_IMPORTS = frozenset(
    {
        "ctypes",
        "_ctypes",
        "cffi",
        "_cffi_backend",
        "_posixsubprocess",
        "_xxsubinterpreters",
        "_xxinterpchannels",
        "_testcapi",
        "_testinternalcapi",
    }
)
# Events whose first argument is a path the program changes: it must lie in the folder.
_CHANGES_PATH = frozenset(
    {
        "os.remove",
        "os.rmdir",
        "os.mkdir",
        "os.chmod",
        "os.chown",
        "os.utime",
        "os.truncate",
        "os.setxattr",
        "os.removexattr",
        "os.chflags",
        "os.lchflags",
        "shutil.rmtree",
        "shutil.chown",
    }
)
# Where those events (and os.rename) carry a dir_fd argument, which would resolve a relative
# path against a folder the hook cannot see.
_DIR_FD_AT = {
    "os.remove": (1,),
    "os.rmdir": (1,),
    "os.mkdir": (2,),
    "os.chmod": (2,),
    "os.chown": (3,),
    "os.utime": (3,),
    "shutil.rmtree": (1,),
    "os.rename": (2, 3),
}
# Events whose first argument is a path the program reads: it must lie outside protected roots.
_READS_PATH = frozenset(
    {"os.listdir", "os.scandir", "os.walk", "os.fwalk", "glob.glob", "os.chdir"}
)
_WRITE_MODE = frozenset("wax+")


def make_hook(
    workdir: str, protected: tuple[str, ...], max_forks: int
) -> Callable[[str, tuple[Any, ...]], None]:
    """An audit hook confining file changes to ``workdir`` and reads away from ``protected``.

    Forks draw on a budget of ``max_forks`` tokens in a pipe shared by every descendant (its
    write end closed), so the total number of forks is bounded even where ``RLIMIT_NPROC`` is
    not enforced (the root user). Tokens are not returned when a process ends.
    """
    budget, filler = os.pipe()
    os.write(filler, b"f" * max(0, min(max_forks, 65_536)))
    os.close(filler)
    os.set_blocking(budget, False)
    identity = os.fstat(budget)
    fstat, read = os.fstat, os.read
    realpath, join, getcwd, isdir = os.path.realpath, os.path.join, os.getcwd, os.path.isdir
    fsdecode, sep, devnull = os.fsdecode, os.sep, os.devnull
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    state = threading.local()

    def refuse(event: str, detail: object) -> None:
        raise PermissionError(f"sandbox: {event} refused ({detail})")

    def resolve(path: Any) -> str:
        return realpath(join(getcwd(), fsdecode(path)))

    def within(path: str, root: str) -> bool:
        return path == root or path.startswith(root.rstrip(sep) + sep)

    def check_read(event: str, path: str) -> None:
        if any(within(path, root) for root in protected):
            refuse(event, f"{path} is protected")

    def check_change(event: str, path: str) -> None:
        if not within(path, workdir):
            refuse(event, f"{path} is outside the sandbox folder")
        check_read(event, path)

    def take_fork_token() -> None:
        try:
            now = fstat(budget)  # the program may have closed or replaced the descriptor
            if (now.st_dev, now.st_ino) != (identity.st_dev, identity.st_ino) or not read(
                budget, 1
            ):
                raise OSError
        except OSError:
            refuse("os.fork", f"the budget of {max_forks} processes is spent")

    def check(event: str, args: tuple[Any, ...]) -> None:
        if event == "os.fork":
            take_fork_token()
        elif event in _REFUSED or event.startswith(("socket.", "ctypes.")):
            refuse(event, "not allowed in the sandbox")
        elif event == "import":
            if str(args[0]).partition(".")[0] in _REFUSED_IMPORTS:
                refuse(event, args[0])
        elif event == "open":
            target, mode, flags = args[0], args[1], args[2]
            if isinstance(target, int):
                return  # an already open descriptor
            path = resolve(target)
            writes = bool(_WRITE_MODE & set(mode or "")) or bool((flags or 0) & write_flags)
            if writes and path != devnull:
                check_change(event, path)
            check_read(event, path)
            if not within(path, workdir) and isdir(path):
                # A descriptor on an outside folder would let dir_fd= calls escape.
                refuse(event, f"opening the folder {path}")
        elif event in _CHANGES_PATH or event == "os.rename":
            paths = args[:2] if event == "os.rename" else args[:1]
            dir_fds = [args[i] for i in _DIR_FD_AT.get(event, ()) if i < len(args)]
            if any(fd is not None and fd != -1 for fd in dir_fds):
                refuse(event, "dir_fd= is not allowed")
            for target in paths:
                if isinstance(target, int):
                    if event != "os.truncate":  # fchmod & co. work on read-only descriptors
                        refuse(event, "changing a file by descriptor")
                    continue
                check_change(event, resolve(target))
        elif event in _READS_PATH and args and isinstance(args[0], str | bytes | os.PathLike):
            check_read(event, resolve(args[0]))

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if getattr(state, "busy", False):
            return  # an event raised by this hook's own checks
        state.busy = True
        try:
            check(event, args)
        finally:
            state.busy = False

    return hook


def main() -> None:
    """Run the sandboxed program (see the module docstring)."""
    import json
    import resource

    config = json.loads(sys.stdin.readline())
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    for name, value in config["limits"].items():
        limit = getattr(resource, name)
        _soft, hard = resource.getrlimit(limit)
        new_hard = value[1] if hard == resource.RLIM_INFINITY else min(hard, value[1])
        resource.setrlimit(limit, (min(value[0], new_hard), new_hard))
    workdir = os.path.realpath(config["workdir"])
    protected = tuple(os.path.realpath(p) for p in config["protected"])
    result_fd, nonce = int(config["result_fd"]), str(config["nonce"])
    max_forks = int(config["max_forks"])
    write, exit_now = os.write, os._exit  # kept before the program can replace them
    leader = os.getpid()
    assertion_error = AssertionError
    with open(join_program(workdir, config["program"]), encoding="utf-8") as file:
        source = file.read()
    del config
    outcome = "error"
    try:
        code = compile(source, "program.py", "exec")
        sys.addaudithook(make_hook(workdir, protected, max_forks))
        exec(code, {"__name__": "__main__", "__builtins__": builtins})
        outcome = "passed"
    except assertion_error:
        outcome = "failed"
        _print_exception()
    except SystemExit as stop:
        sys.stderr.write(f"sandbox: the program exited (code {stop.code!r}) before finishing\n")
    except BaseException:
        _print_exception()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        pass
    try:
        if os.getpid() == leader:  # a forked child reaching the end reports nothing
            write(result_fd, f"{nonce} {outcome}\n".encode())
    finally:
        exit_now(0)


def join_program(workdir: str, name: str) -> str:
    """The program's path in the working folder."""
    return os.path.join(workdir, name)


def _print_exception() -> None:
    try:
        traceback.print_exc()
    except BaseException:
        sys.stderr.write("sandbox: the program raised an exception that could not be printed\n")


if __name__ == "__main__":
    main()
