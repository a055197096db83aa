"""The experiment's records: one run of it as the harness sees it, and the saved spec.

The spec is saved as JSON beside the store, ``<home>/experiments/<name>.json``, when the
experiment is first run: ``status``, ``report`` and ``resume`` then work without the YAML file.
A file rather than a table (a table needs a migration) or a run artifact (a client cannot put
a blob through the engine's API, and the runs' configs forbid unknown keys). Only the process
that runs the experiment writes it; readers never touch the DuckDB file through it.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from kitchen.errors import ConfigError, NotFoundError
from kitchen.experiments.spec import ExperimentSpec, parse_spec

SPEC_DIRNAME = "experiments"


@dataclass(frozen=True)
class ExperimentRun:
    """One attempt at one condition × seed, read from the store.

    Attributes:
        run_id: The store's run id.
        condition: The condition's name.
        seed: The run's seed.
        attempt: 1 for the first submission, 2 for the first retry, ...
        status: The run's status (``queued``, ``running``, ``succeeded``, ``failed`` ...).
        metrics: Last value of the metrics read (the spec's metric among them, once logged).
        duration_s: Run time (so far, while it runs), if it started.
        error: ``"ErrorType: message"`` of a run that did not succeed.
        error_type: The error's class name alone (decides whether a retry can help).
        resumable: It ended without success but has a checkpoint to go on from.
        resumes: How many times it went on from a checkpoint (each uses up a retry).
    """

    run_id: str
    condition: str
    seed: int
    attempt: int
    status: str
    metrics: dict[str, float] = field(default_factory=dict)
    duration_s: float | None = None
    error: str | None = None
    error_type: str | None = None
    resumable: bool = False
    resumes: int = 0


@dataclass(frozen=True)
class SpecRecord:
    """A saved spec with where it came from.

    Attributes:
        spec: The validated spec.
        workdir: The folder runs were submitted from (relative paths in configs mean it).
        source: The YAML file it was read from.
    """

    spec: ExperimentSpec
    workdir: str
    source: str


def record_path(home: Path, name: str) -> Path:
    """Where experiment ``name``'s spec is saved."""
    return home / SPEC_DIRNAME / f"{name}.json"


def save_record(home: Path, record: SpecRecord) -> Path:
    """Write the record atomically (a reader never sees half a file)."""
    path = record_path(home, record.spec.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "spec": record.spec.model_dump(mode="json"),
        "workdir": record.workdir,
        "source": record.source,
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(body, handle, indent=2, sort_keys=True)
    os.replace(tmp, path)
    return path


def read_record(home: Path, name: str) -> SpecRecord:
    """The saved spec of experiment ``name``.

    Raises:
        NotFoundError: it was never run from this home.
        ConfigError: the saved file is damaged.
    """
    path = record_path(home, name)
    if not path.is_file():
        raise NotFoundError(
            f"no experiment {name!r} in {home}: run it first with `kitchen experiment run FILE`"
        )
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ConfigError(f"{path}: cannot read the saved spec: {error}") from None
    spec = parse_spec(body.get("spec"), source=str(path))
    return SpecRecord(spec, str(body.get("workdir", "")), str(body.get("source", "")))
