"""What the machine is doing: CPU, memory and GPUs, for the engine's status route.

GPUs are read with ``nvidia-smi`` rather than torch or NVML bindings, so the engine stays free
of heavy imports; the answer is cached for a couple of seconds because the TUI polls it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass

import psutil

GPU_CACHE_S = 2.0
_QUERY = "index,name,memory.used,memory.total,utilization.gpu"
_MIB = 1024 * 1024


@dataclass(frozen=True)
class Gpu:
    """One GPU's memory and utilisation."""

    index: int
    name: str
    memory_used_bytes: int
    memory_total_bytes: int
    utilization_percent: float | None


@dataclass(frozen=True)
class MachineLoad:
    """CPU, memory and GPUs now."""

    cpu_percent: float
    memory_used_bytes: int
    memory_total_bytes: int
    process_rss_bytes: int
    gpus: tuple[Gpu, ...]


_lock = threading.Lock()
_gpus: tuple[float, tuple[Gpu, ...]] = (0.0, ())


def machine_load() -> MachineLoad:
    """The machine's load; CPU percent is since the previous call (0.0 on the first)."""
    memory = psutil.virtual_memory()
    return MachineLoad(
        cpu_percent=float(psutil.cpu_percent(interval=None)),
        memory_used_bytes=int(memory.total - memory.available),
        memory_total_bytes=int(memory.total),
        process_rss_bytes=int(psutil.Process(os.getpid()).memory_info().rss),
        gpus=gpus(),
    )


def gpus() -> tuple[Gpu, ...]:
    """The GPUs ``nvidia-smi`` reports; none when it is absent or fails."""
    global _gpus
    with _lock:
        stamp, cached = _gpus
        if time.monotonic() - stamp < GPU_CACHE_S:
            return cached
        found = _query_gpus()
        _gpus = (time.monotonic(), found)
        return found


def _query_gpus() -> tuple[Gpu, ...]:
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return ()
    try:
        out = subprocess.run(
            [exe, f"--query-gpu={_QUERY}", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    return tuple(gpu for line in out.splitlines() if (gpu := parse_gpu_line(line)) is not None)


def parse_gpu_line(line: str) -> Gpu | None:
    """One CSV line of ``nvidia-smi --query-gpu`` (``index, name, used MiB, total MiB, util``)."""
    parts = [p.strip() for p in line.split(",")]
    if len(parts) != 5:
        return None
    try:
        util = float(parts[4])
    except ValueError:  # "[N/A]" on some devices
        util = None
    try:
        return Gpu(
            int(parts[0]), parts[1], int(float(parts[2]) * _MIB), int(float(parts[3]) * _MIB), util
        )
    except ValueError:
        return None
