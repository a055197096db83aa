"""Keep secrets out of reports: drop params whose key or value looks like a credential.

A report is made to be shared, so the filter errs on the side of dropping: any key segment
naming a key, password, secret or token goes, except the tokenizer's special tokens
(``pad_token``, ``eos_token`` ...), which are configuration, not credentials.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_SECRET_WORDS = re.compile(
    r"(api[_-]?key|apikey|access[_-]?key|private[_-]?key|secret|password|passwd|passphrase"
    r"|credential|auth(?:[_-]|$))",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"(^|[_-])token$", re.IGNORECASE)
_SPECIAL_TOKENS = re.compile(r"^(pad|eos|bos|unk|sep|cls|mask)[_-]token$", re.IGNORECASE)
# Values shaped like well-known credentials, whatever their key says.
_SECRET_VALUE = re.compile(r"^(sk-|hf_|ghp_|gho_|github_pat_|xox[abpr]-|AKIA)[A-Za-z0-9_\-]{8,}")


def is_secret_key(key: str) -> bool:
    """Whether a (dotted) param key names a credential, e.g. ``hub.token`` or ``api_key``."""
    for part in re.split(r"[./]", key):
        if _SECRET_WORDS.search(part):
            return True
        if _TOKEN.search(part) and not _SPECIAL_TOKENS.match(part):
            return True
    return False


def is_secret_value(value: Any) -> bool:
    """Whether a string value has the shape of an API token (``sk-…``, ``hf_…``, ``ghp_…``)."""
    return isinstance(value, str) and bool(_SECRET_VALUE.match(value.strip()))


def public_params(params: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    """Params flattened to dotted keys with every secret-looking entry removed.

    Returns:
        The kept params sorted by key, and how many entries were dropped.
    """
    flat: dict[str, Any] = {}
    _flatten("", params, flat)
    kept = {
        k: v for k, v in sorted(flat.items()) if not is_secret_key(k) and not is_secret_value(v)
    }
    return kept, len(flat) - len(kept)


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, Mapping) and value:
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), inner, out)
    else:
        out[prefix] = value
