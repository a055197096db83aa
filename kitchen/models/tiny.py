"""The offline default model: a tiny Llama built from a config, with a locally trained tokenizer.

:func:`ensure_tiny_model` builds it once into ``<home>/models/kitchen--tiny/`` and reuses it after
that. The folder is in ``from_pretrained`` layout (safetensors weights, ``config.json``,
``tokenizer.json`` with a chat template), so every backend loads it like a hub model, offline.

The build is deterministic: the tokenizer is trained on shipped text only and the weights come
from a fixed seed, so two homes hold byte-identical models. A fingerprint of everything that
shapes the result is written last; a folder whose fingerprint differs (an older builder, other
library versions, changed shipped data) is rebuilt, and a half-built folder is never visible
because the build happens in a temporary sibling that is renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from kitchen.data import TOKENIZER_CORPUS, shipped_path

TINY_MODEL_ID = "kitchen/tiny"
"""The name recipes use for this model."""

BUILDER_VERSION = 1
"""Bump when the build changes in a way the fingerprint cannot see."""

FINGERPRINT_FILE = "kitchen_tiny.json"

SPECIAL_TOKENS = ("<|pad|>", "<|bos|>", "<|eos|>")
"""Ids 0, 1, 2 in this order."""

VOCAB_SIZE = 512
SEED = 0

# Sized so that fp32 training on two CPU cores learns the shipped additions in about 100 s.
ARCHITECTURE: dict[str, Any] = {
    "hidden_size": 128,
    "intermediate_size": 256,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 4,
    "max_position_embeddings": 1024,  # room for HumanEval prompts and few-shot GSM8K
    "rms_norm_eps": 1e-5,
    "initializer_range": 0.02,
    "tie_word_embeddings": True,
}

# Plain role-colon turns. The space after the colon belongs to the content so that encoding the
# header and the content separately (as kitchen.chat does) gives the same ids as encoding the
# whole string; the assistant turn ends in eos, the token generation stops at.
CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{{ message['role'] }}{{ ': ' }}{{ message['content'] }}"
    "{% if message['role'] == 'assistant' %}{{ eos_token }}{% endif %}"
    "{{ '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ 'assistant:' }}{% endif %}"
)


def ensure_tiny_model(home: Path) -> Path:
    """Return the folder of the tiny model, building it first when missing or stale.

    Args:
        home: The Kitchen home; the model lives in ``<home>/models/kitchen--tiny``.

    Returns:
        A folder that ``AutoModelForCausalLM.from_pretrained`` and
        ``AutoTokenizer.from_pretrained`` load offline.
    """
    models_dir = Path(home) / "models"
    target = models_dir / "kitchen--tiny"
    fingerprint = tiny_fingerprint()
    if _fingerprint_of(target) == fingerprint:
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".kitchen--tiny.build-", dir=models_dir))
    try:
        _build(staging, fingerprint)
        _swap_into_place(staging, target, fingerprint)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def tiny_fingerprint() -> str:
    """Hash of everything that shapes the built model (cheap: imports nothing heavy)."""
    digest = hashlib.sha256()
    recipe = {
        "builder": BUILDER_VERSION,
        "architecture": ARCHITECTURE,
        "vocab_size": VOCAB_SIZE,
        "special_tokens": SPECIAL_TOKENS,
        "seed": SEED,
        "chat_template": CHAT_TEMPLATE,
        # Other library versions may initialise or serialise differently.
        "versions": {p: _version(p) for p in ("torch", "transformers", "tokenizers")},
    }
    digest.update(json.dumps(recipe, sort_keys=True).encode())
    for name in _training_files():
        digest.update(shipped_path(name).read_bytes())
    return digest.hexdigest()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "missing"


def _training_files() -> tuple[str, ...]:
    return (TOKENIZER_CORPUS, "arithmetic_train.jsonl")


def _fingerprint_of(folder: Path) -> str | None:
    try:
        data = json.loads((folder / FINGERPRINT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get("fingerprint") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def _swap_into_place(staging: Path, target: Path, fingerprint: str) -> None:
    """Rename the finished build over ``target``, tolerating a concurrent builder."""
    if _fingerprint_of(target) == fingerprint:
        return  # a concurrent builder finished first; its build is the same as ours
    retired = staging.with_name(staging.name + ".old")
    if target.exists():
        os.replace(target, retired)
    try:
        os.replace(staging, target)
    except OSError:
        # Another process renamed its own build in between; keep it if it is the same build.
        if _fingerprint_of(target) != fingerprint:
            raise
    shutil.rmtree(retired, ignore_errors=True)


def _tokenizer_texts() -> list[str]:
    """The corpus paragraphs plus the arithmetic training turns in the chat layout."""
    corpus = shipped_path(TOKENIZER_CORPUS).read_text(encoding="utf-8")
    texts = [p for p in corpus.split("\n\n") if p.strip()]
    with shipped_path("arithmetic_train.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            messages = json.loads(line)["messages"]
            texts.append("".join(f"{m['role']}: {m['content']}\n" for m in messages))
    return texts


def build_tokenizer(directory: Path) -> Any:
    """Train the byte-level BPE tokenizer and save it (with the chat template) to ``directory``.

    Returns:
        The ``transformers`` tokenizer that was saved.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    # Split every digit into its own pre-token first: BPE merges never cross pre-token borders,
    # so each digit stays one token and column arithmetic is learnable.
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_tokenizer_texts(), trainer)
    pad, bos, eos = SPECIAL_TOKENS
    hf = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=tok, bos_token=bos, eos_token=eos, pad_token=pad, model_max_length=1024
    )
    hf.chat_template = CHAT_TEMPLATE
    hf.save_pretrained(str(directory))
    return hf


def _build(directory: Path, fingerprint: str) -> None:
    import torch
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # Kitchen draws its own progress

    tokenizer = build_tokenizer(directory)
    ids = {
        "pad_token_id": tokenizer.pad_token_id,
        "bos_token_id": tokenizer.bos_token_id,
        "eos_token_id": tokenizer.eos_token_id,
    }
    config = LlamaConfig(vocab_size=len(tokenizer), dtype="float32", **ARCHITECTURE, **ids)
    # A private RNG scope: seeding must not disturb the caller's torch random state.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(SEED)
        model = LlamaForCausalLM(config)
    model.generation_config = GenerationConfig(**ids)  # type: ignore[no-untyped-call]
    model.save_pretrained(str(directory))
    meta = {
        "fingerprint": fingerprint,
        "model": TINY_MODEL_ID,
        "num_parameters": sum(p.numel() for p in model.parameters()),
    }
    # Written last: its presence with a matching fingerprint means the build completed.
    (directory / FINGERPRINT_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
