"""Text attributions as HTML: each token on a background whose colour says the sign of its
attribution (red pushes towards the explained class, blue away) and whose opacity its size.

Every token is HTML-escaped before it is wrapped, so a token like ``<script>`` is shown, never
run; the only markup in the output is the spans written here.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

POSITIVE = (198, 40, 40)
NEGATIVE = (21, 101, 192)


def token_html(tokens: Sequence[str], values: Sequence[float]) -> str:
    """``tokens`` as one block of coloured, escaped spans (``title`` shows the value).

    Raises:
        ValueError: ``tokens`` and ``values`` differ in length.
    """
    if len(tokens) != len(values):
        raise ValueError(f"{len(tokens)} tokens but {len(values)} attributions")
    finite = [abs(v) for v in values if v is not None and math.isfinite(v)]
    scale = max(finite, default=0.0) or 1.0
    spans = []
    for token, value in zip(tokens, values, strict=True):
        v = value if value is not None and math.isfinite(value) else 0.0
        red, green, blue = POSITIVE if v >= 0 else NEGATIVE
        alpha = min(1.0, abs(v) / scale) * 0.8
        text = html.escape(token)
        spans.append(
            f'<span title="{v:+.4f}" style="background: rgba({red},{green},{blue},{alpha:.2f});'
            f' padding: 1px 2px; margin: 1px; border-radius: 3px">{text}</span>'
        )
    return '<div style="line-height: 2; font-family: monospace">' + " ".join(spans) + "</div>"
