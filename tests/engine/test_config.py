"""Config merging and the errors a user sees."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from kitchen.config import build_config, config_hash, parse_overrides
from kitchen.errors import ConfigError
from kitchen.recipes.sft import SFTConfig


def test_overrides_parse_yaml_scalars_and_dotted_paths() -> None:
    assert parse_overrides(["a=1", "b=0.5", "c=x", "d.e=true"]) == {
        "a": 1,
        "b": 0.5,
        "c": "x",
        "d": {"e": True},
    }


def test_file_then_overrides_win(tmp_path: Path) -> None:
    file = tmp_path / "c.yaml"
    file.write_text("epochs: 5\nbatch_size: 8\n")
    cfg = build_config(SFTConfig, file=file, overrides=["epochs=2"])
    assert (cfg.epochs, cfg.batch_size) == (2, 8)


def test_misspelt_key_suggests_the_nearest() -> None:
    with pytest.raises(ConfigError, match="did you mean 'learning_rate'"):
        build_config(SFTConfig, overrides=["learning_rat=0.1"])


def test_wrong_type_names_field_and_expected_type() -> None:
    with pytest.raises(ConfigError, match=r"epochs.*expected int.*'many'"):
        build_config(SFTConfig, overrides=["epochs=many"])


def test_negative_learning_rate_is_rejected() -> None:
    with pytest.raises(ConfigError, match="learning_rate"):
        build_config(SFTConfig, overrides=["learning_rate=-0.1"])


def test_bad_choice_lists_the_options() -> None:
    with pytest.raises(ConfigError, match="lr_schedule"):
        build_config(SFTConfig, overrides=["lr_schedule=exp"])


def test_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.yaml"):
        build_config(SFTConfig, file=tmp_path / "nope.yaml")


def test_config_is_frozen_and_hash_is_stable() -> None:
    a = build_config(SFTConfig, overrides=["epochs=2"])
    b = build_config(SFTConfig, overrides=["epochs=2"])
    assert config_hash(a) == config_hash(b)
    with pytest.raises(ValidationError):
        a.epochs = 3  # type: ignore[misc]
