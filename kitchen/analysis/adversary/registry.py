"""Attack names → perturbation classes, and attack specs from configs.

A spec is a name (``"homoglyph"``), a name with a category (``"jailbreak_roleplay"``), a
composition (``"character_swap+synonym_replacement"``), or a mapping
``{"type": "homoglyph", "charset": "greek"}`` (``parts`` for a composition).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from kitchen.analysis.adversary._base import Perturbation
from kitchen.analysis.adversary.character import (
    CharacterDelete,
    CharacterInsert,
    CharacterSwap,
    Homoglyph,
    KeyboardTypo,
)
from kitchen.analysis.adversary.compose import Compose
from kitchen.analysis.adversary.prompt import (
    INJECTION_CATEGORIES,
    JAILBREAK_CATEGORIES,
    Jailbreak,
    PromptInjection,
)
from kitchen.analysis.adversary.word import (
    SynonymReplacement,
    WordDeletion,
    WordInsertion,
    WordShuffle,
)
from kitchen.errors import ConfigError

ATTACKS: dict[str, type[Perturbation]] = {
    cls.name: cls
    for cls in (
        CharacterSwap,
        CharacterDelete,
        CharacterInsert,
        Homoglyph,
        KeyboardTypo,
        WordDeletion,
        WordInsertion,
        SynonymReplacement,
        WordShuffle,
        PromptInjection,
        Jailbreak,
    )
}
"""Every attack type by name."""

_CATEGORISED: dict[str, tuple[type[Perturbation], str]] = {
    **{f"prompt_injection_{c}": (PromptInjection, c) for c in INJECTION_CATEGORIES},
    **{f"jailbreak_{c}": (Jailbreak, c) for c in JAILBREAK_CATEGORIES},
}


def attack_names() -> list[str]:
    """Every name a spec may use (types and category shorthands)."""
    return [*ATTACKS, *_CATEGORISED]


def make_attack(spec: str | Mapping[str, Any], *, rate: float | None = None) -> Perturbation:
    """Build the perturbation ``spec`` names.

    Args:
        spec: A name, ``a+b`` for a composition, or a mapping with ``type`` and parameters.
        rate: The severity to use, over the spec's own rate (and the type's default).

    Raises:
        ConfigError: an unknown name or parameter, or an out-of-range value.
    """
    if isinstance(spec, str):
        if "+" in spec:
            parts = tuple(make_attack(p.strip(), rate=rate) for p in spec.split("+"))
            return Compose(rate=parts[0].rate, parts=parts)
        return _build({"type": spec}, rate)
    if not isinstance(spec, Mapping) or "type" not in spec:
        raise ConfigError(f"attack spec {spec!r}: give a name or a mapping with 'type'")
    if spec["type"] == Compose.name:
        parts = tuple(make_attack(p, rate=rate) for p in spec.get("parts", ()))
        if not parts:
            raise ConfigError("attack spec 'compose': give 'parts'")
        return Compose(rate=parts[0].rate, parts=parts)
    return _build(spec, rate)


def _build(spec: Mapping[str, Any], rate: float | None) -> Perturbation:
    params = {k: v for k, v in spec.items() if k != "type"}
    name = str(spec["type"])
    if name in _CATEGORISED:
        cls, category = _CATEGORISED[name]
        params.setdefault("category", category)
    elif name in ATTACKS:
        cls = ATTACKS[name]
    else:
        hint = difflib.get_close_matches(name, attack_names(), n=1)
        suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
        raise ConfigError(f"unknown attack {name!r}{suggestion} Known: {', '.join(attack_names())}")
    if rate is not None:
        params["rate"] = rate
    try:
        return cls(**params)
    except TypeError as error:
        raise ConfigError(f"attack {name!r}: {error}") from None
