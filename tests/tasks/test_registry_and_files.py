"""The task registry and custom tasks from JSONL / CSV files with field mappings."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from kitchen.errors import ConfigError, DataError, NotFoundError
from kitchen.tasks import describe_task, get_task, run_task, task_names
from kitchen.types import Message
from tests.tasks.conftest import Reply, ScriptedModel

Scripted = Callable[[Reply], ScriptedModel]


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_names_and_descriptions() -> None:
    assert task_names() == ["arithmetic", "gsm8k", "humaneval", "mmlu", "mmlu_stem"]
    info = describe_task("gsm8k")
    assert info.options["fewshot"] == 0 and info.options["source"] == "auto"
    assert "openai/gsm8k" in info.source and info.description


def test_unknown_names_and_options_are_named() -> None:
    with pytest.raises(NotFoundError, match=r"no task named 'gsm9k'; known tasks: arithmetic"):
        get_task("gsm9k")
    with pytest.raises(ConfigError, match=r"unknown option.*fewshots.*it takes: source"):
        get_task("gsm8k", fewshots=3)


def test_jsonl_task_with_a_field_mapping(tmp_path: Path, scripted: Scripted) -> None:
    path = write_jsonl(
        tmp_path / "qa.jsonl",
        [
            {"qid": "k1", "question": "Capital of France?", "answer": "Paris", "level": 1},
            {"qid": "k2", "question": "Capital of Italy?", "answer": ["Rome", "Roma"]},
        ],
    )
    task = get_task(
        f"jsonl:{path}",
        fields={"input": "question", "target": "answer", "id": "qid"},
        template="Answer briefly. {input}",
    )
    assert task.name == "qa" and str(path) in task.source
    assert [s.id for s in task.dataset] == ["k1", "k2"]
    assert task.dataset[1].target == ("Rome", "Roma")
    assert task.dataset[0].metadata == {"level": 1}
    model = scripted(lambda m: "Paris" if "France" in m[-1].content else "Roma")
    result = run_task(task, model)
    assert result.metrics["accuracy"] == 1.0
    assert result.samples[0].input == "Answer briefly. Capital of France?"


def test_csv_multiple_choice_task(tmp_path: Path, scripted: Scripted) -> None:
    path = tmp_path / "mc.csv"
    path.write_text(
        'prompt,options,gold\n"2+2?","[""3"", ""4""]",1\n'
        '"Sky colour?","[""blue"", ""red""]",blue\n',
        encoding="utf-8",
    )
    task = get_task(str(path), fields={"input": "prompt", "choices": "options", "target": "gold"})
    assert [s.target for s in task.dataset] == ["B", "A"]
    assert task.dataset[0].choices == ("3", "4")
    result = run_task(task, scripted(lambda m: "B"))
    assert [r.score for r in result.samples] == [1.0, 0.0]


def test_messages_input_and_default_columns(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "chat.jsonl",
        [{"input": [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}],
          "target": 3}],
    )  # fmt: skip
    sample = get_task(f"jsonl:{path}").dataset[0]
    assert sample.input == (Message("system", "S"), Message("user", "U"))
    assert sample.target == "3" and sample.id == "chat-0"


def test_file_errors_name_the_file_row_and_field(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "bad.jsonl", [{"question": "a", "answer": "b"}, {"question": "c"}]
    )
    with pytest.raises(DataError, match=r"bad\.jsonl: line 2: field 'answer' is missing"):
        get_task(str(path))
    with pytest.raises(DataError, match=r"bad\.jsonl: no field 'prompt' \(mapped to 'input'"):
        get_task(str(path), fields={"input": "prompt"})
    with pytest.raises(ConfigError, match=r"unknown key.*label"):
        get_task(str(path), fields={"label": "answer"})
    nothing = write_jsonl(tmp_path / "cols.jsonl", [{"x": 1}])
    with pytest.raises(DataError, match=r"no input field.*it has: x"):
        get_task(str(nothing))
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"input": "a", "target": "b"}\n{oops\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"broken\.jsonl: line 2 is not valid JSON"):
        get_task(str(broken))
    with pytest.raises(DataError, match="does not exist"):
        get_task(f"csv:{tmp_path / 'missing.csv'}")
    with pytest.raises(ConfigError, match=r"does not end in \.csv"):
        get_task(f"csv:{path}")
    write_jsonl(tmp_path / "chat.jsonl", [{"input": "q", "target": "t"}])
    choice = write_jsonl(tmp_path / "c.jsonl", [{"input": "q", "target": 7, "choices": ["a", "b"]}])
    with pytest.raises(DataError, match="line 1: field 'target' is choice index 7"):
        get_task(str(choice))
    with pytest.raises(ConfigError, match="no scorer named 'nope'"):
        get_task(f"jsonl:{tmp_path / 'chat.jsonl'}", scorer="nope")
