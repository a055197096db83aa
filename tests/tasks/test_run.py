"""run_task: exact metrics, batching, epochs and pass@k, secondary scorers, errors."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

import pytest

from kitchen.errors import ConfigError, DataError
from kitchen.scorers import get_scorer
from kitchen.tasks import GenerateConfig, Sample, Task, generate, prompt_template, run_task
from kitchen.types import Message
from tests.tasks.conftest import Reply, ScriptedModel

Scripted = Callable[[Reply], ScriptedModel]


def numbered(n: int) -> list[Sample]:
    return [Sample(f"s{i}", f"q{i}", f"a{i}") for i in range(n)]


def right_for_even(messages: Sequence[Message]) -> str:
    i = int(messages[-1].content.rsplit("q", 1)[1])
    return f"a{i}" if i % 2 == 0 else "no idea"


def test_accuracy_and_stderr_are_exact(scripted: Scripted) -> None:
    task = Task(name="t", dataset=numbered(10), scorer=get_scorer("exact_match"))
    result = run_task(task, scripted(right_for_even))
    assert result.metrics["accuracy"] == 0.5
    # 0/1 scores, p = 0.5, n = 10: sqrt(p (1 - p) / (n - 1)) = 1/6.
    assert result.metrics["stderr"] == pytest.approx(1 / 6, abs=1e-12)
    assert result.metrics["n"] == 10 and result.metrics["epochs"] == 1
    assert [r.score for r in result.samples] == [1.0, 0.0] * 5
    first = result.samples[0]
    assert (first.sample_id, first.input, first.target, first.output) == ("s0", "q0", "a0", "a0")
    assert first.answer == "a0" and "matches" in first.explanation
    assert first.input_tokens == 1 and first.output_tokens == 1 and first.latency_s == 0.5
    assert first.metadata["stop_reason"] == "stop"
    assert result.metrics["mean_latency_s"] == 0.5
    assert result.metrics["output_tokens"] == 5 * 1 + 5 * 2
    assert result.metrics["samples_per_s"] > 0 and result.metrics["output_tokens_per_s"] > 0
    assert result.task == "t" and result.model == "scripted"


def test_generation_is_batched_not_per_sample(scripted: Scripted) -> None:
    model = scripted(right_for_even)
    progress: list[tuple[int, int]] = []
    task = Task(name="t", dataset=numbered(10), scorer=get_scorer("exact_match"))
    run_task(task, model, batch_size=4, on_batch=lambda done, total: progress.append((done, total)))
    assert model.batch_sizes == [4, 4, 2]
    assert progress == [(4, 10), (8, 10), (10, 10)]
    model = scripted(right_for_even)
    run_task(task, model, batch_size=8, epochs=2)
    assert model.batch_sizes == [8, 8, 4]


def test_limit_takes_the_first_samples(scripted: Scripted) -> None:
    task = Task(name="t", dataset=numbered(10), scorer=get_scorer("exact_match"))
    result = run_task(task, scripted(right_for_even), limit=3)
    assert [r.sample_id for r in result.samples] == ["s0", "s1", "s2"]
    assert result.metrics["n"] == 3


def test_epochs_and_pass_at_k_match_the_closed_form(scripted: Scripted) -> None:
    correct = [0, 1, 2, 3, 5]  # sample i is right in its first correct[i] of 5 epochs
    seen: Counter[str] = Counter()

    def reply(messages: Sequence[Message]) -> str:
        prompt = messages[-1].content
        i = int(prompt.removeprefix("q"))
        seen[prompt] += 1
        return f"a{i}" if seen[prompt] <= correct[i] else "wrong"

    task = Task(
        name="code",
        dataset=numbered(5),
        scorer=get_scorer("exact_match"),
        epochs=5,
        metrics=("accuracy", "stderr", "pass@k"),
    )
    result = run_task(task, scripted(reply), batch_size=7)
    n = 5
    for k in range(1, 6):
        expected = sum(
            1 - math.comb(n - c, k) / math.comb(n, k) if n - c >= k else 1.0 for c in correct
        ) / len(correct)
        assert result.metrics[f"pass@{k}"] == pytest.approx(expected, abs=1e-12)
    means = [c / n for c in correct]
    mean = sum(means) / 5
    stderr = math.sqrt(sum((m - mean) ** 2 for m in means) / 4 / 5)
    assert result.metrics["accuracy"] == pytest.approx(sum(correct) / 25)
    assert result.metrics["stderr"] == pytest.approx(stderr)  # clustered by sample
    assert result.metrics["epochs"] == 5 and result.metrics["n"] == 5
    assert len(result.samples) == 25
    assert [r.epoch for r in result.samples[:5]] == [0, 1, 2, 3, 4]


def test_a_single_pass_at_k_is_reported_only_up_to_the_epochs(scripted: Scripted) -> None:
    task = Task(
        name="t",
        dataset=numbered(2),
        scorer=get_scorer("exact_match"),
        metrics=("accuracy", "pass@2", "pass@10"),
    )
    result = run_task(task, scripted(right_for_even), epochs=2)
    assert result.metrics["pass@2"] == 0.5
    assert "pass@10" not in result.metrics and "stderr" not in result.metrics


def test_secondary_scorers_and_several_targets(scripted: Scripted) -> None:
    samples = [Sample("x", "q", ("Paris", "paris, France"))]
    task = Task(
        name="t",
        dataset=samples,
        scorer=(get_scorer("exact_match"), get_scorer("includes"), get_scorer("f1")),
    )
    result = run_task(task, scripted(lambda m: "It is Paris"))
    row = result.samples[0]
    assert row.target == "Paris | paris, France"
    assert row.score == 0.0 and row.scores == {"includes": 1.0, "f1": pytest.approx(0.5)}
    assert result.metrics["includes"] == 1.0


def test_solver_config_overrides_the_task_config(scripted: Scripted) -> None:
    model = scripted(right_for_even)
    task = Task(
        name="t",
        dataset=numbered(2),
        scorer=get_scorer("exact_match"),
        solver=(prompt_template("Q: {input}"), generate(GenerateConfig(max_new_tokens=7))),
        config=GenerateConfig(max_new_tokens=99),
    )
    result = run_task(task, model)
    assert model.configs[0].max_new_tokens == 7
    assert result.samples[0].input == "Q: q0"


def test_a_chain_without_generate_is_refused(scripted: Scripted) -> None:
    task = Task(
        name="t",
        dataset=numbered(2),
        scorer=get_scorer("exact_match"),
        solver=(prompt_template("{input}"),),
    )
    with pytest.raises(ConfigError, match="never called generate"):
        run_task(task, scripted(right_for_even))


def test_bad_arguments_and_empty_tasks_are_refused(scripted: Scripted) -> None:
    task = Task(name="t", dataset=[], scorer=get_scorer("exact_match"))
    with pytest.raises(DataError, match="no samples"):
        run_task(task, scripted(right_for_even))
    full = Task(name="t", dataset=numbered(2), scorer=get_scorer("exact_match"))
    with pytest.raises(ConfigError, match="batch_size"):
        run_task(full, scripted(right_for_even), batch_size=0)
    with pytest.raises(ConfigError, match="epochs"):
        run_task(full, scripted(right_for_even), epochs=0)


def test_task_validation() -> None:
    scorer = get_scorer("exact_match")
    with pytest.raises(ConfigError, match="repeated"):
        Task(name="t", dataset=[Sample("a", "q", "x"), Sample("a", "r", "y")], scorer=scorer)
    with pytest.raises(ConfigError, match="unknown metric"):
        Task(name="t", dataset=[], scorer=scorer, metrics=("f2",))
    with pytest.raises(ConfigError, match="epochs"):
        Task(name="t", dataset=[], scorer=scorer, epochs=0)
    with pytest.raises(ConfigError, match="top_p"):
        GenerateConfig(top_p=0.0)


class BatchScorer:
    """Counts calls: score_batch must be preferred over per-sample calls."""

    name = "batchy"

    def __init__(self) -> None:
        self.batches: list[int] = []

    def __call__(self, output: str, target: object, *, metadata: object = None) -> object:
        raise AssertionError("run_task should have used score_batch")

    def score_batch(self, outputs: list[str], targets: list[object], metadatas: list[dict]) -> list:
        from kitchen.scorers import Score

        self.batches.append(len(outputs))
        assert metadatas[0]["input"] == "q0"
        return [Score(float(o.startswith("a")), o) for o in outputs]


def test_score_batch_is_preferred(scripted: Scripted) -> None:
    scorer = BatchScorer()
    task = Task(name="t", dataset=numbered(6), scorer=scorer)  # type: ignore[arg-type]
    result = run_task(task, scripted(right_for_even), batch_size=2)
    assert scorer.batches == [6]
    assert result.metrics["accuracy"] == 0.5
