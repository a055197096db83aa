"""One contract for every DatasetSource: the fake and the Hugging Face one (local files).

Each case wraps the same examples in its own way (in memory, or a JSON Lines file whose eval
split is a second file) and must split, limit and fingerprint them by the same rules.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from kitchen.adapters.fake.dataset import FakeDatasetSource
from kitchen.adapters.hf.dataset import HFDatasetSource
from kitchen.errors import ConfigError, DataError
from kitchen.ports.dataset import DatasetSource, DatasetSpec
from kitchen.types import Example, Message


def make_examples(n: int, prefix: str = "ex") -> list[Example]:
    return [
        Example(
            (Message("user", f"What is {i}+{i}?"), Message("assistant", str(2 * i))),
            id=f"{prefix}-{i}",
        )
        for i in range(n)
    ]


@dataclasses.dataclass
class Case:
    """A source holding ``train`` (and a ``test`` split) plus how to address it."""

    source: DatasetSource
    name: str
    eval_split: str  # how this implementation names the explicit held-out split
    missing: str  # a source it does not have


Build = Callable[[Sequence[Example], Sequence[Example]], Case]


def _write_jsonl(path: Path, examples: Sequence[Example]) -> Path:
    rows = (
        {"id": e.id, "messages": [{"role": m.role, "content": m.content} for m in e.messages]}
        for e in examples
    )
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(params=["fake", "hf"])
def build(request: pytest.FixtureRequest, tmp_path: Path) -> Build:
    counter = iter(range(1000))

    def fake(train: Sequence[Example], test: Sequence[Example]) -> Case:
        source = FakeDatasetSource({"mem": {"train": train, "test": test}})
        return Case(source, "mem", "test", "other")

    def hf(train: Sequence[Example], test: Sequence[Example]) -> Case:
        n = next(counter)
        train_file = _write_jsonl(tmp_path / f"train{n}.jsonl", train)
        test_file = _write_jsonl(tmp_path / f"test{n}.jsonl", test)
        return Case(HFDatasetSource(), str(train_file), str(test_file), str(tmp_path / "no.jsonl"))

    return fake if request.param == "fake" else hf


def load(case: Case, **changes: Any) -> Any:
    spec = DatasetSpec(source=case.name, eval_split="", **changes)
    return case.source.load(spec)


def test_carves_a_seeded_disjoint_eval_share(build: Build) -> None:
    examples = make_examples(50)
    case = build(examples, [])
    loaded = load(case, eval_fraction=0.1, seed=1)
    assert (len(loaded.train), len(loaded.eval)) == (45, 5)
    train_ids, eval_ids = [e.id for e in loaded.train], [e.id for e in loaded.eval]
    assert not set(train_ids) & set(eval_ids)
    assert sorted(train_ids + eval_ids) == sorted(e.id for e in examples)
    order = {e.id: i for i, e in enumerate(examples)}
    assert train_ids == sorted(train_ids, key=order.__getitem__)  # file order kept
    assert load(case, eval_fraction=0.1, seed=1) == loaded
    assert {e.id for e in load(case, eval_fraction=0.1, seed=2).eval} != set(eval_ids)


def test_no_fraction_means_no_eval(build: Build) -> None:
    loaded = load(build(make_examples(10), []), eval_fraction=0.0)
    assert (len(loaded.train), len(loaded.eval)) == (10, 0)


def test_limits_cap_train_and_eval_and_spare_rows_stay_in_training(build: Build) -> None:
    case = build(make_examples(100), [])
    loaded = load(case, limit=20, eval_fraction=0.2, eval_limit=5)
    assert (len(loaded.train), len(loaded.eval)) == (20, 5)
    assert len(load(case, eval_fraction=0.2, eval_limit=5).train) == 95


def test_an_explicit_eval_split_is_used_whole(build: Build) -> None:
    train, test = make_examples(30), make_examples(7, prefix="held")
    case = build(train, test)
    loaded = case.source.load(DatasetSpec(source=case.name, eval_split=case.eval_split))
    assert loaded.train == tuple(train)
    assert loaded.eval == tuple(test)
    limited = case.source.load(
        DatasetSpec(source=case.name, eval_split=case.eval_split, eval_limit=3)
    )
    assert limited.eval == tuple(test[:3])


def test_examples_keep_ids_and_messages(build: Build) -> None:
    examples = make_examples(5)
    loaded = load(build(examples, []), eval_fraction=0.0)
    assert loaded.train == tuple(examples)
    assert loaded.train[2].target == "4"


def test_fingerprint_is_stable_and_follows_content(build: Build) -> None:
    examples = make_examples(20)
    first = load(build(examples, []))
    assert load(build(examples, [])).fingerprint == first.fingerprint
    changed = [*examples[:-1], Example(examples[0].messages, id="x")]
    assert load(build(changed, [])).fingerprint != first.fingerprint
    assert len(first.fingerprint) == 64


def test_unknown_source_is_a_data_error(build: Build) -> None:
    case = build(make_examples(3), [])
    with pytest.raises(DataError):
        case.source.load(DatasetSpec(source=case.missing))


@pytest.mark.parametrize(
    "changes",
    [{"limit": -1}, {"eval_fraction": 1.0}, {"eval_fraction": -0.1}, {"eval_split": "train"}],
)
def test_bad_settings_are_config_errors(build: Build, changes: dict[str, Any]) -> None:
    case = build(make_examples(3), [])
    spec = dataclasses.replace(DatasetSpec(source=case.name, eval_split=""), **changes)
    with pytest.raises(ConfigError):
        case.source.load(spec)


def test_records_are_the_rows_of_the_same_split_and_carve(build: Build) -> None:
    case = build(make_examples(30), make_examples(5, "held"))
    spec = DatasetSpec(source=case.name, eval_split="", limit=20, eval_limit=3, seed=4)
    examples = case.source.load(spec)
    records = case.source.load_records(spec)
    assert [r["id"] for r in records.train] == [e.id for e in examples.train]
    assert [r["id"] for r in records.eval] == [e.id for e in examples.eval]
    assert records.train[0]["messages"][1] == {"role": "assistant", "content": "0"}
    assert records.fingerprint == case.source.load_records(spec).fingerprint
    explicit = dataclasses.replace(spec, eval_split=case.eval_split)
    assert [r["id"] for r in case.source.load_records(explicit).eval] == [
        "held-0",
        "held-1",
        "held-2",
    ]
