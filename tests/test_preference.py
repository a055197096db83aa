"""Preference pairs: the hub formats, user mappings, error messages and the shipped sample."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kitchen.data import shipped_path
from kitchen.errors import ConfigError, DataError
from kitchen.preference import PREFERENCE_MAPPINGS, PreferenceExample, from_record, from_records
from kitchen.types import Message

# Shaped like Anthropic/hh-rlhf: two full transcripts sharing all but the last reply.
HH_ROW = {
    "chosen": "\n\nHuman: What are some good fruits to eat?\n\nAssistant: Apples and pears."
    "\n\nHuman: Which has more fiber?\n\nAssistant: Pears have a bit more fiber than apples.",
    "rejected": "\n\nHuman: What are some good fruits to eat?\n\nAssistant: Apples and pears."
    "\n\nHuman: Which has more fiber?\n\nAssistant: I don't know.",
}
HH_PROMPT = (
    Message("user", "What are some good fruits to eat?"),
    Message("assistant", "Apples and pears."),
    Message("user", "Which has more fiber?"),
)

# Shaped like HuggingFaceH4/ultrafeedback_binarized (train_prefs).
UF_ROW = {
    "prompt": "Write a haiku about rain.",
    "prompt_id": "3f2a",
    "chosen": [
        {"content": "Write a haiku about rain.", "role": "user"},
        {"content": "Soft rain on the roof", "role": "assistant"},
    ],
    "rejected": [
        {"content": "Write a haiku about rain.", "role": "user"},
        {"content": "Rain is wet.", "role": "assistant"},
    ],
    "messages": [
        {"content": "Write a haiku about rain.", "role": "user"},
        {"content": "Soft rain on the roof", "role": "assistant"},
    ],
    "score_chosen": 8.0,
    "score_rejected": 3.5,
}


def test_hh_rlhf_splits_the_shared_prompt_from_the_replies() -> None:
    expected = PreferenceExample(
        HH_PROMPT, "Pears have a bit more fiber than apples.", "I don't know."
    )
    assert from_record(HH_ROW, "hh-rlhf") == expected
    assert from_record(HH_ROW) == expected  # recognised without a format name


def test_hh_rlhf_single_turn_and_stripped_transcripts() -> None:
    row = {
        "chosen": "Human: Hi\n\nAssistant: Hello!",
        "rejected": "Human: Hi\n\nAssistant: Go away",
    }
    assert from_record(row, "hh-rlhf") == PreferenceExample(
        (Message("user", "Hi"),), "Hello!", "Go away"
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"chosen": HH_ROW["chosen"]}, "row 5: field 'rejected' is missing; the row has: chosen"),
        ({**HH_ROW, "chosen": 3}, "row 5: field 'chosen' must be a transcript text, got int"),
        ({**HH_ROW, "chosen": "Hello there"}, "row 5: field 'chosen' must start with 'Human:'"),
        (
            {**HH_ROW, "rejected": "\n\nHuman: Other\n\nAssistant: No."},
            "row 5: fields 'chosen' and 'rejected' do not share",
        ),
        (
            {**HH_ROW, "chosen": "\n\nHuman: Hi\n\nAssistant: Yo\n\nHuman: ?"},
            "row 5: field 'chosen' must end in an assistant reply",
        ),
    ],
)
def test_bad_hh_rows_name_row_and_field(row: dict[str, Any], message: str) -> None:
    with pytest.raises(DataError, match=message):
        from_record(row, "hh-rlhf", index=5)


def test_ultrafeedback_takes_the_prompt_from_the_message_lists() -> None:
    expected = PreferenceExample(
        (Message("user", "Write a haiku about rain."),), "Soft rain on the roof", "Rain is wet."
    )
    assert from_record(UF_ROW, "ultrafeedback") == expected
    assert from_record(UF_ROW) == expected
    with pytest.raises(DataError, match="row 2: field 'chosen' must be a list of messages"):
        from_record({**UF_ROW, "chosen": "text"}, "ultrafeedback", index=2)
    bad_role = {**UF_ROW, "rejected": [{"content": "x", "role": "robot"}]}
    with pytest.raises(DataError, match=r"row 0: rejected\[0\].role must be one of"):
        from_record(bad_role, "ultrafeedback")
    user_last = {**UF_ROW, "rejected": [{"content": "x", "role": "user"}]}
    with pytest.raises(DataError, match="field 'rejected' must end in an assistant message"):
        from_record(user_last)


def test_plain_rows_with_text_or_message_prompts() -> None:
    text = {"prompt": "What is 2+2?", "chosen": "4", "rejected": "5"}
    expected = PreferenceExample((Message("user", "What is 2+2?"),), "4", "5")
    assert from_record(text, "plain") == expected == from_record(text)
    conversational = {
        "prompt": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "2+2?"}],
        "chosen": [{"role": "assistant", "content": "4"}],
        "rejected": [{"role": "assistant", "content": "5"}],
    }
    assert from_record(conversational) == PreferenceExample(
        (Message("system", "Be brief."), Message("user", "2+2?")), "4", "5"
    )


def test_user_field_mapping() -> None:
    row = {"question": "Capital of France?", "good": "Paris", "bad": "Lyon"}
    fields = {"prompt": "question", "chosen": "good", "rejected": "bad"}
    assert from_record(row, fields) == PreferenceExample(
        (Message("user", "Capital of France?"),), "Paris", "Lyon"
    )
    with pytest.raises(
        DataError, match="row 9: field 'bad' is missing; the row has: question, good"
    ):
        from_record({"question": "q", "good": "g"}, fields, index=9)
    with pytest.raises(ConfigError, match=r"unknown key.*answer"):
        from_record(row, {"answer": "good"})


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"prompt": "", "chosen": "a", "rejected": "b"}, "row 1: field 'prompt' is empty"),
        ({"prompt": 4, "chosen": "a", "rejected": "b"}, "row 1: field 'prompt' must be text or"),
        ({"prompt": "p", "chosen": None, "rejected": "b"}, "row 1: field 'chosen' is missing"),
        ({"prompt": "p", "chosen": "a", "rejected": {"x": 1}}, "field 'rejected' must be text"),
        ({"prompt": [], "chosen": "a", "rejected": "b"}, "field 'prompt' is an empty list"),
    ],
)
def test_bad_plain_rows(row: dict[str, Any], message: str) -> None:
    with pytest.raises(DataError, match=message):
        from_record(row, index=1)


def test_unknown_format_and_where_override() -> None:
    with pytest.raises(ConfigError, match="unknown format 'nope'; use one of auto, hh-rlhf"):
        from_record({}, "nope")
    with pytest.raises(DataError, match=r"^data\.jsonl: line 4: field 'prompt' is missing"):
        from_record({"chosen": "a", "rejected": "b"}, where="data.jsonl: line 4")
    with pytest.raises(DataError, match="row 1: expected an object"):
        from_records([{"prompt": "p", "chosen": "a", "rejected": "b"}, ["x"]])  # type: ignore[list-item]
    assert set(PREFERENCE_MAPPINGS) == {"auto", "plain", "hh-rlhf", "ultrafeedback"}


def test_example_renders_both_conversations() -> None:
    example = PreferenceExample((Message("user", "q"),), "good", "bad")
    assert example.chosen_messages()[-1] == Message("assistant", "good")
    assert example.rejected_messages() == (Message("user", "q"), Message("assistant", "bad"))


@pytest.mark.parametrize(("split", "size"), [("train", 3000), ("test", 200)])
def test_shipped_preference_files(split: str, size: int) -> None:
    path = shipped_path(f"preference_{split}.jsonl")
    assert path.stat().st_size < 1_000_000
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    examples = from_records(rows, "plain")
    assert len(examples) == size
    kinds = {row["error"] for row in rows}
    assert kinds == {"off_by_one_digit", "dropped_carry", "swapped_digits"}
    for example in examples:
        a, b = (
            int(n)
            for n in example.prompt[0]
            .content.rstrip("?.")
            .replace("Add ", "")
            .replace(" and ", "+")
            .replace("What is ", "")
            .replace("Compute ", "")
            .split("+")
        )
        assert example.chosen == str(a + b)
        assert example.rejected != example.chosen and example.rejected.isdigit()
        assert not example.rejected.startswith("0")


def test_shipped_preference_test_prompts_are_the_arithmetic_test_prompts() -> None:
    def prompts(name: str, key: str) -> list[str]:
        rows = [json.loads(line) for line in shipped_path(name).read_text().splitlines()]
        return [r[key] if key == "prompt" else r["messages"][0]["content"] for r in rows]

    assert prompts("preference_test.jsonl", "prompt") == prompts("arithmetic_test.jsonl", "m")
    held_out = set(prompts("arithmetic_test.jsonl", "m"))
    assert not held_out & set(prompts("preference_train.jsonl", "prompt"))
