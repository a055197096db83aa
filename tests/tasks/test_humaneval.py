"""HumanEval: the shipped problems' canonical solutions pass in the sandbox, wrong ones fail,
and chat-style fenced answers are scored by their code."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kitchen.tasks import get_task, run_task
from kitchen.tasks.builtin.humaneval import HumanEvalCode, extract_code
from kitchen.types import Message
from tests.tasks.conftest import Reply, ScriptedModel

Scripted = Callable[[Reply], ScriptedModel]


def canonical_for(task_samples: Sequence[object]) -> Reply:
    by_prompt = {s.metadata["prompt"]: s.target for s in task_samples}  # type: ignore[attr-defined]

    def reply(messages: Sequence[Message]) -> str:
        for prompt, solution in by_prompt.items():
            if prompt in messages[-1].content:
                return str(solution)
        raise AssertionError("unknown prompt")

    return reply


def test_every_canonical_solution_passes_and_a_wrong_one_fails(scripted: Scripted) -> None:
    task = get_task("humaneval", source="sample")
    result = run_task(task, scripted(canonical_for(task.dataset)))
    failed = [(r.sample_id, r.explanation) for r in result.samples if r.score != 1.0]
    assert failed == []
    wrong = run_task(task, scripted(lambda m: "    return None\n"))
    assert [r.score for r in wrong.samples] == [0.0] * 20


def test_a_few_canonical_solutions_pass_and_pass_at_k_is_reported(scripted: Scripted) -> None:
    task = get_task("humaneval", source="sample")
    result = run_task(task, scripted(canonical_for(task.dataset)), limit=3, epochs=2)
    assert result.metrics["accuracy"] == 1.0
    assert result.metrics["pass@1"] == 1.0 and result.metrics["pass@2"] == 1.0
    wrong = run_task(task, scripted(lambda m: "    return 0\n"), limit=2)
    assert wrong.metrics["accuracy"] == 0.0
    assert wrong.samples[0].metadata["score"]["status"] in ("failed", "error")


def test_fenced_full_function_answers_are_extracted() -> None:
    task = get_task("humaneval", source="sample")
    sample = task.dataset[0]
    answer = (
        "Here it is:\n```python\ndef sum_of_squares(numbers):\n"
        "    return sum(n * n for n in numbers)\n```\nDone."
    )
    meta = dict(sample.metadata)
    score = HumanEvalCode({"timeout_s": 5.0})(answer, sample.target, metadata=meta)
    assert score.value == 1.0 and score.answer.startswith("def sum_of_squares")
    assert extract_code("```py\nx = 1\n") == "x = 1\n"  # an unclosed fence runs to the end
    assert extract_code("    return 1\n") == "    return 1\n"
