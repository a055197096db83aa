"""Built-in tasks: shipped samples offline (source=sample and auto), the hub path through a
faked hub snapshot, and each task's prompt and scoring on a scripted model."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from kitchen.adapters.fake.hub import FakeHub
from kitchen.adapters.hf.dataset import HFDatasetSource
from kitchen.data import DATA_DIR
from kitchen.errors import ConfigError, HubError
from kitchen.tasks import get_task, run_task
from kitchen.tasks.builtin.mmlu import MMLU_STEM, MMLU_SUBJECTS
from tests.tasks.conftest import Reply, ScriptedModel

Scripted = Callable[[Reply], ScriptedModel]

SIZES = {"gsm8k": 50, "mmlu": 60, "mmlu_stem": 31, "humaneval": 20}


@pytest.mark.parametrize("name", sorted(SIZES))
def test_sample_source_loads_the_shipped_file(name: str) -> None:
    task = get_task(name, source="sample")
    assert len(task.dataset) == SIZES[name]
    assert task.source.startswith("shipped sample kitchen/data/")
    assert len({s.id for s in task.dataset}) == len(task.dataset)


@pytest.mark.parametrize("name", sorted(SIZES))
def test_auto_falls_back_to_the_sample_offline_and_says_so(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="kitchen.tasks.sources"):
        task = get_task(name, source="auto")
    assert task.source.startswith("shipped sample")
    assert "using the shipped sample" in caplog.text


def test_hub_source_offline_is_an_error() -> None:
    with pytest.raises(HubError):
        get_task("gsm8k", source="hub")
    with pytest.raises(ConfigError, match="source: must be one of auto, hub, sample"):
        get_task("gsm8k", source="web")


def test_arithmetic_is_the_shipped_test_set() -> None:
    task = get_task("arithmetic")
    assert len(task.dataset) == 200 and task.source == "shipped kitchen/data/arithmetic_test.jsonl"
    first = task.dataset[0]
    assert first.input_text == "Compute 12+40." and first.target == "52"


def test_gsm8k_targets_prompt_and_few_shot(scripted: Scripted) -> None:
    task = get_task("gsm8k", source="sample", fewshot=2)
    assert task.dataset[0].target == "290"
    model = scripted(lambda m: "Half of 580 is 290. The answer is 290.")
    result = run_task(task, model, limit=2)
    assert [r.score for r in result.samples] == [1.0, 0.0]
    messages = model.calls[0][0]
    assert [m.role for m in messages] == ["user", "assistant", "user", "assistant", "user"]
    assert messages[1].content.endswith("The answer is 74.") and "<<" not in messages[1].content
    assert messages[-1].content.endswith(task.dataset[0].input_text)
    with pytest.raises(ConfigError, match="fewshot"):
        get_task("gsm8k", source="sample", fewshot=9)


def test_mmlu_subjects_and_scoring(scripted: Scripted) -> None:
    task = get_task("mmlu", source="sample", subjects=["anatomy"])
    assert len(task.dataset) == 2 and task.dataset[0].choices[2] == "Femur"
    model = scripted(lambda m: "C")
    result = run_task(task, model)
    assert [r.score for r in result.samples] == [1.0, 0.0]
    assert "C) Femur" in model.calls[0][0][-1].content
    with pytest.raises(ConfigError, match="did you mean anatomy"):
        get_task("mmlu", source="sample", subjects=["anatomyy"])
    stem = get_task("mmlu_stem", source="sample")
    assert {s.metadata["subject"] for s in stem.dataset} <= set(MMLU_STEM)
    assert len(MMLU_SUBJECTS) == 57 and len(MMLU_STEM) == 19
    fewshot = get_task("mmlu", source="sample", fewshot=1)
    model = scripted(lambda m: "A")
    run_task(fewshot, model, limit=1)
    assert [m.role for m in model.calls[0][0]] == ["user", "assistant", "user"]


def test_mmlu_sample_is_well_formed() -> None:
    rows = [
        json.loads(line)
        for line in (DATA_DIR / "tasks" / "mmlu_sample.jsonl").read_text().splitlines()
    ]
    assert all(set(r) == {"subject", "question", "choices", "answer"} for r in rows)
    assert all(r["subject"] in MMLU_SUBJECTS and len(r["choices"]) == 4 for r in rows)
    assert len({r["question"] for r in rows}) == len(rows)
    answers = [r["answer"] for r in rows]
    assert all(answers.count(i) >= 10 for i in range(4))  # no letter dominates
    assert sum(r["subject"] in MMLU_STEM for r in rows) >= 25


def _fake_gsm8k_snapshot(folder: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    (folder / "main").mkdir(parents=True)
    (folder / "README.md").write_text(
        "---\nconfigs:\n- config_name: main\n  data_files:\n  - split: train\n"
        "    path: main/train-*.parquet\n  - split: test\n    path: main/test-*.parquet\n---\n"
    )
    rows = {
        "test": [("What is 6 * 7?", "6 * 7 = <<6*7=42>>42\n#### 42"),
                 ("What is 1,000 + 234?", "1000 + 234 = 1234\n#### 1,234")],
        "train": [("What is 2 + 2?", "2 + 2 = <<2+2=4>>4\n#### 4")],
    }  # fmt: skip
    for split, pairs in rows.items():
        table = pa.table({"question": [q for q, _ in pairs], "answer": [a for _, a in pairs]})
        pq.write_table(table, folder / "main" / f"{split}-00000-of-00001.parquet")


def test_hub_source_reads_a_cached_snapshot(tmp_path: Path, scripted: Scripted) -> None:
    _fake_gsm8k_snapshot(tmp_path / "gsm8k")
    hub = FakeHub(datasets={"openai/gsm8k": tmp_path / "gsm8k"})
    source = HFDatasetSource(hub=hub, cache_dir=tmp_path / "cache")
    task = get_task("gsm8k", source="auto", fewshot=1, dataset_source=source)
    assert task.source == "hub openai/gsm8k (main) split test"
    assert [s.target for s in task.dataset] == ["42", "1234"]
    model = scripted(lambda m: "The answer is 42.")
    run_task(task, model, limit=1)
    assert model.calls[0][0][1].content == "2 + 2 = 4\nThe answer is 4."
