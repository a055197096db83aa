"""Spec validation (errors name the file and field) and expansion into named, seeded runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from kitchen.errors import ConfigError
from kitchen.experiments.plan import (
    check_plan,
    condition_names,
    expand,
    format_value,
    parse_run_name,
    run_name,
)
from kitchen.experiments.spec import load_spec, parse_spec

SPEC = """\
name: lr-sweep
recipe: sft
base: {epochs: 2, dataset: kitchen/arithmetic}
conditions:
  - {name: low, learning_rate: 3e-4}
  - {name: high, learning_rate: 1e-3}
seeds: [0, 1, 2]
metric: eval/exact_match
goal: max
baseline: low
correction: bh
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exp.yaml"
    path.write_text(text)
    return path


def test_a_valid_file_loads(tmp_path: Path) -> None:
    spec = load_spec(_write(tmp_path, SPEC))
    assert spec.name == "lr-sweep" and spec.baseline == "low" and spec.seeds == [0, 1, 2]
    assert spec.correction_method == "benjamini-hochberg"
    assert spec.conditions[0].overrides == {"learning_rate": "3e-4"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("grid: {learning_rate: 0.1}", "grid.learning_rate: expected a list"),
        ("seeds: 3", "seeds: expected a list"),
        ("goal: maximum", "goal: Input should be 'max' or 'min'"),
        ("corection: holm", "corection: unknown key; did you mean 'correction'?"),
        ("retries: -1", "retries: Input should be greater than or equal to 0"),
        ("base: {seed: 3}", "base: seed is set by the experiment"),
        ("seeds: [1, 1]", "seeds: seeds repeat"),
        ("baseline: medium", "baseline: no condition named 'medium'"),
        ("grid: {batch_size: []}", "grid: batch_size: expected at least one value"),
    ],
)
def test_errors_name_the_file_and_the_field(tmp_path: Path, text: str, expected: str) -> None:
    base = "\n".join(line for line in SPEC.splitlines() if line.split(":")[0] != text.split(":")[0])
    path = _write(tmp_path, f"{base}\n{text}\n")
    with pytest.raises(ConfigError) as caught:
        load_spec(path)
    assert str(path) in caught.value.message
    assert expected in caught.value.message


def test_condition_errors_name_the_condition() -> None:
    data = {
        "name": "x",
        "recipe": "sft",
        "conditions": [{"name": "a", "learning_rate": "abc"}, {"name": "b"}, {"name": "a"}],
    }
    with pytest.raises(ConfigError, match=r"conditions: repeated names \['a'\]"):
        parse_spec(data, source="x.yaml")
    data["conditions"] = [{"learning_rate": 1}]
    with pytest.raises(ConfigError, match=r"conditions\[0\]\.name: required"):
        parse_spec(data, source="x.yaml")


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_spec(tmp_path / "none.yaml")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_spec(_write(tmp_path, "name: [unclosed"))


def test_named_conditions_times_seeds_get_names_and_seeds(tmp_path: Path) -> None:
    spec = load_spec(_write(tmp_path, SPEC))
    runs = expand(spec)
    assert [(r.condition, r.seed) for r in runs] == [
        (c, s) for c in ("low", "high") for s in (0, 1, 2)
    ]
    first = runs[0].config
    assert first == {
        "epochs": 2,
        "dataset": "kitchen/arithmetic",
        "learning_rate": "3e-4",
        "seed": 0,
        "experiment": "lr-sweep",
        "name": "low@s0#1",
    }
    assert runs[4].config_for(3)["name"] == "high@s1#3"
    assert runs[4].config_for(3)["seed"] == 1


def test_grid_names_and_crossing_with_conditions() -> None:
    grid = {"learning_rate": ["3e-4", 1e-3], "batch_size": [16, 32]}
    spec = parse_spec({"name": "g", "recipe": "sft", "grid": grid, "seeds": [0, 1]})
    names = condition_names(spec)
    assert names == [
        "learning_rate=0.0003,batch_size=16",
        "learning_rate=0.0003,batch_size=32",
        "learning_rate=0.001,batch_size=16",
        "learning_rate=0.001,batch_size=32",
    ]
    assert len(expand(spec)) == 8
    crossed = parse_spec(
        {
            "name": "g",
            "recipe": "sft",
            "conditions": [{"name": "a", "epochs": 1}, {"name": "b", "epochs": 2}],
            "grid": {"batch_size": [16, 32]},
        }
    )
    assert condition_names(crossed) == [
        "a,batch_size=16",
        "a,batch_size=32",
        "b,batch_size=16",
        "b,batch_size=32",
    ]
    assert expand(crossed)[3].config["batch_size"] == 32
    assert expand(crossed)[3].config["epochs"] == 2
    clash = {"name": "g", "recipe": "sft", "conditions": [{"name": "a", "batch_size": 8}]}
    with pytest.raises(ConfigError, match="also varies in grid"):
        parse_spec({**clash, "grid": {"batch_size": [16]}})


def test_no_conditions_means_one_base_condition() -> None:
    spec = parse_spec({"name": "b", "recipe": "sft", "seeds": [3, 4]})
    assert [(r.condition, r.seed) for r in expand(spec)] == [("base", 3), ("base", 4)]


def test_run_names_round_trip() -> None:
    name = run_name("learning_rate=0.001,batch_size=16", -2, 3)
    assert parse_run_name(name) == ("learning_rate=0.001,batch_size=16", -2, 3)
    assert parse_run_name("sft-abc123") is None
    assert format_value("3e-4") == "0.0003" and format_value(True) == "true"
    assert format_value("cosine") == "cosine" and format_value(16) == "16"


def test_check_plan_validates_every_condition_against_the_recipe() -> None:
    spec = parse_spec(
        {
            "name": "c",
            "recipe": "sft",
            "conditions": [
                {"name": "ok", "learning_rate": "3e-4"},
                {"name": "typo", "learnig_rate": 0.1},
                {"name": "range", "epochs": 0},
            ],
        }
    )
    with pytest.raises(ConfigError) as caught:
        check_plan(spec, expand(spec))
    message = caught.value.message
    assert "condition 'typo'" in message and "did you mean 'learning_rate'" in message
    assert "condition 'range'" in message and "epochs" in message
    assert "condition 'ok'" not in message
    good = parse_spec({"name": "c", "recipe": "sft", "conditions": [{"name": "ok"}]})
    resolved = check_plan(good, expand(good))
    assert resolved[("ok", 0)]["learning_rate"] == 1e-3  # the recipe's default filled in
