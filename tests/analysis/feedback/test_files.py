"""Reading JSONL, CSV and Parquet event files, with column mapping and precise errors."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kitchen.analysis.feedback import EventError, parse_mapping, prepare_events, read_events

ROWS = [
    {"when": "2024-05-01T10:00:00Z", "prompt": "hi", "completion": "Hello!", "geo": "fr", "n": 3},
    {
        "when": "2024-05-01T10:05:00Z",
        "prompt": "mail a@b.io",
        "completion": "ok",
        "geo": "de",
        "n": 4,
    },
]
MAP = ["ts=when", "input=prompt", "output=completion", "feature.country=geo", "feature.n=n"]


def write(path: Path, rows: list[dict[str, object]]) -> Path:
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    elif path.suffix == ".csv":
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    else:
        pq.write_table(pa.Table.from_pylist(rows), path)
    return path


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_three_formats_read_the_same_events(tmp_path: Path, suffix: str) -> None:
    found = read_events(write(tmp_path / f"events{suffix}", ROWS), parse_mapping(MAP))
    prepared = prepare_events(found.events, locations=found.locations)
    assert [r["input"] for r in prepared.rows] == ["hi", "mail [EMAIL]"]
    assert [r["output"] for r in prepared.rows] == ["Hello!", "ok"]
    # CSV has no types: numeric feature cells come back as numbers all the same.
    assert [r["features"] for r in prepared.rows] == [
        {"country": "fr", "n": 3},
        {"country": "de", "n": 4},
    ]
    line = {".jsonl": "line 2", ".csv": "line 3", ".parquet": "row 2"}[suffix]
    assert found.locations[1] == f"events{suffix} {line}"


@pytest.mark.parametrize(
    ("suffix", "where"),
    [
        (".jsonl", "events.jsonl line 2"),
        (".csv", "events.csv line 3"),
        (".parquet", "events.parquet row 2"),
    ],
)
def test_a_bad_value_names_file_line_and_field(tmp_path: Path, suffix: str, where: str) -> None:
    rows = [dict(ROWS[0]), {**ROWS[1], "when": "not a time"}]
    found = read_events(write(tmp_path / f"events{suffix}", rows), parse_mapping(MAP))
    with pytest.raises(EventError, match=f"{where}: 'ts' must be an ISO 8601 time"):
        prepare_events(found.events, locations=found.locations)


def test_malformed_files_name_the_line(tmp_path: Path) -> None:
    bad_json = tmp_path / "a.jsonl"
    bad_json.write_text('{"ts": 1, "input": "a", "output": "b"}\n\n{"ts": 2,\n')
    with pytest.raises(EventError, match=r"a.jsonl line 3: not valid JSON"):
        read_events(bad_json)
    not_object = tmp_path / "b.jsonl"
    not_object.write_text("[1, 2]\n")
    with pytest.raises(
        EventError, match=re.escape("b.jsonl line 1: expected a JSON object, got list")
    ):
        read_events(not_object)
    ragged = tmp_path / "c.csv"
    ragged.write_text("ts,input,output\n1,a,b\n2,a,b,extra\n")
    with pytest.raises(EventError, match=re.escape("c.csv line 3: more cells than the header")):
        read_events(ragged)
    garbage = tmp_path / "d.parquet"
    garbage.write_bytes(b"not parquet")
    with pytest.raises(EventError, match=re.escape("d.parquet: not a readable Parquet file")):
        read_events(garbage)


def test_file_and_mapping_mistakes(tmp_path: Path) -> None:
    with pytest.raises(EventError, match=re.escape("unknown file type '.txt'")):
        read_events(tmp_path / "x.txt")
    with pytest.raises(EventError, match="no such file"):
        read_events(tmp_path / "missing.csv")
    with pytest.raises(EventError, match="expected FIELD=COLUMN"):
        parse_mapping(["input"])
    with pytest.raises(EventError, match="'prompt' is not a field"):
        parse_mapping(["prompt=input"])
    path = write(tmp_path / "e.csv", ROWS)
    with pytest.raises(EventError, match="column 'question' \\(mapped to 'input'\\) is not in"):
        read_events(path, parse_mapping(["input=question"]))


def test_csv_empty_cells_are_absent_and_features_json_is_read(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text('ts,input,output,latency_ms,features\n2024-05-01,a,b,,"{""lang"": ""en""}"\n')
    found = read_events(path)
    row = prepare_events(found.events, locations=found.locations).rows[0]
    assert row["latency_ms"] is None and row["features"] == {"lang": "en"}


def test_a_blank_csv_output_is_empty_text_not_missing(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text("ts,input,output,label\n2024-05-01,a,,\n")
    found = read_events(path)
    row = prepare_events(found.events, locations=found.locations).rows[0]
    assert row["output"] == "" and row["quality_flags"] == ["empty"] and row["label"] is None
