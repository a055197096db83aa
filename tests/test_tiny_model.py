"""The offline tiny model: built once, loadable offline, deterministic, cached, learnable shape."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from kitchen.adapters.fake.hub import FakeHub
from kitchen.models import TINY_MODEL_ID, ensure_tiny_model, resolve_model
from kitchen.models.tiny import FINGERPRINT_FILE, tiny_fingerprint


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_tiny_model(tmp_path_factory.getbasetemp() / "shared-kitchen-home")


def test_folder_is_complete_and_leaves_no_staging_behind(tiny_dir: Path) -> None:
    names = {p.name for p in tiny_dir.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", FINGERPRINT_FILE} <= names
    assert not any(p.suffix in {".bin", ".pt", ".pkl"} for p in tiny_dir.iterdir())
    assert [p.name for p in tiny_dir.parent.iterdir()] == ["kitchen--tiny"]
    meta = json.loads((tiny_dir / FINGERPRINT_FILE).read_text())
    assert meta["fingerprint"] == tiny_fingerprint()


def test_loads_offline_as_a_small_llama(tiny_dir: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_dir)
    tokenizer = AutoTokenizer.from_pretrained(tiny_dir)
    assert isinstance(model, LlamaForCausalLM)
    assert 300_000 <= model.num_parameters() <= 1_000_000
    assert model.config.tie_word_embeddings and model.config.vocab_size == len(tokenizer)
    assert model.dtype == torch.float32
    ids = torch.tensor([tokenizer.encode("What is 1+2?", add_special_tokens=False)])
    logits = model(input_ids=ids).logits
    assert logits.shape == (1, ids.shape[1], len(tokenizer))
    assert torch.isfinite(logits).all()


def test_second_call_reuses_the_build(tiny_dir: Path) -> None:
    weights = tiny_dir / "model.safetensors"
    before = weights.stat().st_mtime_ns
    start = time.perf_counter()
    assert ensure_tiny_model(tiny_dir.parent.parent) == tiny_dir
    assert time.perf_counter() - start < 0.5
    assert weights.stat().st_mtime_ns == before


def test_build_is_deterministic_rebuilds_when_stale_and_keeps_global_rng(
    tiny_dir: Path, tmp_path: Path
) -> None:
    import torch

    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    other = ensure_tiny_model(tmp_path)
    assert torch.equal(torch.rand(3), expected)  # building did not reseed the caller
    for name in ("model.safetensors", "tokenizer.json", "config.json"):
        assert (other / name).read_bytes() == (tiny_dir / name).read_bytes(), name
    (other / FINGERPRINT_FILE).write_text(json.dumps({"fingerprint": "an older builder"}))
    (other / "leftover.txt").write_text("from the old build")
    rebuilt = ensure_tiny_model(tmp_path)
    assert json.loads((rebuilt / FINGERPRINT_FILE).read_text())["fingerprint"] == tiny_fingerprint()
    assert not (rebuilt / "leftover.txt").exists()
    assert [p.name for p in (tmp_path / "models").iterdir()] == ["kitchen--tiny"]


def test_digits_are_one_token_each(tiny_dir: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_dir)
    for text in ("12345", "What is 23+58?", "total: 1000 apples"):
        tokens = tokenizer.convert_ids_to_tokens(tokenizer.encode(text, add_special_tokens=False))
        digit_tokens = [t for t in tokens if any(c.isdigit() for c in t)]
        assert all(len(t) == 1 for t in digit_tokens), tokens
        assert len(digit_tokens) == sum(c.isdigit() for c in text)
    # Common words of the shipped data are single tokens, so prompts stay short.
    assert len(tokenizer.encode(" What is", add_special_tokens=False)) == 2


def test_chat_template_is_plain_role_colon(tiny_dir: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_dir)
    chat = [{"role": "user", "content": "What is 1+2?"}, {"role": "assistant", "content": "3"}]
    text = tokenizer.apply_chat_template(chat, tokenize=False)
    assert text == "<|bos|>user: What is 1+2?\nassistant: 3<|eos|>\n"
    prompt = tokenizer.apply_chat_template(chat[:1], tokenize=False, add_generation_prompt=True)
    assert prompt == "<|bos|>user: What is 1+2?\nassistant:"
    assert (tokenizer.bos_token, tokenizer.eos_token, tokenizer.pad_token) == (
        "<|bos|>",
        "<|eos|>",
        "<|pad|>",
    )


def test_resolve_model_tiny_local_and_hub(tmp_path: Path, tiny_dir: Path) -> None:
    hub = FakeHub({"acme/model": tmp_path / "from-hub"})
    home = tiny_dir.parent.parent
    assert resolve_model(TINY_MODEL_ID, home=home, hub=hub) == tiny_dir
    assert resolve_model(str(tiny_dir), home=home, hub=hub) == tiny_dir
    assert resolve_model("acme/model", home=home, hub=hub) == tmp_path / "from-hub"
    assert hub.calls == [("acme/model", "model", None)]
