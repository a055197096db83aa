"""The local torch/transformers training backend: loads a model folder into a session."""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import torch
import transformers
from transformers import AutoModelForCausalLM

from kitchen.adapters.hf.tokenizer import load_tokenizer
from kitchen.adapters.torch.device import select_device
from kitchen.adapters.torch.session import TorchSession
from kitchen.errors import ConfigError
from kitchen.ports.training import SessionSpec

__all__ = ["TorchBackend"]


class TorchBackend:
    """Starts :class:`TorchSession` objects on the local CPU or GPU."""

    name = "torch"

    def start_session(self, spec: SessionSpec) -> TorchSession:
        """Load ``spec.model_dir`` in fp32 with SDPA attention and wrap it in a session.

        The seed fixes everything random from here on: LoRA's initial adapters, dropout masks
        and the optimiser's path, so two sessions with one spec give bit-identical losses on CPU.

        Args:
            spec: The session settings; ``model_dir`` must be a local ``from_pretrained`` folder
                (resolving a hub name to a folder is the hub stage's job).

        Returns:
            A session in train mode, on the device ``spec.device`` selects.

        Raises:
            ConfigError: A setting is out of range, the folder is not a model, the device is
                missing, or LoRA is asked for without ``peft`` installed.
        """
        model_dir = _check(spec)
        device = select_device(spec.device)
        if spec.num_threads > 0:
            # Process-wide: on a shared CPU box two threads that wait on each other can be 10x
            # slower than one (measured on 2 cores), so users may pin it.
            torch.set_num_threads(spec.num_threads)
        tokenizer = load_tokenizer(model_dir)
        # Forked so that seeding does not reset the caller's global generator.
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(spec.seed)
            model = _load_model(model_dir)
            if spec.gradient_checkpointing:
                _enable_checkpointing(model)
            if spec.lora_rank > 0:
                model = _add_lora(model, spec)
        model.to(device)
        if spec.compile:
            # Module.compile keeps parameter names (torch.compile(model) would prefix them
            # "_orig_mod."), so checkpoints stay interchangeable with uncompiled sessions.
            model.compile()
        return TorchSession(model, tokenizer, spec, device, save_tokenizer=tokenizer.save)


def _check(spec: SessionSpec) -> Path:
    if spec.model_dir is None:
        raise ConfigError(
            f"model_dir: the torch backend needs a local model folder for {spec.model!r}; "
            "resolve the model name to a folder first"
        )
    model_dir = Path(spec.model_dir)
    if not (model_dir / "config.json").is_file():
        raise ConfigError(f"model_dir: {model_dir} has no config.json; it is not a model folder")
    if spec.lora_rank < 0:
        raise ConfigError(f"lora_rank: must be >= 0 (0 = full fine-tuning), got {spec.lora_rank}")
    if spec.lora_rank > 0 and spec.lora_alpha <= 0:
        raise ConfigError(f"lora_alpha: must be > 0, got {spec.lora_alpha}")
    if not 0 <= spec.lora_dropout < 1:
        raise ConfigError(f"lora_dropout: must be in [0, 1), got {spec.lora_dropout}")
    if not math.isfinite(spec.weight_decay) or spec.weight_decay < 0:
        raise ConfigError(f"weight_decay: must be a finite number >= 0, got {spec.weight_decay}")
    if len(spec.betas) != 2 or not all(0 <= b < 1 for b in spec.betas):
        raise ConfigError(f"betas: need two numbers in [0, 1), got {spec.betas}")
    if math.isnan(spec.max_grad_norm):
        raise ConfigError("max_grad_norm: must be a number (<= 0 switches clipping off)")
    return model_dir


def _load_model(model_dir: Path) -> Any:
    # transformers 4.56 renamed torch_dtype to dtype; the old name warns from then on.
    major, minor = (int(x) for x in transformers.__version__.split(".")[:2])
    dtype_key = "dtype" if (major, minor) >= (4, 56) else "torch_dtype"
    kwargs: dict[str, Any] = {dtype_key: torch.float32, "attn_implementation": "sdpa"}
    # Kitchen draws its own progress; transformers' per-shard bars would break it.
    transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    return AutoModelForCausalLM.from_pretrained(str(model_dir), **kwargs)


def _enable_checkpointing(model: Any) -> None:
    # Non-reentrant checkpointing needs no input gradients, so it also works under frozen
    # (LoRA) embeddings; transformers 5 renamed the switch and warns on the old one.
    kwargs = {"use_reentrant": False}
    if hasattr(model, "activation_checkpointing_enable"):
        model.activation_checkpointing_enable(activation_checkpointing_kwargs=kwargs)
    else:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=kwargs)


def _add_lora(model: Any, spec: SessionSpec) -> Any:
    try:
        from peft import LoraConfig, get_peft_model
    except ImportError as exc:
        raise ConfigError(
            f"lora_rank: LoRA (lora_rank={spec.lora_rank}) needs the 'peft' package; "
            "install it (pip install peft) or set lora_rank=0"
        ) from exc
    config = LoraConfig(
        r=spec.lora_rank,
        lora_alpha=spec.lora_alpha,
        lora_dropout=spec.lora_dropout,
        # Every linear projection in the blocks (attention and MLP); peft leaves the LM head out.
        target_modules="all-linear",
        task_type="CAUSAL_LM",
    )
    with warnings.catch_warnings():
        # peft calls a transformers property deprecated in v5; the warning is not the user's.
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
        return get_peft_model(model, config)
