"""Fixtures for the XAI tests: small fitted sklearn models, a tiny random BERT, a store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kitchen.analysis.xai.sources import TabularData, fit_sklearn, load_tabular


@pytest.fixture(scope="session", autouse=True)
def _one_thread() -> None:
    import torch

    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def cancer() -> TabularData:
    return load_tabular("sklearn:breast_cancer", seed=0)


@pytest.fixture(scope="session")
def diabetes() -> TabularData:
    return load_tabular("sklearn:diabetes", seed=0)


@pytest.fixture(scope="session")
def forest(cancer: TabularData) -> Any:
    return fit_sklearn("random_forest", cancer, seed=0)


@pytest.fixture(scope="session")
def tiny_bert() -> Any:
    from kitchen.analysis.xai.hf import tiny_bert

    return tiny_bert(seed=0)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Any]:
    from store import open_store

    with open_store(tmp_path / "home", background_flush=False, flush_interval_s=None) as opened:
        yield opened
