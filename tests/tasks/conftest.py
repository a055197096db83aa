"""A scripted task Model: replies computed from the prompt, every call recorded."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from kitchen.tasks import GenerateConfig, Generation
from kitchen.types import Message

Reply = Callable[[Sequence[Message]], str]


class ScriptedModel:
    """Answers each conversation with ``reply(messages)``; one token per word, 0.5 s each."""

    def __init__(self, reply: Reply, name: str = "scripted") -> None:
        self.name = name
        self.reply = reply
        self.calls: list[list[list[Message]]] = []
        self.configs: list[GenerateConfig] = []

    @property
    def batch_sizes(self) -> list[int]:
        return [len(c) for c in self.calls]

    def generate(
        self, prompts: Sequence[Sequence[Message]], config: GenerateConfig
    ) -> list[Generation]:
        self.calls.append([list(p) for p in prompts])
        self.configs.append(config)
        out = []
        for prompt in prompts:
            text = self.reply(prompt)
            words = sum(len(m.content.split()) for m in prompt)
            out.append(Generation(text, words, len(text.split()), 0.5, "stop"))
        return out


@pytest.fixture
def scripted() -> Callable[[Reply], ScriptedModel]:
    return ScriptedModel
