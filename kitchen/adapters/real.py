"""The real adapters of a run, around whichever store-backed ports the caller brings.

The embedded run and the engine's workers use the same backend, datasets, hub and evaluator;
they differ only in where blobs, metrics and models go (the store here, the engine there).
"""

from __future__ import annotations

from pydantic import BaseModel

from kitchen.context import Ports
from kitchen.ports.analyses import AnalysisStore
from kitchen.ports.blobs import BlobStore
from kitchen.ports.metrics import MetricsSink
from kitchen.ports.registry import ModelRegistry


def real_ports(
    config: BaseModel,
    *,
    blobs: BlobStore,
    metrics: MetricsSink,
    registry: ModelRegistry,
    analyses: AnalysisStore,
) -> Ports:
    """Torch backend, HF datasets and hub, exact-match evaluator, and the given store ports."""
    from kitchen.adapters.hf.dataset import HFDatasetSource
    from kitchen.adapters.hf.hub import HFHub
    from kitchen.adapters.torch import TorchBackend
    from kitchen.evaluators import ExactMatchEvaluator

    hub = HFHub()
    return Ports(
        backend=TorchBackend(),
        datasets=HFDatasetSource(hub=hub),
        hub=hub,
        blobs=blobs,
        metrics=metrics,
        registry=registry,
        analyses=analyses,
        evaluator=ExactMatchEvaluator(
            max_new_tokens=int(getattr(config, "eval_max_new_tokens", 16))
        ),
    )
