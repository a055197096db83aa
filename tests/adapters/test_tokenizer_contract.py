"""One contract for every Tokenizer adapter: the fake and the Hugging Face one (tiny model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kitchen.adapters.fake.tokenizer import FakeTokenizer
from kitchen.errors import ConfigError
from kitchen.ports.tokenizer import Tokenizer

TEXTS = (
    "What is 23+58?",
    "Hello, world!\nA second line.",
    "  leading and trailing spaces  ",
    "tabs\tand 1234567890 digits",
    "def f(x):\n    return x * 2",
    "",
)


@pytest.fixture(params=["fake", "hf"])
def tokenizer(request: pytest.FixtureRequest) -> Tokenizer:
    if request.param == "fake":
        return FakeTokenizer()
    from kitchen.adapters.hf.tokenizer import load_tokenizer

    model_dir: Path = request.getfixturevalue("tiny_model_dir")
    return load_tokenizer(model_dir)


def test_satisfies_the_port(tokenizer: Tokenizer) -> None:
    assert isinstance(tokenizer, Tokenizer)


def test_special_ids_are_distinct_named_and_in_the_vocabulary(tokenizer: Tokenizer) -> None:
    specials = [tokenizer.eos_token_id, tokenizer.pad_token_id, tokenizer.bos_token_id]
    assert len(set(specials)) == 3
    assert all(isinstance(i, int) and 0 <= i < tokenizer.vocab_size for i in specials)
    assert tokenizer.token_to_id("<|eos|>") == tokenizer.eos_token_id
    assert tokenizer.token_to_id("<|bos|>") == tokenizer.bos_token_id
    assert tokenizer.token_to_id("<|pad|>") == tokenizer.pad_token_id


@pytest.mark.parametrize("text", TEXTS)
def test_encode_decode_round_trips_without_special_tokens(tokenizer: Tokenizer, text: str) -> None:
    ids = tokenizer.encode(text)
    assert all(isinstance(i, int) and 0 <= i < tokenizer.vocab_size for i in ids)
    assert tokenizer.eos_token_id not in ids and tokenizer.bos_token_id not in ids
    assert tokenizer.decode(ids) == text


def test_encode_is_deterministic_and_concatenates_at_newlines(tokenizer: Tokenizer) -> None:
    assert tokenizer.encode("a line\nnext") == tokenizer.encode("a line\nnext")
    # Renderers rely on this: a newline segment encodes the same alone or inside text.
    joined = tokenizer.encode("user:") + tokenizer.encode(" hi") + tokenizer.encode("\n")
    assert joined == tokenizer.encode("user: hi\n")


def test_special_token_text_in_content_stays_text(tokenizer: Tokenizer) -> None:
    ids = tokenizer.encode("stop<|eos|>here")
    assert tokenizer.eos_token_id not in ids
    assert tokenizer.decode(ids) == "stop<|eos|>here"


def test_decode_skips_special_tokens(tokenizer: Tokenizer) -> None:
    bos = tokenizer.bos_token_id
    assert bos is not None
    ids = [bos, *tokenizer.encode("hi there"), tokenizer.eos_token_id, tokenizer.pad_token_id]
    assert tokenizer.decode(ids) == "hi there"


def test_unknown_token_has_no_id(tokenizer: Tokenizer) -> None:
    assert tokenizer.token_to_id("<|no_such_token|>") is None


def test_hf_tokenizer_needs_an_eos_token() -> None:
    from kitchen.adapters.hf.tokenizer import HFTokenizer

    class NoEos:
        eos_token_id = None

    with pytest.raises(ConfigError, match="no eos token"):
        HFTokenizer(NoEos(), source="somewhere")


def test_load_tokenizer_names_a_missing_folder(tmp_path: Path) -> None:
    from kitchen.adapters.hf.tokenizer import load_tokenizer

    with pytest.raises(ConfigError, match="does not exist"):
        load_tokenizer(tmp_path / "nope")
    with pytest.raises(ConfigError, match="no loadable tokenizer"):
        load_tokenizer(tmp_path)
