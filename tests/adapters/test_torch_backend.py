"""Torch-only behaviour of the local backend: LoRA, padding, devices, the optimiser, isolation."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")

from safetensors.torch import load_file  # noqa: E402

from kitchen.adapters.torch import TorchBackend, TorchSession, select_device  # noqa: E402
from kitchen.errors import ConfigError, DataError, ResumeError, TrainingError  # noqa: E402
from kitchen.ports.training import SessionSpec  # noqa: E402
from kitchen.types import Datum, SamplingParams  # noqa: E402

TEXTS = ("user: 12+35\nassistant: 47", "user: 7+8\nassistant: 15", "the cat sat on the mat")


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread() -> Iterator[None]:
    """One intra-op thread: the tiny model gains nothing from more, and shared cores stall them."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> SessionSpec:
    from kitchen.models.tiny import ensure_tiny_model

    model_dir = ensure_tiny_model(tmp_path_factory.getbasetemp() / "shared-kitchen-home")
    return SessionSpec(model="kitchen/tiny", model_dir=model_dir, seed=1, device="cpu")


def start(spec: SessionSpec, **changes: Any) -> TorchSession:
    return TorchBackend().start_session(dataclasses.replace(spec, **changes))


def batch_for(session: TorchSession, texts: tuple[str, ...] = TEXTS) -> list[Datum]:
    tok = session.tokenizer
    bos = tok.bos_token_id if tok.bos_token_id is not None else tok.eos_token_id
    out = []
    for text in texts:
        ids = (bos, *tok.encode(text), tok.eos_token_id)
        out.append(Datum(ids, (1,) * len(ids)))
    return out


def test_lora_trains_a_small_fraction_and_exports_merged(spec: SessionSpec, tmp_path: Path) -> None:
    session = start(spec, lora_rank=4, lora_alpha=8)
    assert session.num_trainable_parameters < session.num_parameters / 10
    batch = batch_for(session)
    losses = []
    for _ in range(6):
        losses.append(session.forward_backward(batch).loss)
        session.optim_step(1e-2)
    assert losses[-1] < losses[0] - 0.1

    session.save_state(tmp_path / "state")
    saved = load_file(str(tmp_path / "state" / "weights.safetensors"))
    assert saved and all("lora_" in name for name in saved)

    session.save_model(tmp_path / "merged")
    config = json.loads((tmp_path / "merged" / "config.json").read_text())
    assert config["model_type"] == "llama"  # a plain model, no adapter left
    assert not (tmp_path / "merged" / "adapter_config.json").exists()
    plain = start(spec, model_dir=tmp_path / "merged")
    assert plain.num_parameters < session.num_parameters
    assert plain.eval_loss(batch).loss == pytest.approx(session.eval_loss(batch).loss, rel=1e-5)


def test_resume_restores_the_dropout_stream(spec: SessionSpec, tmp_path: Path) -> None:
    # LoRA dropout draws random masks every step, so exact resume needs the saved RNG state.
    lora = {"lora_rank": 4, "lora_dropout": 0.2}
    session = start(spec, **lora)
    batch = batch_for(session)
    session.forward_backward(batch)
    session.optim_step(1e-2)
    session.save_state(tmp_path / "state")
    expected = [session.forward_backward(batch).loss, session.optim_step(1e-2).grad_norm]
    resumed = start(spec, seed=42, **lora)
    resumed.load_state(tmp_path / "state")
    assert [resumed.forward_backward(batch).loss, resumed.optim_step(1e-2).grad_norm] == expected


def test_lora_checkpoint_does_not_load_into_full_session(spec: SessionSpec, tmp_path: Path) -> None:
    start(spec, lora_rank=2).save_state(tmp_path / "lora")
    with pytest.raises(ResumeError, match="different model or LoRA"):
        start(spec).load_state(tmp_path / "lora")


def test_extra_padding_does_not_change_the_loss(spec: SessionSpec) -> None:
    session = start(spec)
    short = batch_for(session)[:2]
    # A long sequence without targets: it only widens the batch, so the others get more padding.
    long_ids = batch_for(session, ("x " * 40,))[0].input_ids
    padded = [*short, Datum(long_ids, (0,) * len(long_ids))]
    loss = session.eval_loss(short)
    wide = session.eval_loss(padded)
    assert wide.num_loss_tokens == loss.num_loss_tokens
    assert wide.num_tokens == loss.num_tokens + len(long_ids)
    assert wide.loss == pytest.approx(loss.loss, rel=1e-5)


def test_loss_matches_transformers_shifted_cross_entropy(spec: SessionSpec) -> None:
    session = start(spec)
    datum = batch_for(session)[0]
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(spec.model_dir))
    ids = torch.tensor([datum.input_ids])
    with torch.no_grad():
        expected = float(model(input_ids=ids, labels=ids).loss)
    assert session.eval_loss([datum]).loss == pytest.approx(expected, rel=1e-5)


