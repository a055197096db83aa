"""Helpers the benchmark scripts share: offline setup, machine facts, load checks, results.

Importing this module imports nothing heavy (no torch): scripts call :func:`offline_env` before
they import any Hugging Face library, and :func:`machine_info` imports torch only when asked.
"""

from __future__ import annotations

import contextlib
import os
import platform
import shlex
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
"""The repository root (benchmarks/ lives directly under it)."""

WORK = ROOT / "benchmarks" / ".work"
"""Scratch space for benchmark runs (git-ignored)."""

RESULTS = ROOT / "benchmarks" / "RESULTS.md"
"""Where dated result sections are appended."""


def use_repo_packages() -> None:
    """Make ``kitchen`` and ``store`` importable as the repository's packages.

    A script run as ``python benchmarks/x.py`` starts with ``benchmarks/`` on ``sys.path``.
    """
    root = str(ROOT)
    if root not in sys.path:
        sys.path.insert(0, root)


def offline_env() -> None:
    """Keep Hugging Face libraries offline and inside the repository, unless told otherwise."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    os.environ.setdefault("HF_HOME", str(ROOT / ".hf_home"))
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")


def cpu_model() -> str:
    """The CPU's marketing name (Linux ``/proc/cpuinfo``; ``platform.processor()`` elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info(*, with_torch: bool = True) -> dict[str, str]:
    """Facts that make a benchmark number reproducible: cores, CPU, Python, torch."""
    info = {
        "nproc": str(os.cpu_count() or "?"),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }
    if with_torch:
        import torch

        info["torch"] = torch.__version__
        info["torch_threads"] = str(torch.get_num_threads())
    return info


def load_1min() -> float:
    """The 1-minute load average, as ``uptime`` shows it (NaN where the OS has none)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return float("nan")


def wait_for_quiet(max_load: float, *, retries: int, sleep_s: float = 60.0) -> tuple[float, int]:
    """Wait until the 1-minute load is at most ``max_load``, checking up to ``retries`` more times.

    Other people's test runs on a shared machine distort throughput numbers; waiting a little
    is cheaper than publishing noise. Gives up (and says so through the return value) rather
    than waiting forever.

    Returns:
        The load seen last and how many times it slept.
    """
    load = load_1min()
    waited = 0
    while load > max_load and waited < retries:
        print(
            f"1-minute load is {load:.2f} (> {max_load:.2f}); waiting {sleep_s:.0f} s "
            f"({waited + 1}/{retries})",
            flush=True,
        )
        time.sleep(sleep_s)
        waited += 1
        load = load_1min()
    return load, waited


def median(values: Sequence[float]) -> float:
    """The median (NaN for no values)."""
    return statistics.median(values) if values else float("nan")


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured markdown table; the first column is left-aligned, the rest right."""
    align = [":---"] + ["---:"] * (len(headers) - 1)
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def command_line() -> str:
    """How this process was started, ready to paste into a shell."""
    argv = [sys.argv[0], *sys.argv[1:]]
    with contextlib.suppress(ValueError):
        argv[0] = str(Path(argv[0]).resolve().relative_to(ROOT))
    return ".venv/bin/python " + " ".join(shlex.quote(a) for a in argv)


def append_section(path: Path, title: str, body: str) -> None:
    """Append ``## <title> — <date>`` and ``body`` to ``path`` (created with a heading if new)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    new = not path.exists() or path.stat().st_size == 0
    with path.open("a", encoding="utf-8") as out:
        if new:
            out.write("# Benchmark results\n\nAppended by the scripts in `benchmarks/`.\n")
        out.write(f"\n## {title} — {stamp}\n\n{body.rstrip()}\n")
