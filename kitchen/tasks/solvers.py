"""Solvers: the steps that turn a sample into a model output, composed as a tuple.

A solver works on a whole batch of :class:`TaskState` objects so generation stays batched: it
edits the states' conversations and calls ``generate(states)`` (one Model call for the batch)
when it needs the model. A task's solver chain runs in order, e.g.
``(system_message(...), few_shot(train, 5), multiple_choice(), generate())``. Unlike
inspect_ai, :func:`multiple_choice` and :func:`chain_of_thought` only rewrite the prompt; the
chain says where :func:`generate` happens.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from kitchen.errors import ConfigError
from kitchen.tasks._types import GenerateConfig, Sample, TaskState
from kitchen.types import Message

__all__ = [
    "DEFAULT_CHOICE_TEMPLATE",
    "DEFAULT_COT_TEMPLATE",
    "Generate",
    "Solver",
    "chain_of_thought",
    "choice_letters",
    "few_shot",
    "format_choices",
    "generate",
    "multiple_choice",
    "prompt_template",
    "self_critique",
    "system_message",
]


class Generate(Protocol):
    """Calls the model once for ``states`` (those not completed), appends each reply to its
    conversation and adds its tokens and latency to the state; ``config`` overrides the task's."""

    def __call__(
        self, states: list[TaskState], config: GenerateConfig | None = None
    ) -> list[TaskState]: ...


class Solver(Protocol):
    """One step of a task's solver chain, applied to a batch of states."""

    def __call__(self, states: list[TaskState], generate: Generate) -> list[TaskState]: ...


DEFAULT_CHOICE_TEMPLATE = (
    "Answer the following multiple-choice question with the letter of the correct option "
    "({letters}) only.\n\n{question}\n\n{choices}\n\nAnswer:"
)
DEFAULT_COT_TEMPLATE = (
    "{input}\n\nThink step by step, then give your final answer on the last line "
    'as "ANSWER: <answer>".'
)


def fill(template: str, values: Mapping[str, Any], where: str) -> str:
    """``template.format_map(values)`` with errors naming the template and the missing key."""
    try:
        return template.format_map(values)
    except KeyError as error:
        raise ConfigError(
            f"{where}: the template uses {{{error.args[0]}}}, which is not one of "
            f"{', '.join(sorted(values))} (write {{{{ and }}}} for literal braces)"
        ) from None
    except (ValueError, IndexError) as error:
        raise ConfigError(f"{where}: the template is malformed: {error}") from None


def choice_letters(n: int) -> str:
    """The first ``n`` letters, ``A`` onwards (at most 26 choices)."""
    if n > 26:
        raise ConfigError(f"a multiple-choice sample has {n} choices; at most 26 are supported")
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[:n]


def format_choices(choices: Sequence[str]) -> str:
    """``A) first`` lines, one per choice."""
    return "\n".join(
        f"{letter}) {c}" for letter, c in zip(choice_letters(len(choices)), choices, strict=True)
    )


def _values(state: TaskState, text: str) -> dict[str, Any]:
    return {**state.sample.metadata, "input": text}


def system_message(text: str) -> Solver:
    """Put a system turn first (after any system turns already there)."""

    def solve(states: list[TaskState], generate: Generate) -> list[TaskState]:
        for state in states:
            at = next((i for i, m in enumerate(state.messages) if m.role != "system"), 0)
            state.messages.insert(at, Message("system", text))
        return states

    return solve


def prompt_template(template: str) -> Solver:
    """Rewrite the last user turn as ``template`` with ``{input}`` (its text) and the sample's
    metadata fields filled in."""

    def solve(states: list[TaskState], generate: Generate) -> list[TaskState]:
        for state in states:
            values = _values(state, state.user_prompt.content)
            state.set_user_prompt(fill(template, values, "prompt_template"))
        return states

    return solve


def _demo(sample: Sample, template: str, choice_template: str | None) -> list[Message]:
    text = fill(template, {**sample.metadata, "input": sample.input_text}, "few_shot")
    if sample.choices:
        text = _choice_prompt(text, sample.choices, choice_template or DEFAULT_CHOICE_TEMPLATE)
    return [Message("user", text), Message("assistant", sample.targets[0])]


