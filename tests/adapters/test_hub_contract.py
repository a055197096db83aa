"""One contract for every Hub adapter: the fake and the Hugging Face one.

The real hub is never contacted: the Hugging Face case reads a cache folder laid out as
``huggingface_hub`` lays it out (``models--owner--name/refs/main`` + ``snapshots/<commit>``),
with offline mode on, which is how a machine without network finds models it downloaded before.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from kitchen.adapters.fake.hub import FakeHub
from kitchen.adapters.hf.hub import HFHub
from kitchen.errors import HubError, KitchenError
from kitchen.ports.hub import Hub

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def write_repo(folder: Path, marker: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(f'{{"marker": "{marker}"}}', encoding="utf-8")
    return folder


def cache_repo(cache: Path, repo_id: str, source: Path, repo_type: str = "model") -> Path:
    """Lay ``source``'s files out in a hub cache as ``snapshot_download`` would leave them."""
    root = cache / f"{repo_type}s--{repo_id.replace('/', '--')}"
    (root / "refs").mkdir(parents=True, exist_ok=True)
    (root / "refs" / "main").write_text(COMMIT, encoding="utf-8")
    snapshot = root / "snapshots" / COMMIT
    shutil.copytree(source, snapshot, dirs_exist_ok=True)
    return snapshot


@dataclasses.dataclass
class Case:
    hub: Hub


@pytest.fixture(params=["fake", "hf"])
def case(request: pytest.FixtureRequest, tmp_path: Path) -> Case:
    model = write_repo(tmp_path / "src-model", "model")
    data = write_repo(tmp_path / "src-data", "data")
    if request.param == "fake":
        return Case(FakeHub({"acme/tiny": model}, datasets={"acme/adds": data}))
    cache = tmp_path / "hub-cache"
    cache_repo(cache, "acme/tiny", model)
    cache_repo(cache, "acme/adds", data, repo_type="dataset")
    return Case(HFHub(cache_dir=cache, offline=True))


def test_satisfies_the_port(case: Case) -> None:
    assert isinstance(case.hub, FakeHub | HFHub)


def test_snapshot_of_a_known_model_holds_its_files(case: Case) -> None:
    folder = case.hub.snapshot("acme/tiny")
    assert '"model"' in (folder / "config.json").read_text(encoding="utf-8")


def test_snapshot_of_a_known_dataset_holds_its_files(case: Case) -> None:
    folder = case.hub.snapshot("acme/adds", repo_type="dataset")
    assert '"data"' in (folder / "config.json").read_text(encoding="utf-8")
    with pytest.raises(HubError):
        case.hub.snapshot("acme/adds")  # a model of that name does not exist


def test_unknown_repository_is_a_hub_error(case: Case) -> None:
    with pytest.raises(HubError) as caught:
        case.hub.snapshot("acme/missing")
    assert isinstance(caught.value, KitchenError) and isinstance(caught.value, ConnectionError)
    assert "acme/missing" in str(caught.value)


# Hugging Face specifics.


def test_offline_and_not_cached_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(HubError) as caught:
        HFHub(cache_dir=tmp_path, offline=True).snapshot("Qwen/Qwen3-0.6B")
    message = str(caught.value)
    assert "'Qwen/Qwen3-0.6B' is not in the local cache" in message
    assert "HF_HUB_OFFLINE=1" in message and "hf download Qwen/Qwen3-0.6B" in message


def test_offline_mode_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(HubError, match="HF_HUB_OFFLINE=1"):
        HFHub(cache_dir=tmp_path).snapshot("acme/missing", repo_type="dataset")


def test_unreachable_hub_is_a_hub_error(tmp_path: Path) -> None:
    # Port 9 (discard) refuses connections; the suite's HF_HUB_OFFLINE stops any request anyway.
    hub = HFHub(cache_dir=tmp_path, offline=False, endpoint="http://127.0.0.1:9")
    with pytest.raises(HubError, match="acme/missing") as caught:
        hub.snapshot("acme/missing")
    assert "not in the local cache" in str(caught.value)


def test_invalid_repo_id_is_a_hub_error(tmp_path: Path) -> None:
    with pytest.raises(HubError, match="not a valid hub repository id"):
        HFHub(cache_dir=tmp_path, offline=True).snapshot("a//b")


def test_hf_transfer_flag_is_left_alone_on_hub_1_and_later(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    from kitchen.adapters.hf import hub

    monkeypatch.delenv("HF_HUB_ENABLE_HF_TRANSFER", raising=False)
    hub._enable_fast_transfer()
    if int(metadata.version("huggingface_hub").split(".")[0]) >= 1:
        import os

        assert "HF_HUB_ENABLE_HF_TRANSFER" not in os.environ


def test_cached_tiny_model_loads_offline_through_the_hub(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    cache_repo(tmp_path / "cache", "kitchen/tiny-copy", tiny_model_dir)
    folder = HFHub(cache_dir=tmp_path / "cache", offline=True).snapshot("kitchen/tiny-copy")
    model = AutoModelForCausalLM.from_pretrained(folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    assert model.config.vocab_size == len(tokenizer)
