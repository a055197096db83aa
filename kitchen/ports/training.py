"""Training backend port: a session that owns a model and its optimiser.

The session is the Tinker-shaped primitive: stages call ``forward_backward`` then
``optim_step``; the training loop itself lives in stages, never in a backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from kitchen.ports.sampler import Sampler
from kitchen.ports.tokenizer import Tokenizer
from kitchen.types import Datum, OptimResult, StepResult

Device = Literal["auto", "cpu", "cuda", "mps"]


@dataclass(frozen=True, slots=True)
class SessionSpec:
    """Everything a backend needs to start a training session."""

    model: str
    seed: int = 0
    device: Device = "auto"
    lora_rank: int = 0
    lora_alpha: int = 32
    lora_dropout: float = 0.0
    weight_decay: float = 0.0
    betas: tuple[float, float] = (0.9, 0.999)
    max_grad_norm: float = 1.0
    gradient_checkpointing: bool = False
    compile: bool = False
    num_threads: int = 0
    model_dir: Path | None = None


class TrainingSession(Protocol):
    """A live model + optimiser."""

    @property
    def tokenizer(self) -> Tokenizer: ...

    @property
    def device(self) -> str: ...

    @property
    def num_parameters(self) -> int: ...

    @property
    def num_trainable_parameters(self) -> int: ...

    def forward_backward(self, batch: Sequence[Datum]) -> StepResult:
        """Accumulate gradients of the mean masked cross-entropy over ``batch``."""
        ...

    def optim_step(self, lr: float) -> OptimResult:
        """Clip, step the optimiser at ``lr`` and zero the gradients."""
        ...

    def eval_loss(self, batch: Sequence[Datum]) -> StepResult:
        """Masked cross-entropy without gradients."""
        ...

    def sampler(self) -> Sampler:
        """A sampler over the session's current weights."""
        ...

    def save_state(self, directory: Path) -> None:
        """Write everything resume needs (weights, optimiser, RNG) as safetensors + JSON."""
        ...

    def load_state(self, directory: Path) -> None:
        """Restore what :meth:`save_state` wrote."""
        ...

    def save_model(self, directory: Path) -> None:
        """Write a loadable model (``from_pretrained`` layout, safetensors) and its tokenizer."""
        ...

    def close(self) -> None: ...


class TrainingBackend(Protocol):
    """Starts training sessions."""

    name: str

    def start_session(self, spec: SessionSpec) -> TrainingSession: ...
