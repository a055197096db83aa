"""Shipped data and the real dataset source over local files: formats, mapping and errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from kitchen.adapters.hf.dataset import HFDatasetSource
from kitchen.adapters.hf.hub import HFHub
from kitchen.data import SHIPPED_DATASETS, TOKENIZER_CORPUS, shipped_path
from kitchen.data.make_arithmetic import make_arithmetic, write_arithmetic
from kitchen.data.make_corpus import write_corpus
from kitchen.errors import ConfigError, DataError, HubError
from kitchen.ports.dataset import DatasetSpec
from kitchen.types import Message

OPERANDS = re.compile(r"(\d+)\s*(?:\+|and)\s*(\d+)")


def load(source: str | Path, **changes: Any) -> Any:
    return HFDatasetSource().load(DatasetSpec(source=str(source), **changes))


def write_lines(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


# Shipped data.


def test_arithmetic_ships_with_its_corpus() -> None:
    assert "arithmetic" in SHIPPED_DATASETS
    assert shipped_path(TOKENIZER_CORPUS).stat().st_size < 400_000
    for bad in ("nope.txt", "../errors.py", "__init__.py/.."):
        with pytest.raises(DataError):
            shipped_path(bad)


def test_shipped_files_match_their_generators(tmp_path: Path) -> None:
    for written in (*write_arithmetic(tmp_path), write_corpus(tmp_path)):
        assert written.read_bytes() == shipped_path(written.name).read_bytes(), written.name


def test_shipped_arithmetic_loads_with_its_test_split() -> None:
    loaded = load("kitchen/arithmetic")
    assert (len(loaded.train), len(loaded.eval)) == (4000, 200)
    assert "arithmetic_test.jsonl" in loaded.description
    for example in loaded.train[:50] + loaded.eval[:50]:
        assert [m.role for m in example.messages] == ["user", "assistant"]
        a, b = OPERANDS.search(example.messages[0].content).groups()  # type: ignore[union-attr]
        assert int(example.target) == int(a) + int(b)
    assert len(load("kitchen/arithmetic", limit=10, eval_limit=5).eval) == 5


def test_arithmetic_test_pairs_never_appear_in_training_in_either_order() -> None:
    train, test = make_arithmetic()

    def pairs(records: list[dict[str, Any]]) -> set[frozenset[int]]:
        found = set()
        for record in records:
            match = OPERANDS.search(record["messages"][0]["content"])
            assert match is not None
            found.add(frozenset(int(x) for x in match.groups()))
        return found

    assert len(train) == 4000 and len(test) == 200
    assert not pairs(train) & pairs(test)
    assert make_arithmetic() == (train, test)


def test_unknown_shipped_set_or_split_lists_what_exists() -> None:
    with pytest.raises(DataError, match="kitchen/arithmetic"):
        load("kitchen/nope")
    with pytest.raises(DataError, match="it has: test, train"):
        load("kitchen/arithmetic", split="validation")


# Local files: errors name the file, the line and the field.


def test_malformed_jsonl_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    good = json.dumps({"prompt": "a", "completion": "b"})
    path.write_text(f"{good}\n\n{good}\n{{not json\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"broken\.jsonl: line 4 is not valid JSON"):
        load(path)
    path.write_text(f"{good}\n[1, 2]\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 2 is a JSON list, not an object"):
        load(path)


def test_missing_file_and_unsupported_type(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=re.escape(str(tmp_path / "absent.jsonl"))):
        load(tmp_path / "absent.jsonl")
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(DataError, match=re.escape("unsupported file type '.txt'")):
        load(tmp_path / "notes.txt")


def test_missing_field_lists_the_fields_that_exist(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "qa.jsonl", [{"q": "1+1", "a": "2"}])
    with pytest.raises(DataError, match=r"qa\.jsonl: found no 'messages' field.*it has: q, a"):
        load(path)
    with pytest.raises(DataError, match=r"no field 'question' \(mapped to 'prompt'.*it has: q, a"):
        load(path, fields={"prompt": "question", "completion": "a"})
    with pytest.raises(ConfigError, match="unknown key"):
        load(path, fields={"answer": "a"})


def test_missing_value_in_one_row_names_its_line(tmp_path: Path) -> None:
    rows = [{"question": "1+1", "answer": "2"}, {"question": "2+2"}]
    path = write_lines(tmp_path / "gaps.jsonl", rows)
    with pytest.raises(DataError, match=r"gaps\.jsonl: line 2: field 'answer' is missing"):
        load(path, eval_fraction=0.0)


def test_bad_messages_name_line_and_position(tmp_path: Path) -> None:
    rows = [{"messages": [{"role": "user", "content": "hi"}, {"role": "bot", "content": "yo"}]}]
    path = write_lines(tmp_path / "chat.jsonl", rows)
    with pytest.raises(DataError, match=r"line 1: messages\[1\]\.role must be one of"):
        load(path, eval_fraction=0.0)


def test_ambiguous_columns_ask_for_a_mapping(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "both.jsonl", [{"question": "q", "answer": "a", "prompt": "p", "response": "r"}]
    )
    with pytest.raises(DataError, match="ambiguous fields"):
        load(path)
    loaded = load(path, fields={"prompt": "prompt", "completion": "response"}, eval_fraction=0)
    assert loaded.train[0].messages == (Message("user", "p"), Message("assistant", "r"))


# Formats and field mapping.


def test_csv_with_a_fields_mapping(tmp_path: Path) -> None:
    path = tmp_path / "sums.csv"
    path.write_text('id,q,a\nx1,"What is 1+2?",3\nx2,"Multi\nline",010\n', encoding="utf-8")
    loaded = load(path, fields={"prompt": "q", "completion": "a"}, eval_fraction=0.0)
    assert [e.id for e in loaded.train] == ["x1", "x2"]
    assert loaded.train[1].messages == (Message("user", "Multi\nline"), Message("assistant", "010"))
    with pytest.raises(DataError, match=r"sums\.csv: no field 'question'"):
        load(path, fields={"prompt": "question", "completion": "a"})


def test_undecodable_files_are_data_errors(tmp_path: Path) -> None:
    (tmp_path / "latin.jsonl").write_bytes(b'{"prompt": "caf\xe9", "completion": "x"}\n')
    with pytest.raises(DataError, match=r"latin\.jsonl: not UTF-8 text"):
        load(tmp_path / "latin.jsonl")
    huge = "x" * 200_000  # past the csv module's field size limit
    (tmp_path / "huge.csv").write_text(f'prompt,completion\na,b\n"{huge}",c\n')
    with pytest.raises(DataError, match=r"huge\.csv: near line 3, not valid CSV: field larger"):
        load(tmp_path / "huge.csv")


def test_csv_messages_column_holds_json(tmp_path: Path) -> None:
    chat = json.dumps([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}])
    path = tmp_path / "chat.csv"
    path.write_text('messages\n"' + chat.replace('"', '""') + '"\n"not json"\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"chat\.csv: line 3: field 'messages' is not a JSON list"):
        load(path, eval_fraction=0.0)


def test_parquet_with_a_fields_mapping(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "sums.parquet"
    table = pa.table({"problem": ["1+1", "2+2", "3+3"], "solution": [2, 4, 6]})
    pq.write_table(table, path)
    loaded = load(path, fields={"prompt": "problem", "completion": "solution"}, eval_fraction=0)
    assert [e.target for e in loaded.train] == ["2", "4", "6"]
    (tmp_path / "fake.parquet").write_text("not parquet")
    with pytest.raises(DataError, match="not a readable parquet file"):
        load(tmp_path / "fake.parquet")


def test_json_array_with_recognised_question_answer(tmp_path: Path) -> None:
    path = tmp_path / "qa.json"
    path.write_text(
        json.dumps([{"question": "q1", "answer": "a1"}, {"question": "q2", "answer": "a2"}])
    )
    loaded = load(path, eval_fraction=0.0)
    assert [(e.messages[0].content, e.target) for e in loaded.train] == [("q1", "a1"), ("q2", "a2")]
    path.write_text('[{"question": "q1",\n "answer": }]')
    with pytest.raises(DataError, match=r"qa\.json: line 2 is not valid JSON"):
        load(path)


def test_json_object_holding_one_list_of_records(tmp_path: Path) -> None:
    path = tmp_path / "wrapped.json"
    path.write_text(json.dumps({"version": 2, "data": [{"prompt": "p", "completion": "c"}]}))
    loaded = load(path, eval_fraction=0.0)
    assert loaded.train[0].id == "wrapped-0"
    path.write_text(json.dumps({"a": [], "b": []}))
    with pytest.raises(DataError, match="exactly one list"):
        load(path)
    path.write_text("42")
    with pytest.raises(DataError, match="found a JSON int"):
        load(path)


def test_json_file_holding_json_lines(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "lines.json", [{"prompt": "p", "completion": "c"}] * 3)
    assert len(load(path, eval_fraction=0.0).train) == 3


def test_alpaca_instruction_input_output(tmp_path: Path) -> None:
    rows = [
        {"instruction": "Add.", "input": "1 and 2", "output": "3"},
        {"instruction": "Say hi.", "input": "", "output": "hi"},
    ]
    loaded = load(write_lines(tmp_path / "alpaca.jsonl", rows), eval_fraction=0.0)
    assert [e.messages[0].content for e in loaded.train] == ["Add.\n\n1 and 2", "Say hi."]


def test_local_eval_split_names_another_file(tmp_path: Path) -> None:
    train = write_lines(
        tmp_path / "train.jsonl", [{"prompt": f"p{i}", "completion": "c"} for i in range(8)]
    )
    test = write_lines(tmp_path / "test.jsonl", [{"prompt": "held", "completion": "out"}])
    loaded = load(train, eval_split=str(test))
    assert len(loaded.train) == 8 and loaded.eval[0].messages[0].content == "held"
    assert "test.jsonl" in loaded.description


# Hub datasets (never online: the suite runs with HF_HUB_OFFLINE=1).


def test_hub_dataset_not_cached_offline_is_a_hub_error(tmp_path: Path) -> None:
    source = HFDatasetSource(
        hub=HFHub(cache_dir=tmp_path / "hub", offline=True), cache_dir=tmp_path
    )
    with pytest.raises(HubError, match=r"dataset 'acme/nothing' is not in the local cache"):
        source.load(DatasetSpec(source="acme/nothing"))


def test_hub_dataset_from_the_hub_cache_offline(tmp_path: Path) -> None:
    commit = "0123456789abcdef0123456789abcdef01234567"
    root = tmp_path / "hub" / "datasets--acme--adds"
    (root / "refs").mkdir(parents=True)
    (root / "refs" / "main").write_text(commit)
    data = root / "snapshots" / commit / "data"
    data.mkdir(parents=True)
    write_lines(
        data / "train.jsonl", [{"question": f"{i}+1", "answer": str(i + 1)} for i in range(9)]
    )
    write_lines(data / "test.jsonl", [{"question": "9+1", "answer": "10"}])
    hub = HFHub(cache_dir=tmp_path / "hub", offline=True)
    source = HFDatasetSource(hub=hub, cache_dir=tmp_path / "datasets")
    loaded = source.load(DatasetSpec(source="acme/adds"))
    assert (len(loaded.train), len(loaded.eval)) == (9, 1)
    assert loaded.eval[0].target == "10"
    carved = source.load(
        DatasetSpec(source="acme/adds", eval_split="validation", eval_fraction=0.3)
    )
    assert (len(carved.train), len(carved.eval)) == (6, 3)
    with pytest.raises(DataError, match="has no split 'dev'; it has: train, test"):
        source.load(DatasetSpec(source="acme/adds", split="dev"))
