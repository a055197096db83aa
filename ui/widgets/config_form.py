"""A form generated from a recipe's typed config (its pydantic JSON schema)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, Switch


@dataclass(frozen=True, slots=True)
class Field:
    """One knob of a config."""

    name: str
    kind: str
    """``enum``, ``boolean``, ``integer``, ``number``, ``string`` or ``json``."""
    default: Any
    description: str
    choices: tuple[str, ...] = ()


def fields_of(schema: Mapping[str, Any]) -> list[Field]:
    """The fields of a pydantic JSON schema, in declaration order."""
    out = []
    for name, prop in schema.get("properties", {}).items():
        prop = _concrete(prop, schema)
        kind = "json"
        choices: tuple[str, ...] = ()
        if "enum" in prop:
            kind, choices = "enum", tuple(str(c) for c in prop["enum"])
        elif prop.get("type") in ("boolean", "integer", "number", "string"):
            kind = str(prop["type"])
        default = prop.get("default", {} if prop.get("type") == "object" else None)
        out.append(Field(name, kind, default, str(prop.get("description", "")), choices))
    return out


def _concrete(prop: Mapping[str, Any], schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """A property with ``$ref`` resolved and ``anyOf [T, null]`` reduced to ``T``."""
    merged = dict(prop)
    ref = merged.pop("$ref", None)
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        merged = {**schema.get("$defs", {}).get(ref.split("/")[-1], {}), **merged}
    options = merged.get("anyOf")
    if isinstance(options, list):
        real = [o for o in options if o.get("type") != "null"]
        if len(real) == 1:
            merged = {
                **_concrete(real[0], schema),
                **{k: v for k, v in merged.items() if k != "anyOf"},
            }
    return merged


def as_text(value: Any) -> str:
    """How a value is typed in the form (and in a ``key=value`` override)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


class ConfigForm(Widget):
    """One row per config field; :meth:`overrides` lists the edited ones as ``key=value``."""

    DEFAULT_CSS = """
    ConfigForm { height: auto; }
    ConfigForm .field { height: auto; }
    ConfigForm .row { height: auto; }
    ConfigForm Switch { margin: 0 0 0 0; }
    ConfigForm .name { width: 32; height: 3; padding: 0 1 0 1; }
    ConfigForm Input, ConfigForm Select { width: 1fr; }
    ConfigForm .error { color: $error; padding: 0 0 0 1; display: none; }
    ConfigForm .error.shown { display: block; }
    ConfigForm .desc { color: $text-muted; }
    """

    def __init__(self, fields: list[Field], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.fields = fields
        self.baseline = {f.name: as_text(f.default) for f in fields}

    def compose(self) -> ComposeResult:
        for f in self.fields:
            with Vertical(classes="field", id=f"field-{f.name}"):
                with Horizontal(classes="row"):
                    yield Label(
                        f"[b]{escape(f.name)}[/b]\n[dim]{escape(f.description)}[/dim]",
                        classes="name",
                    )
                    yield self.editor(f)
                yield Static("", classes="error", id=f"error-{f.name}")

    def editor(self, f: Field) -> Widget:
        """The input widget of one field."""
        wid = f"input-{f.name}"
        text = self.baseline[f.name]
        if f.kind == "enum":
            return Select([(c, c) for c in f.choices], value=text, allow_blank=False, id=wid)
        if f.kind == "boolean":
            return Switch(value=text == "true", id=wid)
        kind = {"integer": "integer", "number": "number"}.get(f.kind, "text")
        placeholder = "JSON or YAML, e.g. {prompt: question}" if f.kind == "json" else ""
        return Input(text, type=kind, id=wid, placeholder=placeholder, tooltip=f.description)  # type: ignore[arg-type]

    def value_text(self, name: str) -> str:
        """What the field holds now, as override text."""
        widget = self.query_one(f"#input-{name}")
        if isinstance(widget, Switch):
            return "true" if widget.value else "false"
        if isinstance(widget, Select):
            return "" if widget.value is Select.BLANK else str(widget.value)
        assert isinstance(widget, Input)
        return widget.value.strip()

    def set_value(self, name: str, value: Any) -> None:
        """Put ``value`` in a field (a loaded YAML file)."""
        widget = self.query_one(f"#input-{name}")
        text = as_text(value)
        if isinstance(widget, Switch):
            widget.value = text == "true"
        elif isinstance(widget, (Select, Input)):
            widget.value = text

    def load(self, mapping: Mapping[str, Any]) -> list[str]:
        """Fill fields from a YAML mapping; it becomes the baseline. Returns unknown keys."""
        names = {f.name for f in self.fields}
        for key, value in mapping.items():
            if key in names:
                self.set_value(key, value)
                self.baseline[key] = as_text(value)
        return [k for k in mapping if k not in names]

    def overrides(self) -> list[str]:
        """``key=value`` for every field that differs from its default (or the loaded YAML)."""
        out = []
        for f in self.fields:
            text = self.value_text(f.name)
            if text != self.baseline[f.name]:
                out.append(f"{f.name}={text}")
        return out

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Show each field's error under it (and clear the others)."""
        for f in self.fields:
            box = self.query_one(f"#error-{f.name}", Static)
            message = errors.get(f.name, "")
            box.update(f"↑ {message}" if message else "")
            box.set_class(bool(message), "shown")
