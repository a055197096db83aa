"""KitchenModel over Kitchen's ports: rendering, batching, exact token counts, stop strings;
with the fake backend's sampler, and once with the real tiny torch model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from kitchen.adapters.fake.tokenizer import FakeTokenizer
from kitchen.adapters.fake.training import FakeBackend
from kitchen.chat import get_renderer
from kitchen.ports.training import SessionSpec
from kitchen.tasks import GenerateConfig, KitchenModel, get_task, run_task
from kitchen.types import Message, SamplingParams

TOKENIZER = FakeTokenizer()
RENDERER = get_renderer("plain", TOKENIZER)


class Replies:
    """A sampler that answers each prompt with fixed text (+ eos unless ``eos`` is False)."""

    def __init__(self, text: str, *, eos: bool = True) -> None:
        self.ids = TOKENIZER.encode(text) + ([TOKENIZER.eos_token_id] if eos else [])
        self.batches: list[int] = []
        self.params: list[SamplingParams] = []

    def sample(self, prompts: Sequence[Sequence[int]], params: SamplingParams) -> list[list[int]]:
        self.batches.append(len(prompts))
        self.params.append(params)
        return [self.ids[: params.max_new_tokens] for _ in prompts]


def test_renders_batches_and_counts_tokens_exactly() -> None:
    sampler = Replies(" 42")
    model = KitchenModel(sampler, TOKENIZER, RENDERER, name="fake", batch_size=2)
    prompts = [[Message("user", f"q{i}")] for i in range(5)]
    out = model.generate(prompts, GenerateConfig(max_new_tokens=8, temperature=0.0))
    assert sampler.batches == [2, 2, 1]
    assert sampler.params[0].stop_token_ids == RENDERER.stop_token_ids
    assert sampler.params[0].max_new_tokens == 8
    prompt_ids = RENDERER.render_prompt(prompts[0])
    assert [g.input_tokens for g in out] == [len(prompt_ids)] * 5
    assert all(g.text == " 42" and g.output_tokens == 4 and g.stop_reason == "stop" for g in out)


def test_stop_strings_and_token_budget() -> None:
    model = KitchenModel(Replies("abc\n\ndef"), TOKENIZER, RENDERER, name="fake")
    [cut] = model.generate([[Message("user", "x")]], GenerateConfig(stop=("\n\n",)))
    assert cut.text == "abc" and cut.stop_reason == "stop_sequence"
    [short] = model.generate([[Message("user", "x")]], GenerateConfig(max_new_tokens=2))
    assert short.text == "ab" and short.output_tokens == 2 and short.stop_reason == "max_tokens"


def test_runs_a_task_with_the_fake_backend_sampler() -> None:
    session = FakeBackend(TOKENIZER).start_session(SessionSpec(model="fake", seed=1))
    model = KitchenModel(session.sampler(), TOKENIZER, RENDERER, name="fake-bigram")
    result = run_task(get_task("arithmetic", max_new_tokens=6), model, limit=6, batch_size=4)
    assert len(result.samples) == 6 and result.model == "fake-bigram"
    for row in result.samples:
        assert 1 <= row.output_tokens <= 6
        assert row.input.startswith(("Compute", "What", "Add", "Find", "Calculate", "Sum"))
    assert 0.0 <= result.metrics["accuracy"] <= 1.0


def test_real_tiny_torch_model(tmp_path_factory: pytest.TempPathFactory) -> None:
    pytest.importorskip("torch")
    from kitchen.adapters.torch import TorchBackend
    from kitchen.models.tiny import ensure_tiny_model

    folder: Path = ensure_tiny_model(tmp_path_factory.getbasetemp() / "shared-kitchen-home")
    spec = SessionSpec(model="kitchen/tiny", model_dir=folder, seed=0, device="cpu")
    session = TorchBackend().start_session(spec)
    try:
        renderer = get_renderer("auto", session.tokenizer)
        model = KitchenModel(session.sampler(), session.tokenizer, renderer, name="tiny")
        result = run_task(get_task("arithmetic", max_new_tokens=4), model, limit=4)
    finally:
        session.close()
    first = result.samples[0]
    prompt_ids = renderer.render_prompt([Message("user", "Compute 12+40.")])
    assert first.input_tokens == len(prompt_ids)
    assert all(1 <= r.output_tokens <= 4 for r in result.samples)
    assert result.metrics["n"] == 4
