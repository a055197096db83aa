"""Evaluator port: score a model's outputs on held-out examples."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from kitchen.ports.sampler import Sampler
from kitchen.ports.tokenizer import Tokenizer
from kitchen.types import Example, Message


@dataclass(frozen=True, slots=True)
class SampleScore:
    """One scored example."""

    id: str
    input: str
    target: str
    output: str
    score: float


@dataclass(frozen=True, slots=True)
class EvalResult:
    """Aggregate metrics and the per-sample rows behind them."""

    metrics: Mapping[str, float]
    samples: tuple[SampleScore, ...]


class PromptRenderer(Protocol):
    """Turns the prompt part of a conversation into ids that end where the answer begins."""

    @property
    def stop_token_ids(self) -> tuple[int, ...]: ...

    def render_prompt(self, messages: Sequence[Message]) -> list[int]: ...


class Evaluator(Protocol):
    """Generates answers for examples and scores them against their targets."""

    name: str

    def evaluate(
        self,
        sampler: Sampler,
        tokenizer: Tokenizer,
        renderer: PromptRenderer,
        examples: Sequence[Example],
    ) -> EvalResult: ...
