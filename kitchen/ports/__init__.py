"""Ports: the Protocols adapters implement. One module per port."""

from kitchen.ports.blobs import BlobRef, BlobStore
from kitchen.ports.dataset import DatasetSource, DatasetSpec, LoadedDataset
from kitchen.ports.evaluator import EvalResult, Evaluator, PromptRenderer, SampleScore
from kitchen.ports.hub import Hub
from kitchen.ports.metrics import MetricsSink
from kitchen.ports.registry import ModelRegistry, ModelVersionInfo
from kitchen.ports.sampler import Sampler
from kitchen.ports.tokenizer import Tokenizer
from kitchen.ports.training import SessionSpec, TrainingBackend, TrainingSession

__all__ = [
    "BlobRef",
    "BlobStore",
    "DatasetSource",
    "DatasetSpec",
    "EvalResult",
    "Evaluator",
    "Hub",
    "LoadedDataset",
    "MetricsSink",
    "ModelRegistry",
    "ModelVersionInfo",
    "PromptRenderer",
    "SampleScore",
    "Sampler",
    "SessionSpec",
    "Tokenizer",
    "TrainingBackend",
    "TrainingSession",
]
