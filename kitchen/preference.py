"""Preference pairs for DPO: one prompt, a chosen and a rejected assistant completion.

Raw rows come in a few shapes; :func:`from_record` maps each to a :class:`PreferenceExample`:

- ``"hh-rlhf"`` (Anthropic/hh-rlhf): ``chosen`` and ``rejected`` are whole transcripts,
  ``"\\n\\nHuman: ...\\n\\nAssistant: ..."``, that share every turn but the last reply.
- ``"ultrafeedback"`` (HuggingFaceH4/ultrafeedback_binarized): ``prompt`` is text and
  ``chosen``/``rejected`` are message lists ``[user, assistant]`` ending in the reply.
- ``"plain"``: ``prompt`` as text or messages, ``chosen``/``rejected`` as text (or message lists
  ending in the reply, TRL's conversational shape).
- a user mapping of those three keys to the row's columns, e.g.
  ``{"prompt": "question", "chosen": "good", "rejected": "bad"}`` (read as ``"plain"``).

Bad rows raise :class:`~kitchen.errors.DataError` naming the row and the field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kitchen.adapters.hf._records import parse_messages
from kitchen.errors import ConfigError, DataError
from kitchen.types import Message, Role

__all__ = [
    "PREFERENCE_FIELDS",
    "PREFERENCE_MAPPINGS",
    "PreferenceExample",
    "PreferenceMapper",
    "from_record",
    "from_records",
]

Row = Mapping[str, Any]
PreferenceMapper = Callable[[Row, str], "PreferenceExample"]
"""Maps one raw row to an example; the second argument names the row in error messages."""

PREFERENCE_FIELDS: tuple[str, ...] = ("prompt", "chosen", "rejected")
"""The keys a user field mapping may set."""

_ROLES: tuple[Role, ...] = ("system", "user", "assistant")
# A speaker tag of the hh-rlhf transcripts, at the start of a turn.
_HH_TURN = re.compile(r"\n\n(Human|Assistant):[ ]?")
_HH_ROLES: dict[str, Role] = {"Human": "user", "Assistant": "assistant"}


@dataclass(frozen=True, slots=True)
class PreferenceExample:
    """One preference pair.

    Attributes:
        prompt: The conversation before the compared replies (at least one message).
        chosen: The preferred assistant completion.
        rejected: The dispreferred assistant completion.
    """

    prompt: tuple[Message, ...]
    chosen: str
    rejected: str

    def chosen_messages(self) -> tuple[Message, ...]:
        """The prompt followed by the chosen reply."""
        return (*self.prompt, Message("assistant", self.chosen))

    def rejected_messages(self) -> tuple[Message, ...]:
        """The prompt followed by the rejected reply."""
        return (*self.prompt, Message("assistant", self.rejected))


def from_record(
    row: Row,
    fields: Mapping[str, str] | str | None = None,
    *,
    index: int = 0,
    where: str | None = None,
) -> PreferenceExample:
    """Map one raw row to a :class:`PreferenceExample`.

    Args:
        row: The raw row (a dict of columns).
        fields: ``None`` to recognise the shape from the row; a name in
            :data:`PREFERENCE_MAPPINGS` (``"hh-rlhf"``, ``"ultrafeedback"``, ``"plain"``); or a
            mapping of ``prompt``/``chosen``/``rejected`` to column names.
        index: The row's position, named in error messages.
        where: How to name the row in error messages instead (e.g. ``"data.jsonl: line 4"``).

    Returns:
        The preference pair.

    Raises:
        ConfigError: ``fields`` names no known format, or maps an unknown key.
        DataError: the row lacks a field or a field has the wrong shape (naming row and field).
    """
    at = where or f"row {index}"
    if not isinstance(row, Mapping):
        raise DataError(f"{at}: expected an object with fields, got {type(row).__name__}")
    return _mapper(fields)(row, at)


def from_records(
    rows: Iterable[Row], fields: Mapping[str, str] | str | None = None
) -> list[PreferenceExample]:
    """Map every row with :func:`from_record`; errors name the 0-based row index."""
    mapper = _mapper(fields)
    examples = []
    for index, row in enumerate(rows):
        at = f"row {index}"
        if not isinstance(row, Mapping):
            raise DataError(f"{at}: expected an object with fields, got {type(row).__name__}")
        examples.append(mapper(row, at))
    return examples


def _mapper(fields: Mapping[str, str] | str | None) -> PreferenceMapper:
    if fields is None:
        return _auto
    if isinstance(fields, str):
        try:
            return PREFERENCE_MAPPINGS[fields]
        except KeyError:
            known = ", ".join(sorted(PREFERENCE_MAPPINGS))
            raise ConfigError(
                f"preference_format: unknown format {fields!r}; use one of {known}"
            ) from None
    unknown = sorted(set(fields) - set(PREFERENCE_FIELDS))
    if unknown:
        raise ConfigError(
            f"preference fields: unknown key(s) {', '.join(unknown)}; "
            f"use {', '.join(PREFERENCE_FIELDS)}"
        )
    columns = dict(fields)

    def mapped(row: Row, at: str) -> PreferenceExample:
        return _pair(
            row,
            at,
            prompt=columns.get("prompt", "prompt"),
            chosen=columns.get("chosen", "chosen"),
            rejected=columns.get("rejected", "rejected"),
        )

    return mapped


def _auto(row: Row, at: str) -> PreferenceExample:
    """Recognise hh-rlhf transcripts (no prompt column); read everything else as plain."""
    chosen = row.get("chosen")
    if "prompt" not in row and isinstance(chosen, str) and _HH_TURN.search("\n\n" + chosen):
        return _from_hh(row, at)
    return _from_plain(row, at)


def _from_plain(row: Row, at: str) -> PreferenceExample:
    return _pair(row, at, prompt="prompt", chosen="chosen", rejected="rejected")


def _from_ultrafeedback(row: Row, at: str) -> PreferenceExample:
    for column in ("chosen", "rejected"):
        if column in row and not isinstance(row[column], list):
            raise DataError(
                f"{at}: field {column!r} must be a list of messages (ultrafeedback shape), "
                f"got {type(row[column]).__name__}"
            )
    return _pair(row, at, prompt="prompt", chosen="chosen", rejected="rejected")


def _from_hh(row: Row, at: str) -> PreferenceExample:
    chosen_turns = _hh_turns(_field(row, "chosen", at), "chosen", at)
    rejected_turns = _hh_turns(_field(row, "rejected", at), "rejected", at)
    prompt, chosen = _split_last_reply(chosen_turns, "chosen", at)
    rejected_prompt, rejected = _split_last_reply(rejected_turns, "rejected", at)
    if prompt != rejected_prompt:
        raise DataError(
            f"{at}: fields 'chosen' and 'rejected' do not share the turns before the last "
            "Assistant reply, so no common prompt can be split off"
        )
    return PreferenceExample(prompt, chosen, rejected)


def _hh_turns(text: Any, column: str, at: str) -> tuple[Message, ...]:
    if not isinstance(text, str):
        raise DataError(f"{at}: field {column!r} must be a transcript text, got {_kind(text)}")
    # The transcripts start with "\n\nHuman:"; tolerate a copy stripped of its leading blank lines.
    parts = _HH_TURN.split("\n\n" + text.lstrip("\n"))
    if parts[0].strip():
        raise DataError(
            f"{at}: field {column!r} must start with 'Human:' (an hh-rlhf transcript), "
            f"got {text[:40]!r}"
        )
    # split() with one group alternates: ['', speaker, content, speaker, content, ...]
    speakers, contents = parts[1::2], parts[2::2]
    return tuple(Message(_HH_ROLES[s], c.strip()) for s, c in zip(speakers, contents, strict=True))


def _split_last_reply(
    turns: Sequence[Message], column: str, at: str
) -> tuple[tuple[Message, ...], str]:
    if not turns or turns[-1].role != "assistant":
        raise DataError(f"{at}: field {column!r} must end in an assistant reply")
    prompt = tuple(turns[:-1])
    if not prompt:
        raise DataError(f"{at}: field {column!r} has no prompt turns before the reply")
    return prompt, turns[-1].content


def _pair(row: Row, at: str, *, prompt: str, chosen: str, rejected: str) -> PreferenceExample:
    chosen_prompt, chosen_text = _reply(row, chosen, at)
    rejected_prompt, rejected_text = _reply(row, rejected, at)
    if chosen_prompt != rejected_prompt:
        raise DataError(
            f"{at}: fields {chosen!r} and {rejected!r} hold different conversations before "
            "their last reply"
        )
    # Message lists with earlier turns carry the prompt themselves (ultrafeedback repeats the
    # prompt text as their first message), so the prompt column is only read otherwise.
    turns = chosen_prompt or _prompt(row, prompt, at)
    return PreferenceExample(turns, chosen_text, rejected_text)


def _reply(row: Row, column: str, at: str) -> tuple[tuple[Message, ...], str]:
    """Return (turns before the reply, reply text) of a text or message-list field."""
    value = _field(row, column, at)
    if isinstance(value, str):
        return (), value
    if isinstance(value, list):
        messages = parse_messages(value, column, at)
        if messages[-1].role != "assistant":
            raise DataError(f"{at}: field {column!r} must end in an assistant message")
        return messages[:-1], messages[-1].content
    raise DataError(
        f"{at}: field {column!r} must be text or a list of messages, got {_kind(value)}"
    )


def _prompt(row: Row, column: str, at: str) -> tuple[Message, ...]:
    value = _field(row, column, at)
    if isinstance(value, str):
        if not value.strip():
            raise DataError(f"{at}: field {column!r} is empty")
        return (Message("user", value),)
    if isinstance(value, list):
        return parse_messages(value, column, at)
    raise DataError(
        f"{at}: field {column!r} must be text or a list of messages, got {_kind(value)}"
    )


def _field(row: Row, column: str, at: str) -> Any:
    if column not in row or row[column] is None:
        has = ", ".join(map(str, row)) or "no fields"
        raise DataError(f"{at}: field {column!r} is missing; the row has: {has}")
    return row[column]


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


PREFERENCE_MAPPINGS: dict[str, PreferenceMapper] = {
    "auto": _auto,
    "plain": _from_plain,
    "hh-rlhf": _from_hh,
    "ultrafeedback": _from_ultrafeedback,
}
"""Named row formats, for ``preference_format`` in a recipe."""