def test_gradient_checkpointing_gives_the_same_losses(spec: SessionSpec) -> None:
    runs = []
    for checkpointing in (False, True):
        session = start(spec, gradient_checkpointing=checkpointing)
        batch = batch_for(session)
        losses = []
        for _ in range(3):
            losses.append(session.forward_backward(batch).loss)
            session.optim_step(1e-3)
        runs.append(losses)
    assert runs[1] == pytest.approx(runs[0], rel=1e-5)


@pytest.mark.slow
def test_compiled_session_matches_eager_and_shares_checkpoints(
    spec: SessionSpec, tmp_path: Path
) -> None:
    runs = []
    for compiled in (False, True):
        session = start(spec, compile=compiled)
        batch = batch_for(session)
        runs.append([session.forward_backward(batch).loss, session.optim_step(1e-3).grad_norm])
        session.save_state(tmp_path / str(compiled))
    assert runs[1] == pytest.approx(runs[0], rel=1e-5)
    # Module.compile keeps parameter names, so an eager session resumes a compiled one.
    start(spec).load_state(tmp_path / "True")


def test_weight_decay_skips_vectors_and_adamw_is_fused_on_cpu(spec: SessionSpec) -> None:
    optimizer = start(spec, weight_decay=0.1).optimizer
    assert optimizer.defaults.get("fused") is True  # torch >= 2.4 has fused AdamW on CPU
    decay, rest = optimizer.param_groups
    assert decay["weight_decay"] == 0.1 and all(p.ndim >= 2 for p in decay["params"])
    assert rest["weight_decay"] == 0.0 and all(p.ndim < 2 for p in rest["params"])


def test_nan_loss_raises_training_error(spec: SessionSpec) -> None:
    session = start(spec)
    with torch.no_grad():
        next(iter(session.optimizer.param_groups[0]["params"])).fill_(float("nan"))
    with pytest.raises(TrainingError, match="loss is nan"):
        session.forward_backward(batch_for(session))


def test_session_leaves_the_global_rng_alone(spec: SessionSpec) -> None:
    before = torch.get_rng_state()
    session = start(spec, lora_rank=2, lora_dropout=0.1)
    session.forward_backward(batch_for(session))
    session.sampler().sample([[1, 5, 6]], SamplingParams(max_new_tokens=3, temperature=1.0))
    assert torch.equal(torch.get_rng_state(), before)


def test_sampler_restores_train_mode_and_pads_on_the_left(spec: SessionSpec) -> None:
    session = start(spec)
    prompts = [d.input_ids for d in batch_for(session)]
    together = session.sampler().sample(prompts, SamplingParams(max_new_tokens=4))
    alone = [session.sampler().sample([p], SamplingParams(max_new_tokens=4))[0] for p in prompts]
    assert together == alone
    assert session._live_model().training


def test_sampler_stops_at_the_end_of_the_context(spec: SessionSpec) -> None:
    session = start(spec)
    context = session._live_model().config.max_position_embeddings
    greedy = SamplingParams(max_new_tokens=32)
    near_end = [1] + [5] * (context - 4)
    out = session.sampler().sample([near_end], greedy)[0]
    assert 1 <= len(out) <= 3  # capped at the context, not max_new_tokens
    with pytest.raises(DataError, match=f"does not fit the model's context of {context}"):
        session.sampler().sample([[1] + [5] * context], greedy)


def test_config_errors_name_the_field(spec: SessionSpec) -> None:
    with pytest.raises(ConfigError, match="model_dir"):
        start(spec, model_dir=None)
    with pytest.raises(ConfigError, match="lora_rank"):
        start(spec, lora_rank=-1)
    with pytest.raises(ConfigError, match="device"):
        select_device("tpu")
    assert select_device("cpu") == torch.device("cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_without_cuda_is_a_config_error(spec: SessionSpec) -> None:
    with pytest.raises(ConfigError, match="device"):
        select_device("cuda")
    with pytest.raises(ConfigError, match="device"):
        start(spec, device="cuda")
    assert select_device("auto").type in ("cpu", "mps")


@pytest.mark.gpu
def test_cuda_session_uses_fused_adamw_bf16_and_resumes_exactly(
    spec: SessionSpec, tmp_path: Path
) -> None:
    session = start(spec, device="cuda")
    assert session.device.startswith("cuda")
    assert session.optimizer.defaults.get("fused") is True
    batch = batch_for(session)
    losses = []
    for _ in range(6):
        losses.append(session.forward_backward(batch).loss)
        session.optim_step(1e-3)
    assert losses[-1] < losses[0]
    session.save_state(tmp_path / "state")
    loss, norm = session.forward_backward(batch).loss, session.optim_step(1e-3).grad_norm
    resumed = start(spec, device="cuda", seed=5)
    resumed.load_state(tmp_path / "state")
    # The forward pass is deterministic; fused attention backward may sum in another order.
    assert resumed.forward_backward(batch).loss == loss
    assert resumed.optim_step(1e-3).grad_norm == pytest.approx(norm, rel=1e-3)
    session.close()
    resumed.close()
