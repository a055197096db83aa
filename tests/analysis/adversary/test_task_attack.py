"""Attacking an LLM on an eval task, with a scripted model whose answers are known."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import pytest

from kitchen.analysis.adversary import PromptInjection, WordInsertion, attack_task, make_attack
from kitchen.analysis.adversary.task_attack import perturb_sample
from kitchen.scorers import get_scorer
from kitchen.tasks import Sample, Task
from kitchen.types import Message
from tests.tasks.conftest import ScriptedModel


def adder(messages: Sequence[Message]) -> str:
    """Adds the two numbers of the question, unless an injected instruction takes over."""
    prompt = messages[-1].content
    if "BANANA" in prompt:
        return "BANANA"
    found = re.search(r"(\d+)\s*\+\s*(\d+)", prompt)
    return str(int(found[1]) + int(found[2])) if found else "?"


def sums_task() -> Task:
    samples = [Sample(f"s{i}", f"What is {i}+{i + 1}?", str(2 * i + 1)) for i in range(4)]
    samples.append(Sample("wrong", "What is 2+2?", "5"))  # the target is wrong: never correct
    return Task(name="sums", dataset=samples, scorer=get_scorer("exact_match"))


def test_injection_breaks_every_correct_sample() -> None:
    model = ScriptedModel(adder)
    report = attack_task(
        sums_task(),
        model,
        [PromptInjection(category="basic"), WordInsertion()],
        severities=(0.2, 0.5),
        seed=1,
        model_name="adder",
    )
    assert report.target == "task" and report.task == "sums" and report.n_examples == 5
    assert report.clean_accuracy == pytest.approx(0.8)
    assert report.clean_queries == 5
    injection = report.attack("prompt_injection_basic")
    assert len(injection.levels) == 1  # a template runs once, at its own rate
    level = injection.strongest
    assert level.success_rate == 1.0 and level.flipped == 4 and level.originally_correct == 4
    assert level.accuracy == 0.0 and level.accuracy_drop == pytest.approx(0.8)
    assert level.drop_severity == "critical"
    assert level.consistency == pytest.approx(1 / 5)  # only the always-wrong sample agrees
    assert level.queries_per_example == 1.0
    assert injection.worst[0].attacked_prediction == "BANANA"
    assert "Ignore" in injection.worst[0].perturbed or "Disregard" in injection.worst[0].perturbed
    # Filler words never touch "i+j": the answers stand at every severity.
    filler = report.attack("word_insertion")
    assert [lv.severity for lv in filler.levels] == [0.2, 0.5]
    assert all(lv.success_rate == 0 and lv.consistency == 1 for lv in filler.levels)
    assert filler.worst == ()
    # One clean pass plus one pass per level, batched.
    assert sum(model.batch_sizes) == 5 * 4
    json.dumps(report.to_dict(), allow_nan=False)


def test_limit_and_tries() -> None:
    model = ScriptedModel(adder)
    report = attack_task(
        sums_task(), model, [make_attack("word_shuffle")], severities=(1.0,), limit=3, tries=2
    )
    assert report.n_examples == 3
    level = report.attack("word_shuffle").strongest
    # "What is i+j?" shuffled keeps "i+j?" intact: nothing breaks, so both tries run.
    assert level.variants == 6 and level.queries_per_example == 2.0


def test_conversation_inputs_perturb_the_last_user_turn() -> None:
    sample = Sample(
        "c",
        (
            Message("system", "Be brief."),
            Message("user", "What is 1+2?"),
            Message("assistant", "3"),
        ),
        "3",
    )
    out = perturb_sample(sample, PromptInjection(category="basic"), seed=0)
    assert isinstance(out.input, tuple)
    assert out.input[0] == sample.input[0] and out.input[2] == sample.input[2]
    assert out.input[1].content.startswith("What is 1+2?") and "BANANA" in out.input[1].content
