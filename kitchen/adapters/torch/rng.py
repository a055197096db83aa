"""Private random streams for a session or a sampler.

Torch keeps one global generator per device. A session that trained straight on it would see its
dropout masks shift whenever anything else in the process drew a random number (a data shuffle,
a sampler, a second session), and resuming would need the whole process's history. So each
session owns its streams and swaps them in only while its own work runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

__all__ = ["RngStreams"]


class RngStreams:
    """The CPU (and, on CUDA, the device) generator states of one session or sampler."""

    def __init__(self, seed: int, device: torch.device) -> None:
        """Seed fresh streams without touching the global generators.

        Args:
            seed: The seed both streams start from.
            device: The device the work runs on; only CUDA gets a second stream.
        """
        self._cuda = device if device.type == "cuda" else None
        self.cpu = torch.Generator().manual_seed(seed).get_state()
        self.cuda: torch.Tensor | None = None
        if self._cuda is not None:
            self.cuda = torch.Generator(device=self._cuda).manual_seed(seed).get_state()

    @contextmanager
    def scope(self) -> Iterator[None]:
        """Run the block on these streams, then put the global generators back as they were."""
        devices = [self._cuda] if self._cuda is not None else []
        with torch.random.fork_rng(devices=devices):
            torch.set_rng_state(self.cpu)
            if self._cuda is not None and self.cuda is not None:
                torch.cuda.set_rng_state(self.cuda, self._cuda)
            try:
                yield
            finally:
                self.cpu = torch.get_rng_state()
                if self._cuda is not None:
                    self.cuda = torch.cuda.get_rng_state(self._cuda)

    def to_tensors(self) -> dict[str, torch.Tensor]:
        """The states as uint8 tensors, ready for safetensors."""
        tensors = {"rng.cpu": self.cpu.clone()}
        if self.cuda is not None:
            tensors["rng.cuda"] = self.cuda.cpu().clone()
        return tensors

    def load_tensors(self, tensors: dict[str, torch.Tensor]) -> None:
        """Restore states written by :meth:`to_tensors`.

        A CUDA state saved on a GPU machine is ignored on a CPU one (and vice versa the CUDA stream
        keeps its seed), since the streams then drive different kernels anyway.
        """
        self.cpu = tensors["rng.cpu"].to(torch.uint8).clone()
        if self._cuda is not None and "rng.cuda" in tensors:
            self.cuda = tensors["rng.cuda"].to(torch.uint8).clone()
