"""Solvers: the exact conversations they send to the model."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kitchen.errors import ConfigError
from kitchen.scorers import get_scorer
from kitchen.tasks import (
    Sample,
    Task,
    chain_of_thought,
    few_shot,
    generate,
    multiple_choice,
    prompt_template,
    run_task,
    self_critique,
    system_message,
)
from kitchen.tasks.solvers import DEFAULT_COT_TEMPLATE
from kitchen.types import Message
from tests.tasks.conftest import Reply, ScriptedModel

Scripted = Callable[[Reply], ScriptedModel]
MC = Sample("m1", "What is 2 + 2?", "B", choices=("3", "4", "5"), metadata={"topic": "sums"})


def sent(scripted: Scripted, sample: Sample, *solver: object, reply: str = "B") -> list[Message]:
    model = scripted(lambda m: reply)
    task = Task(name="t", dataset=[sample], scorer=get_scorer("choice"), solver=solver)  # type: ignore[arg-type]
    run_task(task, model)
    return model.calls[0][0]


def test_system_message_prompt_template_and_multiple_choice(scripted: Scripted) -> None:
    messages = sent(
        scripted,
        MC,
        system_message("Be brief."),
        prompt_template("[{topic}] {input}"),
        multiple_choice(),
        generate(),
    )
    assert messages == [
        Message("system", "Be brief."),
        Message(
            "user",
            "Answer the following multiple-choice question with the letter of the correct "
            "option (A, B, C) only.\n\n[sums] What is 2 + 2?\n\nA) 3\nB) 4\nC) 5\n\nAnswer:",
        ),
    ]


def test_few_shot_puts_worked_examples_after_the_system_turn(scripted: Scripted) -> None:
    pool = [Sample(f"d{i}", f"{i} + {i}?", f"{2 * i}") for i in range(1, 5)]
    question = Sample("q", "9 + 9?", "18")
    messages = sent(
        scripted, question, system_message("S"), few_shot(pool, 2, template="Q: {input}"),
        prompt_template("Q: {input}"), generate(), reply="18",
    )  # fmt: skip
    assert messages == [
        Message("system", "S"),
        Message("user", "Q: 1 + 1?"),
        Message("assistant", "2"),
        Message("user", "Q: 2 + 2?"),
        Message("assistant", "4"),
        Message("user", "Q: 9 + 9?"),
    ]
    drawn = sent(scripted, question, few_shot(pool, 2, seed=3), generate(), reply="18")
    again = sent(scripted, question, few_shot(pool, 2, seed=3), generate(), reply="18")
    assert drawn == again and len(drawn) == 5
    with pytest.raises(ConfigError, match="k must be in"):
        few_shot(pool, 5)


def test_few_shot_groups_by_metadata_and_renders_choices(scripted: Scripted) -> None:
    pool = [
        Sample("a", "Capital of France?", "A", ("Paris", "Rome"), {"subject": "geo"}),
        Sample("b", "1 + 1?", "B", ("3", "2"), {"subject": "math"}),
    ]
    messages = sent(
        scripted, MC.__class__("m", "2 + 3?", "A", ("5", "6"), {"subject": "math"}),
        few_shot(pool, 1, group_by="subject"), multiple_choice("{question}\n{choices}"),
        generate(),
    )  # fmt: skip
    demo = messages[0].content
    assert "1 + 1?" in demo and "A) 3\nB) 2" in demo
    assert messages[1] == Message("assistant", "B")
    assert messages[2] == Message("user", "2 + 3?\nA) 5\nB) 6")


def test_chain_of_thought_and_template_errors(scripted: Scripted) -> None:
    sample = Sample("c", "Why?", "because")
    messages = sent(scripted, sample, chain_of_thought(), generate())
    assert messages[-1].content == DEFAULT_COT_TEMPLATE.format(input="Why?")
    with pytest.raises(ConfigError, match=r"\{missing\}"):
        sent(scripted, sample, prompt_template("{missing}"), generate())
    with pytest.raises(ConfigError, match="has no choices"):
        sent(scripted, sample, multiple_choice(), generate())


def test_self_critique_calls_the_model_three_times_per_batch(scripted: Scripted) -> None:
    replies = iter(["first", "it is wrong", "second"] * 1)
    model = scripted(lambda m: next(replies))
    task = Task(
        name="t",
        dataset=[Sample("s", "Q?", "second")],
        scorer=get_scorer("exact_match"),
        solver=(generate(), self_critique()),
    )
    result = run_task(task, model)
    assert model.batch_sizes == [1, 1, 1]
    critique_prompt = model.calls[1][0][0].content
    assert "Q?" in critique_prompt and "first" in critique_prompt
    final = model.calls[2][0]
    assert [m.role for m in final] == ["user", "assistant", "user"]
    assert "it is wrong" in final[-1].content
    row = result.samples[0]
    assert row.output == "second" and row.score == 1.0
    assert row.input == "Q?"  # the first prompt, not the critique
    assert row.latency_s == 1.5  # three generations of 0.5 s
