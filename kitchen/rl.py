"""What a reinforcement-learning rollout produces, shared by the RL stages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kitchen.types import Datum


@dataclass(frozen=True, slots=True)
class Rollout:
    """One sampled completion of one environment in a GRPO group.

    Attributes:
        group: Which group (problem) of the batch it belongs to.
        datum: Prompt + completion ids; the loss mask covers the completion only. Its
            ``extras["logprobs"]`` are the sampling policy's per-token log-probabilities.
        completion: The decoded completion.
        reward: What the environment paid for it.
        metrics: The environment's own numbers (``correct``, ``format`` …).
        advantage: Its group-relative advantage (set by ``compute_advantages``).
        kept: False when its group is dropped (every reward equal: no learning signal).
    """

    group: int
    datum: Datum
    completion: str
    reward: float
    metrics: Mapping[str, float] = field(default_factory=dict)
    advantage: float = 0.0
    kept: bool = True

    @property
    def sampled_tokens(self) -> int:
        """How many tokens the sampler generated for it."""
        return sum(self.datum.loss_mask)
