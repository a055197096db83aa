"""Chat renderers: conversations to token ids with a loss mask, and prompts for generation.

A renderer builds the ids of a conversation one segment at a time (header, content, end of
turn) and concatenates them, rather than rendering a string and tokenising it once. That way the
loss mask lines up exactly with the assistant's content plus its end-of-turn token, whatever the
tokenizer would have merged across segment borders. Special tokens are looked up by name through
the Tokenizer port, never parsed out of text, so a message containing ``<|eot_id|>`` cannot end a
turn.

Conventions shared with the training backends: ``loss_mask[i] == 1`` means token ``i`` is a
target, predicted from the tokens before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from kitchen.errors import ConfigError
from kitchen.ports.tokenizer import Tokenizer
from kitchen.types import Datum, Message, TrainOn

RendererName = Literal["auto", "llama3", "qwen", "plain"]

__all__ = [
    "Llama3Renderer",
    "PlainRenderer",
    "QwenRenderer",
    "Renderer",
    "RendererName",
    "get_renderer",
]

_TRAIN_ON: tuple[TrainOn, ...] = ("last_assistant", "all_assistant", "all_tokens")


class Renderer:
    """Shared rendering logic; a subclass says what one turn's segments are.

    Subclasses set ``name`` and implement :meth:`_begin`, :meth:`_turn` and
    :meth:`_generation_header`.
    """

    name: str = ""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer

    @property
    def stop_token_ids(self) -> tuple[int, ...]:
        """Ids that end an assistant turn; generation stops at any of them."""
        return (self.tokenizer.eos_token_id,)

    def render(self, messages: Sequence[Message], train_on: TrainOn, max_length: int) -> Datum:
        """Render a conversation for training.

        Args:
            messages: The turns, in order.
            train_on: ``"last_assistant"`` puts loss on the last assistant turn's content and its
                end-of-turn token; ``"all_assistant"`` on every assistant turn's; ``"all_tokens"``
                on every token.
            max_length: Keep at most this many tokens (the start of the conversation is kept).

        Returns:
            The ids and loss mask. The mask is all zero when no assistant turn survives
            truncation under an assistant-only ``train_on``; callers should drop such data.

        Raises:
            ConfigError: ``train_on`` or ``max_length`` is invalid.
        """
        if train_on not in _TRAIN_ON:
            raise ConfigError(f"train_on: must be one of {', '.join(_TRAIN_ON)}, got {train_on!r}")
        if max_length < 1:
            raise ConfigError(f"max_length: must be at least 1, got {max_length}")
        last = max((i for i, m in enumerate(messages) if m.role == "assistant"), default=-1)
        ids = list(self._begin())
        mask = [0] * len(ids)
        for index, message in enumerate(messages):
            header, answer, trailer = self._turn(message)
            trained = message.role == "assistant" and (train_on == "all_assistant" or index == last)
            ids += header + answer + trailer
            mask += [0] * len(header) + [int(trained)] * len(answer) + [0] * len(trailer)
            if len(ids) >= max_length:
                break  # the rest would be cut off anyway
        if train_on == "all_tokens":
            mask = [1] * len(ids)
        return Datum(input_ids=tuple(ids[:max_length]), loss_mask=tuple(mask[:max_length]))

    def render_prompt(self, messages: Sequence[Message]) -> list[int]:
        """Render the conversation so far plus the assistant header, ready for generation."""
        ids = list(self._begin())
        for message in messages:
            header, answer, trailer = self._turn(message)
            ids += header + answer + trailer
        return ids + self._generation_header()

    def _begin(self) -> list[int]:
        raise NotImplementedError

    def _turn(self, message: Message) -> tuple[list[int], list[int], list[int]]:
        """Return (header, content + end of turn, trailer) ids; only the middle can carry loss."""
        raise NotImplementedError

    def _generation_header(self) -> list[int]:
        raise NotImplementedError

    def _special(self, token: str) -> int:
        found = self.tokenizer.token_to_id(token)
        if found is None:
            raise ConfigError(
                f"chat_template: the {self.name!r} format needs the special token {token}, "
                "which this tokenizer lacks; set chat_template to 'auto' or 'plain'"
            )
        return found


class PlainRenderer(Renderer):
    """``role: content`` lines; an assistant turn ends in the tokenizer's eos.

    The space after the colon is encoded with the content, as byte-level BPE merges a word with
    the space before it; the ids then equal those of the whole rendered string.
    """

    name = "plain"

    def _begin(self) -> list[int]:
        bos = self.tokenizer.bos_token_id
        return [] if bos is None else [bos]

    def _turn(self, message: Message) -> tuple[list[int], list[int], list[int]]:
        encode = self.tokenizer.encode
        body = encode(" " + message.content)
        if message.role == "assistant":
            body = [*body, self.tokenizer.eos_token_id]
        return encode(f"{message.role}:"), body, encode("\n")

    def _generation_header(self) -> list[int]:
        return self.tokenizer.encode("assistant:")


class Llama3Renderer(Renderer):
    """Llama 3: ``<|start_header_id|>role<|end_header_id|>\\n\\ncontent<|eot_id|>``.

    The conversation starts with ``<|begin_of_text|>``. Content is stripped, as Meta's
    template does; no default system prompt is added.
    """

    name = "llama3"

    @property
    def stop_token_ids(self) -> tuple[int, ...]:
        end_of_text = self.tokenizer.token_to_id("<|end_of_text|>")
        stops = [self._special("<|eot_id|>"), self.tokenizer.eos_token_id, end_of_text]
        return tuple(dict.fromkeys(s for s in stops if s is not None))

    def _begin(self) -> list[int]:
        return [self._special("<|begin_of_text|>")]

    def _header(self, role: str) -> list[int]:
        start, end = self._special("<|start_header_id|>"), self._special("<|end_header_id|>")
        return [start, *self.tokenizer.encode(role), end, *self.tokenizer.encode("\n\n")]

    def _turn(self, message: Message) -> tuple[list[int], list[int], list[int]]:
        body = [*self.tokenizer.encode(message.content.strip()), self._special("<|eot_id|>")]
        return self._header(message.role), body, []

    def _generation_header(self) -> list[int]:
        return self._header("assistant")


class QwenRenderer(Renderer):
    """ChatML: ``<|im_start|>role\\ncontent<|im_end|>\\n``; no default system prompt is added."""

    name = "qwen"

    @property
    def stop_token_ids(self) -> tuple[int, ...]:
        stops = [self._special("<|im_end|>"), self.tokenizer.eos_token_id]
        return tuple(dict.fromkeys(stops))

    def _begin(self) -> list[int]:
        return []

    def _header(self, role: str) -> list[int]:
        return [self._special("<|im_start|>"), *self.tokenizer.encode(f"{role}\n")]

    def _turn(self, message: Message) -> tuple[list[int], list[int], list[int]]:
        body = [*self.tokenizer.encode(message.content), self._special("<|im_end|>")]
        return self._header(message.role), body, self.tokenizer.encode("\n")

    def _generation_header(self) -> list[int]:
        return self._header("assistant")


_RENDERERS: dict[str, type[Renderer]] = {
    "plain": PlainRenderer,
    "llama3": Llama3Renderer,
    "qwen": QwenRenderer,
}


def get_renderer(name: RendererName | str, tokenizer: Tokenizer) -> Renderer:
    """Return the renderer for a chat format.

    Args:
        name: ``"llama3"``, ``"qwen"``, ``"plain"`` or ``"auto"``, which picks llama3 when the
            tokenizer has ``<|start_header_id|>``, qwen when it has ``<|im_start|>`` and plain
            otherwise.
        tokenizer: The tokenizer the ids come from.

    Returns:
        A renderer; its special tokens are checked now, so a mismatch fails before training.

    Raises:
        ConfigError: the name is unknown, or the tokenizer lacks the format's special tokens.
    """
    if name == "auto":
        if tokenizer.token_to_id("<|start_header_id|>") is not None:
            name = "llama3"
        elif tokenizer.token_to_id("<|im_start|>") is not None:
            name = "qwen"
        else:
            name = "plain"
    if name not in _RENDERERS:
        choices = ", ".join(["auto", *_RENDERERS])
        raise ConfigError(f"chat_template: must be one of {choices}, got {name!r}")
    renderer = _RENDERERS[name](tokenizer)
    renderer.render_prompt([Message("user", "")])  # fail early on a missing special token
    _ = renderer.stop_token_ids
    return renderer
