"""``KitchenModel``: the task Model over Kitchen's own ports (sampler, tokenizer, renderer).

Conversations are rendered to ids by the chat renderer, generated in batches by the Sampler
port, decoded by the model's tokenizer and cut at stop strings afterwards (the sampler knows
only stop ids). Token counts are exact: prompt ids and generated ids. No torch here; the
sampler may be a torch one.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from kitchen.errors import ConfigError
from kitchen.ports.evaluator import PromptRenderer
from kitchen.ports.sampler import Sampler
from kitchen.ports.tokenizer import Tokenizer
from kitchen.tasks._types import GenerateConfig, Generation, StopReason
from kitchen.types import Message, SamplingParams

__all__ = ["KitchenModel", "cut_at_stop"]


def cut_at_stop(text: str, stop: Sequence[str]) -> tuple[str, bool]:
    """``text`` up to the earliest stop string, and whether one was found."""
    cuts = [i for i in (text.find(s) for s in stop) if i >= 0]
    return (text[: min(cuts)], True) if cuts else (text, False)


class KitchenModel:
    """Implements the task Model with a Sampler, a Tokenizer and a chat renderer."""

    def __init__(
        self,
        sampler: Sampler,
        tokenizer: Tokenizer,
        renderer: PromptRenderer,
        *,
        name: str,
        batch_size: int = 32,
    ) -> None:
        """Wrap the ports.

        Args:
            sampler: Generates ids.
            tokenizer: Decodes them (and is the tokenizer the counts are in).
            renderer: Renders conversations into prompt ids and names the stop ids.
            name: The model's name in results.
            batch_size: Prompts per ``sampler.sample`` call.
        """
        if batch_size < 1:
            raise ConfigError(f"batch_size: must be >= 1, got {batch_size}")
        self.name = name
        self.sampler = sampler
        self.tokenizer = tokenizer
        self.renderer = renderer
        self.batch_size = batch_size

    def generate(
        self, prompts: Sequence[Sequence[Message]], config: GenerateConfig
    ) -> list[Generation]:
        """Generate a reply for each conversation, ``batch_size`` at a time.

        The latency of an output is its batch's wall time divided by the batch's size.
        """
        stop_ids = tuple(self.renderer.stop_token_ids)
        params = SamplingParams(
            max_new_tokens=config.max_new_tokens,
            temperature=config.temperature,
            top_p=config.top_p,
            stop_token_ids=stop_ids,
        )
        ends = {*stop_ids, self.tokenizer.eos_token_id}
        rendered = [self.renderer.render_prompt(list(p)) for p in prompts]
        out: list[Generation] = []
        for begin in range(0, len(rendered), self.batch_size):
            batch = rendered[begin : begin + self.batch_size]
            started = time.perf_counter()
            generated = self.sampler.sample(batch, params)
            latency = (time.perf_counter() - started) / len(batch)
            for prompt_ids, ids in zip(batch, generated, strict=True):
                text, cut = cut_at_stop(self.tokenizer.decode(ids), config.stop)
                reason: StopReason = "max_tokens"
                if cut:
                    reason = "stop_sequence"
                elif ids and ids[-1] in ends:
                    reason = "stop"
                out.append(Generation(text, len(prompt_ids), len(ids), latency, reason))
        return out
