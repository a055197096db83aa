"""Where a built-in task's rows come from: the Hugging Face hub or a shipped sample.

``source="hub"`` loads the real dataset through the HF adapter
(:class:`kitchen.adapters.hf.dataset.HFDatasetSource`: ``datasets.load_dataset``, and offline
the hub cache); ``source="sample"`` reads the small sample shipped in ``kitchen/data``;
``source="auto"`` tries the hub (or its local cache) and falls back to the sample with a
logged warning. The returned description says which was used, so a result on the 50-row
sample is never reported as GSM8K.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from kitchen.adapters.hf._records import read_local
from kitchen.data import DATA_DIR
from kitchen.errors import ConfigError, DataError, HubError
from kitchen.ports.dataset import DatasetSource, DatasetSpec

__all__ = ["SOURCES", "Rows", "SourceChoice", "load_rows", "sample_path"]

log = logging.getLogger(__name__)

SourceChoice = Literal["auto", "hub", "sample"]
SOURCES: tuple[str, ...] = ("auto", "hub", "sample")
TASK_DATA_DIR = DATA_DIR / "tasks"


@dataclass(frozen=True, slots=True)
class Rows:
    """A task's rows and the few-shot pool's, with a description of where they came from."""

    rows: Sequence[Mapping[str, Any]]
    fewshot: Sequence[Mapping[str, Any]]
    source: str
    from_hub: bool


def sample_path(name: str) -> Path:
    """A shipped task sample: ``kitchen/data/<name>`` or ``kitchen/data/tasks/<name>``.

    Raises:
        DataError: no such file ships.
    """
    for folder in (DATA_DIR, TASK_DATA_DIR):
        path = folder / name
        if Path(name).name == name and path.is_file():
            return path
    raise DataError(f"no shipped task sample {name!r} in {DATA_DIR} or {TASK_DATA_DIR}")


def _hub_rows(
    repo: str,
    config: str | None,
    split: str,
    fewshot_split: str,
    dataset_source: DatasetSource | None,
) -> Rows:
    if dataset_source is None:
        from kitchen.adapters.hf.dataset import HFDatasetSource

        dataset_source = HFDatasetSource()
    source = f"{repo}:{config}" if config else repo
    spec = DatasetSpec(source=source, split=split, eval_split=fewshot_split, eval_fraction=0.0)
    loaded = dataset_source.load_records(spec)
    where = f"{repo}" + (f" ({config})" if config else "") + f" split {split}"
    return Rows(loaded.train, loaded.eval, f"hub {where}", True)


def load_rows(
    *,
    source: str,
    repo: str,
    config: str | None,
    split: str,
    sample: str,
    fewshot_split: str = "",
    fewshot_sample: str = "",
    dataset_source: DatasetSource | None = None,
) -> Rows:
    """Load a task's rows from the hub or its shipped sample, as ``source`` says.

    Args:
        source: ``auto``, ``hub`` or ``sample``.
        repo: The hub dataset id (``openai/gsm8k``).
        config: Its configuration (``main``), or None.
        split: The evaluated split.
        sample: The shipped sample's file name.
        fewshot_split: The hub split few-shot examples come from ('' for none).
        fewshot_sample: The shipped file few-shot examples come from ('' for none).
        dataset_source: How to reach the hub (default: the HF adapter).

    Raises:
        ConfigError: ``source`` is not one of auto, hub, sample.
        HubError: ``source="hub"`` and the dataset is neither reachable nor cached.
        DataError: a file or split is missing or malformed.
    """
    if source not in SOURCES:
        raise ConfigError(f"source: must be one of {', '.join(SOURCES)}, got {source!r}")
    if source != "sample":
        try:
            return _hub_rows(repo, config, split, fewshot_split, dataset_source)
        except HubError as error:
            if source == "hub":
                raise
            log.warning(
                "%s is not reachable or cached (%s); using the shipped sample %s instead",
                repo,
                error,
                sample,
            )
    path = sample_path(sample)
    rows = read_local(path).rows
    fewshot = read_local(sample_path(fewshot_sample)).rows if fewshot_sample else ()
    return Rows(rows, fewshot, f"shipped sample kitchen/data/{path.relative_to(DATA_DIR)}", False)
