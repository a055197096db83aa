"""Training backend port: a session that owns a model and its optimiser.

The session is the Tinker-shaped primitive: stages call ``forward_backward`` then
``optim_step``; the training loop itself lives in stages, never in a backend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from kitchen.ports.sampler import Sampler
from kitchen.ports.tokenizer import Tokenizer
from kitchen.types import Datum, OptimResult, StepResult

Device = Literal["auto", "cpu", "cuda", "mps"]
LossName = Literal[
    "cross_entropy", "dpo", "ipo", "importance_sampling", "ppo", "logit_distillation"
]


@dataclass(frozen=True, slots=True)
class LossSpec:
    """Which objective ``forward_backward`` computes, and its settings (Tinker-shaped).

    The objective is named, not passed as code, so every backend (torch here, a remote one
    later) maps the name to its own exact implementation. What each needs:

    - ``cross_entropy``: nothing; the mean over the batch's target tokens.
    - ``dpo`` / ``ipo``: the batch is pairs in order (chosen, rejected, chosen, …); each datum
      carries ``extras["ref_logprob"]``, its summed reference log-probability. Params ``beta``,
      ``label_smoothing`` (conservative DPO).
    - ``importance_sampling``: ``extras["logprobs"]`` (the sampler's, per token; when no datum
      has them, the current log-probs, detached: one update on fresh samples) and
      ``extras["advantage"]`` (per sequence) or ``extras["advantages"]`` (per token).
    - ``ppo``: as ``importance_sampling``, clipped; params ``clip_low``, ``clip_high``,
      ``kl_coef`` with ``kl_estimator`` ``"k1"``/``"k3"`` against ``extras["ref_logprobs"]``,
      and ``value_coef``: with a value head, 0.5·(V − R)² against per-token
      ``extras["returns"]`` (GAE).
    - ``logit_distillation``: a ``reference`` session (the teacher) with the same vocabulary;
      params ``temperature``, ``alpha`` (weight of the cross-entropy term).
    """

    name: LossName = "cross_entropy"
    params: Mapping[str, float | str] = field(default_factory=dict)


CROSS_ENTROPY = LossSpec()


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
    # A scalar head on the last hidden state, trained with the policy (PPO with GAE).
    value_head: bool = False


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

    def forward_backward(
        self,
        batch: Sequence[Datum],
        loss: LossSpec = CROSS_ENTROPY,
        *,
        reference: TrainingSession | None = None,
    ) -> StepResult:
        """Accumulate gradients of ``loss`` over ``batch`` (mean masked cross-entropy by
        default); the objective's own metrics come back in ``StepResult.extra``."""
        ...

    def values(self, batch: Sequence[Datum]) -> list[tuple[float, ...]]:
        """The value head's estimate at each target position (``SessionSpec.value_head``),
        aligned like :meth:`logprobs`: position ``i`` is the value of the state before token
        ``i``; 0.0 where there is no target.

        Raises:
            ConfigError: the session has no value head.
        """
        ...

    def logprobs(self, batch: Sequence[Datum]) -> list[tuple[float, ...]]:
        """Each target token's log-probability under the current weights, without gradients.

        One tuple per datum, aligned with its ``input_ids``: position ``i`` holds
        ``log p(token_i | tokens_<i)`` where ``loss_mask[i]`` is 1 (and ``i > 0``), else 0.0.
        """
        ...

    def optim_step(self, lr: float) -> OptimResult:
        """Clip, step the optimiser at ``lr`` and zero the gradients."""
        ...

    def eval_loss(self, batch: Sequence[Datum]) -> StepResult:
        """Masked cross-entropy without gradients."""
        ...

    def sampler(self, seed: int | None = None) -> Sampler:
        """A sampler over the session's current weights, with its own random stream (seeded
        from the session's seed, or from ``seed``: RL seeds each rollout differently)."""
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
