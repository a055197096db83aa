"""The engine's wire format: run events as tagged JSON, and the typed API records.

Every :mod:`kitchen.events` type travels as ``{"type": "<ClassName>", <fields>}``. Decoding
validates each field with pydantic, so a malformed event is rejected with the path of the bad
field (``events[3].values.loss``) instead of failing deep inside the store.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from kitchen import events as ev
from kitchen.errors import KitchenError

EVENT_TYPES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        ev.RunStarted,
        ev.StageStarted,
        ev.StageFinished,
        ev.StageFailed,
        ev.Metrics,
        ev.Progress,
        ev.Log,
        ev.ArtifactSaved,
        ev.ModelRegistered,
        ev.RunFinished,
    )
}


class WireError(KitchenError, ValueError):
    """An event on the wire is malformed.

    Attributes:
        loc: Where the bad value is, e.g. ``(3, "values", "loss")``.
    """

    default_title = "Malformed event"

    def __init__(self, message: str, loc: tuple[str | int, ...]) -> None:
        super().__init__(message)
        self.loc = loc


def to_wire(event: ev.Event) -> dict[str, Any]:
    """An event as a JSON-ready dict with its ``type`` tag."""
    body = {f.name: _plain(getattr(event, f.name)) for f in dataclasses.fields(event)}
    return {"type": type(event).__name__, **body}


def _plain(value: Any) -> Any:
    # Events hold Mappings (possibly read-only proxies); JSON wants dicts and lists.
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


# Building an adapter compiles a validator; do it once per event type.
_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


def _adapter(name: str, cls: type[Any]) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(name)
    if adapter is None:
        adapter = _ADAPTERS[name] = TypeAdapter(cls)
    return adapter


def from_wire(data: Any, *, index: int | None = None) -> ev.Event:
    """Decode one tagged event.

    Args:
        data: The decoded JSON object.
        index: Its position in a batch, prefixed to error locations.

    Raises:
        WireError: not an object, unknown ``type``, or a field missing or of the wrong type.
    """
    prefix: tuple[str | int, ...] = () if index is None else (index,)
    if not isinstance(data, Mapping):
        raise WireError("an event must be a JSON object", prefix)
    name = data.get("type")
    cls = EVENT_TYPES.get(name) if isinstance(name, str) else None
    if cls is None or not isinstance(name, str):
        known = ", ".join(EVENT_TYPES)
        raise WireError(f"unknown event type {name!r}; expected one of {known}", (*prefix, "type"))
    fields = {k: v for k, v in data.items() if k != "type"}
    try:
        event: ev.Event = _adapter(name, cls).validate_python(fields)
    except ValidationError as error:
        first = error.errors()[0]
        loc = (*prefix, *first["loc"])
        where = ".".join(str(part) for part in loc)
        raise WireError(f"{name}: {where}: {first['msg']}", loc) from None
    return event


def decode_batch(items: Sequence[Any]) -> list[ev.Event]:
    """Decode a list of tagged events; raises :class:`WireError` at the first bad one."""
    return [from_wire(item, index=i) for i, item in enumerate(items)]


# -- API records --------------------------------------------------------------------------------


class Health(BaseModel):
    """The engine answering: who it is and what it holds open."""

    status: str
    pid: int
    store: str
    started_at: float
    uptime_s: float
    subscribers: int


class RunRowOut(BaseModel):
    """One line of the runs table (``store.RunRow``)."""

    id: str
    name: str
    experiment: str
    recipe: str
    status: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_s: float | None
    last_step: int | None
    model: str | None = None
    metrics: dict[str, float]


class RunRecord(BaseModel):
    """A run's record with its config and environment decoded."""

    id: str
    experiment_id: str
    name: str
    recipe: str
    status: str
    config: dict[str, Any]
    config_hash: str
    seed: int | None
    git_commit: str | None
    env: dict[str, Any]
    error_type: str | None
    error_message: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    last_step: int | None
    parent_run_id: str | None


class ArtifactOut(BaseModel):
    """An artifact of a run."""

    id: str
    kind: str
    name: str
    sha256: str
    size_bytes: int
    uri: str
    meta: dict[str, Any]


class EdgeOut(BaseModel):
    """One lineage edge: ``dst`` was made from ``src``."""

    src_kind: str
    src_id: str
    dst_kind: str
    dst_id: str
    relation: str


class ModelRef(BaseModel):
    """A registered model version made by a run."""

    name: str
    version: int
    aliases: list[str]


class RunDetails(BaseModel):
    """Everything ``kitchen show`` prints about one run."""

    run: RunRecord
    params: dict[str, Any]
    metrics: dict[str, float]
    artifacts: list[ArtifactOut]
    lineage: list[EdgeOut]
    models: list[ModelRef]
    evals: list[EvalSummaryOut] = []


class CurveOut(BaseModel):
    """A metric's points over steps, possibly downsampled (``store.Curve``)."""

    run_id: str
    key: str
    steps: list[int]
    values: list[float]
    total_points: int
    downsampled: bool


class ParamDiffOut(BaseModel):
    """One parameter of two runs."""

    key: str
    a: Any
    b: Any
    differs: bool


class MetricPairOut(BaseModel):
    """The last value of one metric in two runs."""

    key: str
    a: float | None
    b: float | None
    delta: float | None


class ComparisonOut(BaseModel):
    """Two runs side by side."""

    a: RunRecord
    b: RunRecord
    params: list[ParamDiffOut]
    metrics: list[MetricPairOut]


class EvalSummaryOut(BaseModel):
    """One evaluation a run stored: phase, task, step, size and mean score."""

    phase: str
    task: str
    step: int
    n: int
    epochs: int
    mean_score: float


class EvalSampleOut(BaseModel):
    """One scored sample (``scores``/``metadata`` decoded from the store's JSON columns)."""

    phase: str
    task: str
    step: int
    sample_id: str
    epoch: int
    input: str
    target: str
    output: str
    score: float
    answer: str | None = None
    explanation: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    latency_s: float | None = None
    scores: dict[str, float] = {}
    metadata: dict[str, Any] = {}


class RunCountOut(BaseModel):
    """How many runs share one status, recipe and experiment."""

    status: str
    recipe: str
    experiment: str
    n: int


class LineageNodeOut(BaseModel):
    """One node of a lineage graph: its kind, id and a readable label."""

    kind: str
    id: str
    label: str


class LineageEdgeOut(BaseModel):
    """``dst`` was made from ``src`` (node ids are ``kind:id``)."""

    src: str
    dst: str
    relation: str


class LineageGraphOut(BaseModel):
    """The lineage of every version of one model."""

    model: str
    nodes: list[LineageNodeOut]
    edges: list[LineageEdgeOut]


class ModelOut(BaseModel):
    """A registered model with its newest version and aliases."""

    name: str
    description: str
    created_at: datetime
    latest_version: int | None
    versions: int
    aliases: dict[str, int]
    stages: dict[str, list[int]]


class IngestResult(BaseModel):
    """How many events of a batch were applied."""

    accepted: int


class Message(BaseModel):
    """A short answer or an error's ``detail``."""

    detail: str
