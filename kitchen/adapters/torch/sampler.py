"""Batched generation over a torch session's live weights (the Sampler port)."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Sequence
from typing import Any

import torch
from transformers import GenerationConfig

from kitchen.adapters.torch.rng import RngStreams
from kitchen.errors import ConfigError, DataError
from kitchen.ports.tokenizer import Tokenizer
from kitchen.types import SamplingParams

__all__ = ["TorchSampler", "eval_mode"]


class TorchSampler:
    """Generates with ``model.generate`` (KV cache, left padding), greedy or nucleus sampling.

    It owns a random stream seeded from the session seed, so sampling is reproducible and never
    shifts the training session's dropout masks.
    """

    def __init__(
        self, model: torch.nn.Module, tokenizer: Tokenizer, device: torch.device, *, seed: int
    ) -> None:
        """Sample from ``model`` (shared with the session, not copied).

        Args:
            model: A ``transformers`` causal LM or a ``peft`` model around one.
            tokenizer: Gives the pad and end-of-sequence ids.
            device: Where the model lives.
            seed: Seeds this sampler's own random stream.
        """
        self._model = model
        self._tokenizer = tokenizer
        self._device = device
        self._rng = RngStreams(seed, device)

    def sample(self, prompts: Sequence[Sequence[int]], params: SamplingParams) -> list[list[int]]:
        """Continue each prompt.

        Each continuation stops after the first end-of-sequence or stop token, which is kept as
        the last id (so a caller can tell "stopped" from "ran out of tokens", and RL can train on
        the stop); otherwise it has exactly ``max_new_tokens`` ids.

        Args:
            prompts: Token ids, one list per prompt; none may be empty.
            params: Length, temperature (0 = greedy), top-p and extra stop ids.

        Returns:
            The new ids of each prompt, without the prompt or any padding.

        Raises:
            ConfigError: A sampling parameter is out of range (the message names it).
            DataError: A prompt is empty.
        """
        _check(params)
        if not prompts:
            return []
        if any(len(p) == 0 for p in prompts):
            raise DataError("sampler: a prompt is empty; give at least one token (e.g. BOS)")
        if params.max_new_tokens == 0:
            return [[] for _ in prompts]
        pad = self._tokenizer.pad_token_id
        stops = list(dict.fromkeys((self._tokenizer.eos_token_id, *params.stop_token_ids)))
        width = max(len(p) for p in prompts)
        new_tokens = params.max_new_tokens
        context = getattr(getattr(self._model, "config", None), "max_position_embeddings", None)
        if isinstance(context, int):
            longest = max(len(p) for p in prompts)
            if longest >= context:
                raise DataError(
                    f"sampler: a prompt of {longest} tokens does not fit the model's context of "
                    f"{context} tokens; shorten it (fewer few-shot examples, a shorter template)"
                )
            # Generation stops at the context's end, as serving engines do, rather than run
            # past the positions the model was trained on.
            new_tokens = min(new_tokens, context - width)
        # Left padding puts every prompt's last token in the last column, where decoding starts.
        ids = torch.tensor([[pad] * (width - len(p)) + list(p) for p in prompts], dtype=torch.long)
        mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
        model: Any = self._model
        with eval_mode(self._model), torch.no_grad(), self._rng.scope(), self._autocast():
            out = model.generate(
                input_ids=ids.to(self._device),
                attention_mask=mask.to(self._device),
                generation_config=_generation_config(new_tokens, params, stops, pad),
            )
        return [_cut(row, stops) for row in out[:, width:].tolist()]

    def _autocast(self) -> contextlib.AbstractContextManager[object]:
        if self._device.type == "cuda":
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()


@contextlib.contextmanager
def eval_mode(model: torch.nn.Module) -> Iterator[None]:
    """Put ``model`` in eval mode for the block, then back in the mode it was in."""
    was_training = model.training
    model.eval()
    try:
        yield
    finally:
        model.train(was_training)


def _generation_config(
    max_new_tokens: int, params: SamplingParams, stops: list[int], pad: int
) -> GenerationConfig:
    settings: dict[str, Any] = {
        "max_new_tokens": max_new_tokens,
        "eos_token_id": stops,
        "pad_token_id": pad,
        "do_sample": params.temperature > 0,
    }
    if params.temperature > 0:
        # top_k=0 switches off transformers' default top-k of 50: the port promises temperature
        # and top-p only.
        settings.update(temperature=params.temperature, top_p=params.top_p, top_k=0)
    return GenerationConfig(**settings)  # type: ignore[no-untyped-call]


def _cut(row: list[int], stops: list[int]) -> list[int]:
    # generate pads finished rows with pad ids (which may equal EOS); keep up to the first stop.
    for i, token in enumerate(row):
        if token in stops:
            return row[: i + 1]
    return row


def _check(params: SamplingParams) -> None:
    if params.max_new_tokens < 0:
        raise ConfigError(f"max_new_tokens: must be >= 0, got {params.max_new_tokens}")
    if not math.isfinite(params.temperature) or params.temperature < 0:
        raise ConfigError(f"temperature: must be a finite number >= 0, got {params.temperature}")
    if not 0 < params.top_p <= 1:
        raise ConfigError(f"top_p: must be in (0, 1], got {params.top_p}")
