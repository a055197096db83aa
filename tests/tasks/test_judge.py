"""The LLM judge with a scripted judge model: C / P / I / unparsable grades, batching."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from kitchen.scorers import get_scorer, scorer_names
from kitchen.scorers.judge import ModelGraded, model_graded_fact, model_graded_qa
from kitchen.tasks import Sample, Task, run_task
from kitchen.types import Message
from tests.tasks.conftest import Reply, ScriptedModel

Scripted = Callable[[Reply], ScriptedModel]


def judge_by_answer(messages: Sequence[Message]) -> str:
    text = messages[-1].content
    for answer, grade in (("right", "GRADE: C"), ("half", "GRADE: P"), ("wrong", "GRADE: I")):
        if f"[Submitted answer]\n{answer}" in text:
            return f"The answer is {answer}, because I checked.\n{grade}"
    return "I cannot decide."


@pytest.mark.parametrize("partial, half", [(False, 0.0), (True, 0.5)])
def test_grades(scripted: Scripted, partial: bool, half: float) -> None:
    judge = scripted(judge_by_answer)
    scorer = model_graded_qa(judge, partial_credit=partial)
    outputs = ["right", "half", "wrong", "rambling"]
    scores = scorer.score_batch(outputs, ["Paris"] * 4, [{"input": "Capital of France?"}] * 4)
    assert [s.value for s in scores] == [1.0, half, 0.0, 0.0]
    assert judge.batch_sizes == [4]  # one judge call for the whole batch
    assert scores[0].explanation.startswith("The answer is right") and scores[0].metadata == {
        "grade": "C"
    }
    assert "gave no grade" in scores[3].explanation and "I cannot decide." in scores[3].explanation
    prompt = judge.calls[0][0][0].content
    assert "Capital of France?" in prompt and "[Criterion]\nParis" in prompt
    assert ("GRADE: P" in prompt) is partial


def test_last_grade_counts_and_single_call(scripted: Scripted) -> None:
    judge = scripted(lambda m: "Format: GRADE: C or GRADE: I. Verdict:\nGRADE: I")
    score = model_graded_fact(judge)("text", "target", metadata={"input": "q"})
    assert score.value == 0.0 and score.metadata["grade"] == "I"
    assert "[Expert answer]\ntarget" in judge.calls[0][0][0].content


def test_registered_and_used_by_run_task(scripted: Scripted) -> None:
    assert {"model_graded_qa", "model_graded_fact"} <= set(scorer_names())
    judge = scripted(judge_by_answer)
    scorer = get_scorer("model_graded_qa", model=judge)
    assert isinstance(scorer, ModelGraded)
    task = Task(name="t", dataset=[Sample(f"s{i}", f"q{i}", "x") for i in range(4)], scorer=scorer)
    solver_model = scripted(lambda m: "right" if m[-1].content in ("q0", "q1") else "wrong")
    result = run_task(task, solver_model, batch_size=2)
    assert result.metrics["accuracy"] == 0.5
    assert judge.batch_sizes == [4]
    assert "[Task]\nq0" in judge.calls[0][0][0].content


def test_bad_templates_are_refused(scripted: Scripted) -> None:
    with pytest.raises(ValueError, match="judge template"):
        model_graded_qa(scripted(judge_by_answer), template="{question} {verdict}")
