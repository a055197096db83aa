"""Fixtures for end-to-end runs: one thread for torch so timings stay sane on a busy box."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _one_torch_thread() -> Iterator[None]:
    # With other processes on the 2 cores, torch's 2 threads spin against each other and a
    # step gets 10× slower; one thread is steady. Results do not depend on it.
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
