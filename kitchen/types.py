"""Plain data types that flow between stages and ports.

These are backend-neutral: a :class:`Datum` is token ids plus a loss mask, whatever model or
backend consumes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

Role = Literal["system", "user", "assistant"]
TrainOn = Literal["last_assistant", "all_assistant", "all_tokens"]


@dataclass(frozen=True, slots=True)
class Message:
    """One chat turn."""

    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class Example:
    """One training or evaluation example, always held as a conversation.

    Prompt/completion data becomes ``[user: prompt, assistant: completion]``. ``target`` is the
    reference answer used by evaluators (the last assistant message by default).
    """

    messages: tuple[Message, ...]
    id: str = ""

    @property
    def prompt_messages(self) -> tuple[Message, ...]:
        """Every message before the last assistant turn."""
        last = _last_assistant(self.messages)
        return self.messages[:last] if last >= 0 else self.messages

    @property
    def target(self) -> str:
        """The content of the last assistant turn ('' when there is none)."""
        last = _last_assistant(self.messages)
        return self.messages[last].content if last >= 0 else ""


def _last_assistant(messages: Sequence[Message]) -> int:
    for i in range(len(messages) - 1, -1, -1):
        if messages[i].role == "assistant":
            return i
    return -1


@dataclass(frozen=True, slots=True)
class Datum:
    """One tokenised sequence: ids, a 0/1 mask of the positions that carry loss, and the
    per-sequence inputs a non-default loss needs.

    ``extras`` holds, by name, a float per sequence (``"advantage"``, ``"ref_logprob"``) or a
    tuple of floats aligned with ``input_ids`` (``"logprobs"`` of the sampler, per-token
    ``"advantages"``, ``"ref_logprobs"``); see :class:`kitchen.ports.training.LossSpec`.
    """

    input_ids: tuple[int, ...]
    loss_mask: tuple[int, ...]
    extras: Mapping[str, float | tuple[float, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.input_ids) != len(self.loss_mask):
            raise ValueError("input_ids and loss_mask differ in length")
        for name, value in self.extras.items():
            if isinstance(value, tuple) and len(value) != len(self.input_ids):
                raise ValueError(
                    f"extras[{name!r}] has {len(value)} values for {len(self.input_ids)} tokens"
                )

    @property
    def num_loss_tokens(self) -> int:
        return sum(self.loss_mask)


@dataclass(frozen=True, slots=True)
class StepResult:
    """What one forward/backward pass reports."""

    loss: float
    num_tokens: int
    num_loss_tokens: int
    extra: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OptimResult:
    """What one optimiser step reports."""

    lr: float
    grad_norm: float


@dataclass(frozen=True, slots=True)
class SamplingParams:
    """How to decode: greedy when temperature is 0."""

    max_new_tokens: int = 32
    temperature: float = 0.0
    top_p: float = 1.0
    stop_token_ids: tuple[int, ...] = ()
