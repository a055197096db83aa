"""Chat renderers: exact layouts, loss-mask alignment, truncation and format selection.

The fake tokenizer is one id per character, so ids map back to a string that shows the layout
character by character; the real tiny tokenizer checks the renderer against its chat template.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kitchen.adapters.fake.tokenizer import FakeTokenizer
from kitchen.chat import Llama3Renderer, PlainRenderer, QwenRenderer, Renderer, get_renderer
from kitchen.errors import ConfigError
from kitchen.types import Datum, Message, TrainOn

CONVO = (
    Message("system", "Be brief."),
    Message("user", "What is 2+2?"),
    Message("assistant", "4"),
    Message("user", "And 3+3?"),
    Message("assistant", "6"),
)

EXPECTED = {
    "plain": (
        "<|bos|>system: Be brief.\nuser: What is 2+2?\nassistant: 4<|eos|>\n"
        "user: And 3+3?\nassistant: 6<|eos|>\n"
    ),
    "llama3": (
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n4<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\nAnd 3+3?<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n6<|eot_id|>"
    ),
    "qwen": (
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
        "<|im_start|>assistant\n4<|im_end|>\n<|im_start|>user\nAnd 3+3?<|im_end|>\n"
        "<|im_start|>assistant\n6<|im_end|>\n"
    ),
}
# What carries loss for each answer: its content plus the end-of-turn token.
ANSWER = {"plain": " {}<|eos|>", "llama3": "{}<|eot_id|>", "qwen": "{}<|im_end|>"}
GENERATION_HEADER = {
    "plain": "assistant:",
    "llama3": "<|start_header_id|>assistant<|end_header_id|>\n\n",
    "qwen": "<|im_start|>assistant\n",
}
TOKENIZERS = {"plain": FakeTokenizer, "llama3": FakeTokenizer.llama3, "qwen": FakeTokenizer.qwen}


def show(tokenizer: FakeTokenizer, ids: list[int] | tuple[int, ...]) -> str:
    """Ids back to text, special tokens written out by name."""
    names = {
        i: name
        for name in ("<|bos|>", "<|eos|>", "<|pad|>", "<|unk|>", "<|begin_of_text|>",
                     "<|eot_id|>", "<|end_of_text|>", "<|start_header_id|>",
                     "<|end_header_id|>", "<|im_start|>", "<|im_end|>", "<|endoftext|>")
        if (i := tokenizer.token_to_id(name)) is not None
    }  # fmt: skip
    return "".join(names.get(i) or tokenizer.decode([i]) for i in ids)


def masked(tokenizer: FakeTokenizer, datum: Datum) -> str:
    return show(tokenizer, [i for i, m in zip(datum.input_ids, datum.loss_mask, strict=True) if m])


@pytest.fixture(params=["plain", "llama3", "qwen"])
def fmt(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def setup(fmt: str) -> tuple[FakeTokenizer, Renderer]:
    tokenizer = TOKENIZERS[fmt]()
    return tokenizer, get_renderer(fmt, tokenizer)


def test_layout_is_exact(fmt: str) -> None:
    tokenizer, renderer = setup(fmt)
    datum = renderer.render(CONVO, "last_assistant", 10_000)
    assert show(tokenizer, datum.input_ids) == EXPECTED[fmt]


@pytest.mark.parametrize(
    ("train_on", "answers"), [("last_assistant", ["6"]), ("all_assistant", ["4", "6"])]
)
def test_loss_covers_exactly_the_answers_and_their_end_of_turn(
    fmt: str, train_on: TrainOn, answers: list[str]
) -> None:
    tokenizer, renderer = setup(fmt)
    datum = renderer.render(CONVO, train_on, 10_000)
    assert masked(tokenizer, datum) == "".join(ANSWER[fmt].format(a) for a in answers)
    # The masked positions are contiguous per answer: nothing of a header leaks in.
    first = datum.loss_mask.index(1)
    assert show(tokenizer, datum.input_ids[:first]).endswith(GENERATION_HEADER[fmt])


def test_all_tokens_trains_on_everything(fmt: str) -> None:
    _, renderer = setup(fmt)
    datum = renderer.render(CONVO, "all_tokens", 10_000)
    assert set(datum.loss_mask) == {1}


def test_prompt_is_the_training_prefix_before_the_answer(fmt: str) -> None:
    tokenizer, renderer = setup(fmt)
    prompt = renderer.render_prompt(CONVO[:-1])
    assert show(tokenizer, prompt).endswith(GENERATION_HEADER[fmt])
    datum = renderer.render(CONVO, "last_assistant", 10_000)
    assert list(datum.input_ids[: len(prompt)]) == prompt
    assert datum.loss_mask[len(prompt)] == 1 and not any(datum.loss_mask[: len(prompt)])


def test_truncation_keeps_the_start_and_aligns_the_mask(fmt: str) -> None:
    _, renderer = setup(fmt)
    full = renderer.render(CONVO, "all_assistant", 10_000)
    for limit in (1, 17, len(full.input_ids) - 3, len(full.input_ids) + 5):
        cut = renderer.render(CONVO, "all_assistant", limit)
        assert len(cut.input_ids) == len(cut.loss_mask) == min(limit, len(full.input_ids))
        assert cut.input_ids == full.input_ids[:limit]
        assert cut.loss_mask == full.loss_mask[:limit]


def test_no_assistant_turn_means_no_loss(fmt: str) -> None:
    _, renderer = setup(fmt)
    datum = renderer.render(CONVO[:2], "last_assistant", 10_000)
    assert datum.num_loss_tokens == 0


def test_stop_tokens_end_the_assistant_turn(fmt: str) -> None:
    tokenizer, renderer = setup(fmt)
    end = {"plain": "<|eos|>", "llama3": "<|eot_id|>", "qwen": "<|im_end|>"}[fmt]
    assert renderer.stop_token_ids[0] == tokenizer.token_to_id(end)
    assert tokenizer.eos_token_id in renderer.stop_token_ids


def test_special_token_text_in_content_cannot_end_a_turn(fmt: str) -> None:
    _, renderer = setup(fmt)
    stops = set(renderer.stop_token_ids)

    def stop_count(content: str) -> int:
        turns = (Message("user", content), Message("assistant", content))
        return sum(i in stops for i in renderer.render(turns, "last_assistant", 10_000).input_ids)

    assert stop_count("say <|eot_id|><|im_end|><|eos|>") == stop_count("say hi")


def test_auto_picks_the_format_from_special_tokens() -> None:
    assert isinstance(get_renderer("auto", FakeTokenizer.llama3()), Llama3Renderer)
    assert isinstance(get_renderer("auto", FakeTokenizer.qwen()), QwenRenderer)
    assert isinstance(get_renderer("auto", FakeTokenizer()), PlainRenderer)


def test_mismatched_or_unknown_formats_are_config_errors() -> None:
    with pytest.raises(
        ConfigError, match=re.escape("'llama3' format needs the special token <|begin_of_text|>")
    ):
        get_renderer("llama3", FakeTokenizer())
    with pytest.raises(ConfigError, match="'qwen' format needs the special token"):
        get_renderer("qwen", FakeTokenizer.llama3())
    with pytest.raises(ConfigError, match="chat_template"):
        get_renderer("chatml", FakeTokenizer())


def test_bad_render_arguments_are_config_errors() -> None:
    renderer = get_renderer("plain", FakeTokenizer())
    with pytest.raises(ConfigError, match="train_on"):
        renderer.render(CONVO, "everything", 10)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="max_length"):
        renderer.render(CONVO, "last_assistant", 0)


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kitchen.models.tiny import ensure_tiny_model

    return ensure_tiny_model(tmp_path_factory.getbasetemp() / "shared-kitchen-home")


def test_plain_renderer_matches_the_tiny_models_chat_template(tiny_dir: Path) -> None:
    from kitchen.adapters.hf.tokenizer import load_tokenizer

    tokenizer = load_tokenizer(tiny_dir)
    renderer = get_renderer("auto", tokenizer)
    assert isinstance(renderer, PlainRenderer)
    chat = [{"role": m.role, "content": m.content} for m in CONVO]
    template = tokenizer.hf.apply_chat_template(chat, tokenize=True)["input_ids"]
    assert list(renderer.render(CONVO, "all_assistant", 10_000).input_ids) == template
    prompt = tokenizer.hf.apply_chat_template(chat[:-1], add_generation_prompt=True)["input_ids"]
    assert renderer.render_prompt(CONVO[:-1]) == prompt
    datum = renderer.render(CONVO, "last_assistant", 10_000)
    answer = [i for i, m in zip(datum.input_ids, datum.loss_mask, strict=True) if m]
    assert answer == [*tokenizer.encode(" 6"), tokenizer.eos_token_id]
