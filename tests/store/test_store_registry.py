"""Model registry: versions number up, aliases move, stages change, lookups resolve."""

from __future__ import annotations

from pathlib import Path

import pytest

from store import AlreadyExistsError, InvalidValueError, NotFoundError, Store
from store.registry import version_metrics


def test_versions_increment_per_model(store: Store) -> None:
    run = store.create_run(recipe="r")
    assert [store.register_model_version("a", run_id=run.id).version for _ in range(3)] == [1, 2, 3]
    assert store.register_model_version("b").version == 1
    assert [v.version for v in store.list_model_versions("a")] == [1, 2, 3]


def test_create_model_twice_is_refused(store: Store) -> None:
    store.create_model("m", "first")
    with pytest.raises(AlreadyExistsError):
        store.create_model("m")
    with pytest.raises(InvalidValueError):
        store.create_model("bad name!")


def test_aliases_move_between_versions(store: Store) -> None:
    for _ in range(3):
        store.register_model_version("m")
    store.set_alias("m", "@champion", 1)
    assert store.get_model_version("m", "@champion").version == 1
    store.set_alias("m", "champion", 3)
    assert store.get_model_version("m", "champion").version == 3
    assert store.get_model_version("m", "@champion").version == 3
    assert store.list_models()[0].aliases == {"champion": 3}
    store.remove_alias("m", "@champion")
    with pytest.raises(NotFoundError):
        store.get_model_version("m", "@champion")


def test_lookup_by_number_text_and_latest(store: Store) -> None:
    store.register_model_version("m", metrics={"acc": 0.5})
    second = store.register_model_version("m", metrics={"acc": 0.7})
    assert store.get_model_version("m", 2).id == second.id
    assert store.get_model_version("m", "2").id == second.id
    assert store.get_model_version("m", "latest").id == second.id
    assert version_metrics(second) == {"acc": 0.7}
    with pytest.raises(NotFoundError):
        store.get_model_version("m", 9)
    with pytest.raises(NotFoundError):
        store.get_model_version("nope", "latest")


def test_alias_rules(store: Store) -> None:
    store.register_model_version("m")
    for bad in ("latest", "@latest", "1", "has space", ""):
        with pytest.raises(InvalidValueError):
            store.set_alias("m", bad, 1)
    with pytest.raises(NotFoundError):
        store.set_alias("m", "champion", 2)


def test_promotion_can_archive_the_previous_production(store: Store) -> None:
    for _ in range(3):
        store.register_model_version("m")
    store.set_model_stage("m", 1, "production")
    store.set_model_stage("m", 2, "staging")
    store.set_model_stage("m", 3, "production", archive_others=True)
    stages = {v.version: v.stage for v in store.list_model_versions("m")}
    assert stages == {1: "archived", 2: "staging", 3: "production"}
    assert store.list_models()[0].stages == {"archived": [1], "staging": [2], "production": [3]}
    with pytest.raises(InvalidValueError):
        store.set_model_stage("m", 1, "retired")  # type: ignore[arg-type]


def test_version_from_an_artifact_links_lineage(store: Store, tmp_path: Path) -> None:
    run = store.create_run(recipe="r")
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"weights")
    artifact = store.log_artifact(run.id, weights, kind="model")
    version = store.register_model_version("m", artifact_id=artifact.id)
    assert version.run_id == run.id
    up = store.lineage("model_version", version.id).upstream
    assert [(e.src_kind, e.src_id) for e in up] == [("artifact", artifact.id), ("run", run.id)]
    with pytest.raises(NotFoundError):
        store.register_model_version("m", artifact_id="0" * 32)
    with pytest.raises(NotFoundError):
        store.register_model_version("m", run_id="0" * 32)


def test_list_models_summarises(store: Store) -> None:
    store.create_model("b", "second")
    store.register_model_version("a")
    store.register_model_version("a")
    summaries = store.list_models()
    assert [(s.name, s.latest_version, s.versions) for s in summaries] == [
        ("a", 2, 2),
        ("b", None, 0),
    ]
    assert summaries[1].description == "second"