def few_shot(
    samples: Sequence[Sample],
    k: int,
    *,
    seed: int | None = None,
    template: str = "{input}",
    choice_template: str | None = None,
    group_by: str | None = None,
) -> Solver:
    """Put ``k`` worked examples before the question, as user/assistant turns.

    Args:
        samples: The pool to draw from (never the evaluated samples); a demonstration's answer
            is its first target, so give worked solutions as targets where they exist.
        k: How many to show (0 adds nothing).
        seed: ``None`` takes the first ``k``; otherwise a seeded draw.
        template: Formats a demonstration's input (``{input}`` and metadata fields), to match
            the prompt the question itself gets.
        choice_template: For multiple-choice demonstrations, the :func:`multiple_choice`
            template (default: its default).
        group_by: A metadata field (MMLU's ``subject``): each question gets demonstrations
            from the pool samples with its own value, or from the whole pool when those are
            fewer than ``k``.

    Raises:
        ConfigError: ``k`` is negative or larger than the pool.
    """
    if k < 0 or k > len(samples):
        raise ConfigError(f"few_shot: k must be in [0, {len(samples)}], got {k}")

    def draw(pool: Sequence[Sample]) -> list[Message]:
        chosen = list(pool[:k]) if seed is None else random.Random(seed).sample(list(pool), k)
        return [m for sample in chosen for m in _demo(sample, template, choice_template)]

    shared = draw(samples)
    groups: dict[Any, list[Message]] = {}
    if group_by is not None:
        pools: dict[Any, list[Sample]] = {}
        for sample in samples:
            pools.setdefault(sample.metadata.get(group_by), []).append(sample)
        groups = {key: draw(pool) for key, pool in pools.items() if len(pool) >= k}

    def solve(states: list[TaskState], generate: Generate) -> list[TaskState]:
        for state in states:
            demo = shared
            if group_by is not None:
                demo = groups.get(state.sample.metadata.get(group_by), shared)
            at = next((i for i, m in enumerate(state.messages) if m.role != "system"), 0)
            state.messages[at:at] = demo
        return states

    return solve


def chain_of_thought(template: str = DEFAULT_COT_TEMPLATE) -> Solver:
    """Ask for step-by-step reasoning: rewrite the last user turn with ``template``."""
    return prompt_template(template)


def _choice_prompt(question: str, choices: Sequence[str], template: str) -> str:
    letters = choice_letters(len(choices))
    values = {
        "question": question,
        "choices": format_choices(choices),
        "letters": ", ".join(letters),
    }
    return fill(template, values, "multiple_choice")


def multiple_choice(template: str = DEFAULT_CHOICE_TEMPLATE) -> Solver:
    """Render the sample's choices as ``A) …`` lines into the last user turn and ask for the
    letter. ``template`` may use ``{question}``, ``{choices}`` and ``{letters}``.

    Raises:
        ConfigError: a sample has no choices.
    """

    def solve(states: list[TaskState], generate: Generate) -> list[TaskState]:
        for state in states:
            if not state.sample.choices:
                raise ConfigError(f"multiple_choice: sample {state.sample.id!r} has no choices")
            prompt = _choice_prompt(state.user_prompt.content, state.sample.choices, template)
            state.set_user_prompt(prompt)
        return states

    return solve


def generate(config: GenerateConfig | None = None) -> Solver:
    """Call the model (``config`` overrides the task's generation settings)."""

    def solve(states: list[TaskState], generate: Generate) -> list[TaskState]:
        return generate(states, config)

    return solve


DEFAULT_CRITIQUE_TEMPLATE = (
    "Here is a question and an answer to it.\n\n[Question]\n{question}\n\n[Answer]\n{completion}"
    "\n\nCritique the answer: point out any mistakes. If it is fully correct, say so."
)
DEFAULT_COMPLETION_TEMPLATE = (
    "A reviewer wrote this critique of your answer:\n\n{critique}\n\n"
    "Taking it into account, give your final answer to the original question."
)


def self_critique(
    critique_template: str = DEFAULT_CRITIQUE_TEMPLATE,
    completion_template: str = DEFAULT_COMPLETION_TEMPLATE,
) -> Solver:
    """After a first answer, have the model critique it, then answer again given the critique.

    Two more model calls per batch. The critique runs as a separate conversation; its tokens
    and latency count towards the sample's totals.
    """

    def solve(states: list[TaskState], generate: Generate) -> list[TaskState]:
        live = [s for s in states if not s.completed]
        critics = []
        for state in live:
            values = {"question": state.sample.input_text, "completion": state.output}
            text = fill(critique_template, values, "self_critique")
            critics.append(TaskState(state.sample, state.epoch, [Message("user", text)]))
        generate(critics)
        for state, critic in zip(live, critics, strict=True):
            state.input_tokens += critic.input_tokens
            state.output_tokens += critic.output_tokens
            state.latency_s += critic.latency_s
            text = fill(completion_template, {"critique": critic.output}, "self_critique")
            state.messages.append(Message("user", text))
        generate(live)
        return states

    return solve
