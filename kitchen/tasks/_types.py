"""The task primitives: samples, generation settings, the Model protocol and run results.

A :class:`Sample` is one evaluation item (inspect_ai's shape: ``input``, ``target``, optional
``choices`` and ``metadata``). A :class:`Model` turns batches of conversations into
:class:`Generation` objects; :class:`TaskState` carries one sample through the solver chain;
:class:`SampleResult` and :class:`TaskResult` are what :func:`kitchen.tasks.run_task` returns.
The field names of :class:`SampleResult` are those of the store's ``eval_samples`` rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from kitchen.errors import ConfigError
from kitchen.types import Message

__all__ = [
    "GenerateConfig",
    "Generation",
    "Model",
    "Sample",
    "SampleResult",
    "StopReason",
    "TaskResult",
    "TaskState",
    "messages_text",
    "target_text",
]

StopReason = Literal["stop", "max_tokens", "stop_sequence", "other"]
"""Why a generation ended: the model's own stop token, the token budget, one of
:attr:`GenerateConfig.stop`, or anything else an API reports (e.g. a content filter)."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One evaluation item.

    Attributes:
        id: Unique within its dataset; results and epochs are keyed by it.
        input: The question as text (one user turn) or as a conversation.
        target: The reference answer, or several acceptable ones.
        choices: Answer options of a multiple-choice item (target is then a letter).
        metadata: Extras scorers need (HumanEval's tests) or reports group by (a subject).
    """

    id: str
    input: str | tuple[Message, ...]
    target: str | tuple[str, ...]
    choices: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def input_messages(self) -> tuple[Message, ...]:
        """The input as a conversation."""
        if isinstance(self.input, str):
            return (Message("user", self.input),)
        return self.input

    @property
    def input_text(self) -> str:
        """The input as text (see :func:`messages_text`)."""
        return self.input if isinstance(self.input, str) else messages_text(self.input)

    @property
    def targets(self) -> tuple[str, ...]:
        """The acceptable targets as a tuple."""
        return (self.target,) if isinstance(self.target, str) else self.target


def messages_text(messages: Sequence[Message]) -> str:
    """A conversation as readable text: a lone user turn is its content, otherwise each turn
    is ``role: content`` and turns are separated by blank lines."""
    if len(messages) == 1 and messages[0].role == "user":
        return messages[0].content
    return "\n\n".join(f"{m.role}: {m.content}" for m in messages)


def target_text(target: str | Sequence[str]) -> str:
    """Targets as one string, joined by ``" | "`` when there are several."""
    return target if isinstance(target, str) else " | ".join(target)


@dataclass(frozen=True, slots=True)
class GenerateConfig:
    """How a model should generate.

    Attributes:
        max_new_tokens: Most tokens to generate per prompt.
        temperature: 0 for greedy decoding.
        top_p: Nucleus-sampling mass, in ``(0, 1]``.
        stop: Strings that end the output; the output is cut before the first one.
    """

    max_new_tokens: int = 256
    temperature: float = 0.0
    top_p: float = 1.0
    stop: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise ConfigError(f"max_new_tokens: must be >= 1, got {self.max_new_tokens}")
        if self.temperature < 0:
            raise ConfigError(f"temperature: must be >= 0, got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise ConfigError(f"top_p: must be in (0, 1], got {self.top_p}")
        if any(not s for s in self.stop):
            raise ConfigError("stop: stop strings must not be empty")


@dataclass(frozen=True, slots=True)
class Generation:
    """One model output with what it cost.

    Attributes:
        text: The generated text (cut before a stop string, special tokens removed).
        input_tokens: Prompt tokens, counted by the model's tokenizer (or the API's usage).
        output_tokens: Generated tokens, the stop token included when there was one.
        latency_s: Seconds this output took (a batch's wall time shared by its prompts).
        stop_reason: Why generation ended.
    """

    text: str
    input_tokens: int
    output_tokens: int
    latency_s: float
    stop_reason: StopReason


@runtime_checkable
class Model(Protocol):
    """Generates replies for a batch of conversations; one call, one batch."""

    name: str

    def generate(
        self, prompts: Sequence[Sequence[Message]], config: GenerateConfig
    ) -> list[Generation]:
        """One :class:`Generation` per conversation, in order."""
        ...


@dataclass(slots=True)
class TaskState:
    """One sample (in one epoch) on its way through the solver chain.

    Solvers edit ``messages``; the ``generate`` function a solver receives sends them to the
    model, appends the assistant reply and adds its tokens and latency to the totals here.

    Attributes:
        sample: The sample being solved.
        epoch: 0-based repetition index.
        messages: The conversation so far (starts as the sample's input).
        output: The last generated text.
        prompt: The conversation sent on the first generation, as text (what the store shows).
        input_tokens: Prompt tokens, summed over generations.
        output_tokens: Generated tokens, summed over generations.
        latency_s: Seconds, summed over generations.
        stop_reason: Why the last generation ended ('' before any).
        generations: How many times the model was called for this state.
        completed: Set by a solver to skip the rest of the chain.
        store: Scratch space solvers may share.
    """

    sample: Sample
    epoch: int = 0
    messages: list[Message] = field(default_factory=list)
    output: str = ""
    prompt: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    latency_s: float = 0.0
    stop_reason: str = ""
    generations: int = 0
    completed: bool = False
    store: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def start(cls, sample: Sample, epoch: int = 0) -> TaskState:
        """A fresh state whose conversation is the sample's input."""
        return cls(sample=sample, epoch=epoch, messages=list(sample.input_messages))

    @property
    def user_prompt(self) -> Message:
        """The last user turn (the one prompt solvers rewrite).

        Raises:
            ConfigError: the conversation has no user turn.
        """
        for message in reversed(self.messages):
            if message.role == "user":
                return message
        raise ConfigError(f"sample {self.sample.id!r}: the conversation has no user turn")

    def set_user_prompt(self, content: str) -> None:
        """Replace the content of the last user turn."""
        for i in range(len(self.messages) - 1, -1, -1):
            if self.messages[i].role == "user":
                self.messages[i] = Message("user", content)
                return
        raise ConfigError(f"sample {self.sample.id!r}: the conversation has no user turn")


@dataclass(frozen=True, slots=True)
class SampleResult:
    """One scored sample in one epoch (a row of the store's ``eval_samples``).

    Attributes:
        sample_id: The sample's id.
        epoch: 0-based repetition index.
        input: The prompt sent to the model, as text.
        target: The target(s), joined by ``" | "``.
        output: The model's last output.
        score: The primary scorer's value.
        answer: What the primary scorer read from the output.
        explanation: Why the primary score is what it is.
        input_tokens: Prompt tokens over all generations of this sample.
        output_tokens: Generated tokens over all generations.
        latency_s: Seconds of generation.
        scores: Secondary scorers' values, by scorer name.
        metadata: ``sample`` (the sample's metadata), ``score`` (the primary scorer's),
            ``stop_reason``.
    """

    sample_id: str
    epoch: int
    input: str
    target: str
    output: str
    score: float
    answer: str
    explanation: str
    input_tokens: int
    output_tokens: int
    latency_s: float
    scores: Mapping[str, float] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TaskResult:
    """Aggregate metrics and the per-sample rows behind them.

    ``metrics`` holds ``accuracy``, ``stderr``, ``n`` (samples), ``epochs``, ``pass@k`` where
    the task asks for it, the secondary scorers' means by name, and throughput:
    ``samples_per_s``, ``output_tokens_per_s``, ``mean_latency_s``.
    """

    metrics: dict[str, float]
    samples: list[SampleResult]
    task: str = ""
    model: str = ""
    source: str = ""
