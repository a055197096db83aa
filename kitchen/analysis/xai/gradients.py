"""White-box text attributions in torch: integrated gradients and occlusion.

Integrated gradients (Sundararajan et al., 2017) integrates the gradient of the target's
output along the straight path from a baseline to the input *in embedding space*:
``attr_i = (x_i − x'_i) · mean_α ∇f(x' + α(x − x'))_i``, summed over the hidden dimension.
The baseline is every token's PAD embedding, except special tokens ([CLS], [SEP]), which are
kept so the baseline is still a well-formed input. With exact integration Σ attr = f(x) − f(x')
(completeness); the Riemann/trapezoid sum misses that by a gap that shrinks with ``steps``,
and every explanation reports it.

Occlusion replaces each window of tokens with the mask token (PAD when the tokenizer has none)
and takes the drop in P(target) as the window's importance; a token's attribution is the mean
drop of the windows that cover it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from kitchen.analysis.xai.explanation import Attribution, Explanation, ModelRef, gap_checks
from kitchen.analysis.xai.text import TextModel
from kitchen.errors import ConfigError

Rule = Literal["trapezoid", "left", "right", "midpoint"]
Output = Literal["probability", "logit"]


def _logits(model: TextModel, **inputs: Any) -> Any:
    """The classifier's logits for ``input_ids`` or ``inputs_embeds`` (+ attention mask).

    A module with ``forward_embeds(inputs_embeds, attention_mask)`` (the MiniLM
    ``TextClassifier``) is called through it; Hugging Face models take ``inputs_embeds``.
    """
    net = model.model
    if "inputs_embeds" in inputs and hasattr(net, "forward_embeds"):
        return net.forward_embeds(inputs["inputs_embeds"], inputs["attention_mask"])
    out = net(**inputs)
    return getattr(out, "logits", out)


def _score(logits: Any, target: int, output: Output) -> Any:
    import torch

    if output == "logit":
        return logits[:, target]
    return torch.softmax(logits, dim=-1)[:, target]


def _encode(model: TextModel, text: str, max_length: int) -> tuple[Any, Any, list[bool], list[str]]:
    """Token ids ``[1, L]``, attention mask, special-token flags and token strings."""
    tok = model.tokenizer
    enc = tok(text, return_tensors="pt", truncation=True, max_length=max_length)
    ids = enc["input_ids"]
    special = tok.get_special_tokens_mask(ids[0].tolist(), already_has_special_tokens=True)
    tokens = tok.convert_ids_to_tokens(ids[0].tolist())
    return ids, enc["attention_mask"], [bool(s) for s in special], [str(t) for t in tokens]


def _pad_id(model: TextModel) -> int:
    pad = model.tokenizer.pad_token_id
    if pad is None:
        raise ConfigError("integrated gradients' PAD baseline needs a tokenizer with a pad token")
    return int(pad)


def _alphas(steps: int, rule: Rule) -> tuple[Any, Any]:
    """Path points and their quadrature weights (summing to 1) for ``rule``."""
    import torch

    if steps < 1:
        raise ConfigError(f"integrated gradients needs steps ≥ 1, got {steps}")
    if rule == "midpoint":
        alphas = (torch.arange(steps, dtype=torch.float64) + 0.5) / steps
        return alphas, torch.full((steps,), 1.0 / steps, dtype=torch.float64)
    grid = torch.linspace(0.0, 1.0, steps + 1, dtype=torch.float64)
    if rule == "left":
        return grid[:-1], torch.full((steps,), 1.0 / steps, dtype=torch.float64)
    if rule == "right":
        return grid[1:], torch.full((steps,), 1.0 / steps, dtype=torch.float64)
    weights = torch.full((steps + 1,), 1.0 / steps, dtype=torch.float64)
    weights[0] = weights[-1] = 0.5 / steps
    return grid, weights


def integrated_gradients(
    model: TextModel,
    texts: Sequence[str],
    *,
    target: int | None = None,
    steps: int = 64,
    rule: Rule = "trapezoid",
    output: Output = "probability",
    batch_size: int = 32,
    max_length: int = 128,
    model_ref: ModelRef | None = None,
) -> Explanation:
    """Integrated gradients per token on the embedding layer, PAD baseline (special tokens kept).

    ``base_value`` is f(baseline) and ``output`` f(x), so each example's ``gap`` is the
    completeness gap |Σ attr − (f(x) − f(baseline))|.
    """
    import torch

    net = model.model
    net.eval()
    layer = model.embeddings()
    pad = _pad_id(model)
    alphas, weights = _alphas(steps, rule)
    examples = []
    for text in texts:
        ids, mask, special, tokens = _encode(model, text, max_length)
        with torch.no_grad():
            probe = _logits(model, input_ids=ids, attention_mask=mask)
        t = int(probe[0].argmax()) if target is None else target
        if not 0 <= t < probe.shape[-1]:
            raise ConfigError(f"target class {t} out of range: the model has {probe.shape[-1]}")
        base_ids = torch.where(torch.tensor(special), ids, torch.full_like(ids, pad))
        with torch.no_grad():
            x_emb, b_emb = layer(ids), layer(base_ids)
        delta = (x_emb - b_emb).detach()
        total = torch.zeros_like(x_emb[0], dtype=torch.float64)
        for start in range(0, len(alphas), batch_size):
            chunk = alphas[start : start + batch_size].to(x_emb.dtype)
            path = (b_emb + chunk[:, None, None] * delta).requires_grad_(True)
            logits = _logits(model, inputs_embeds=path, attention_mask=mask.expand(len(chunk), -1))
            (grad,) = torch.autograd.grad(_score(logits, t, output).sum(), path)
            w = weights[start : start + batch_size]
            total += (grad.to(torch.float64) * w[:, None, None]).sum(0)
        attr = (delta[0].to(torch.float64) * total).sum(-1)
        with torch.no_grad():
            f_x = float(_score(_logits(model, inputs_embeds=x_emb, attention_mask=mask), t, output))
            f_b = float(_score(_logits(model, inputs_embeds=b_emb, attention_mask=mask), t, output))
        examples.append(
            Attribution(
                features=tuple(tokens),
                values=tuple(float(v) for v in attr),
                base_value=f_b,
                output=f_x,
                target=t,
                text=text,
            )
        )
    return Explanation(
        method="integrated_gradients",
        model=model_ref or ModelRef(type(model).__name__),
        examples=tuple(examples),
        params={
            "baseline": "pad (special tokens kept)",
            "steps": steps,
            "rule": rule,
            "output": output,
            "target": target,
            "max_length": max_length,
        },
        checks={**gap_checks(examples), **_relative_gap(examples)},
    )


def _relative_gap(examples: Sequence[Attribution]) -> dict[str, float]:
    """The largest completeness gap relative to |f(x) − f(baseline)| (scale-free)."""
    ratios = [
        e.gap / abs(e.output - e.base_value)
        for e in examples
        if e.gap is not None
        and e.output is not None
        and e.base_value is not None
        and abs(e.output - e.base_value) > 1e-12
    ]
    return {"max_relative_gap": float(max(ratios))} if ratios else {}


def occlusion(
    model: TextModel,
    texts: Sequence[str],
    *,
    target: int | None = None,
    window: int = 1,
    stride: int = 1,
    batch_size: int = 64,
    max_length: int = 128,
    model_ref: ModelRef | None = None,
) -> Explanation:
    """Occlusion per token: the drop in P(target) when a window of tokens is masked.

    Special tokens are never occluded (their attribution is 0). ``output`` is P(target | x).
    """
    import torch

    if window < 1 or stride < 1:
        raise ConfigError(f"occlusion needs window ≥ 1 and stride ≥ 1, got {window}, {stride}")
    tok = model.tokenizer
    fill = tok.mask_token_id if tok.mask_token_id is not None else tok.pad_token_id
    if fill is None:
        raise ConfigError("occlusion needs a tokenizer with a mask or pad token")
    model.model.eval()
    examples = []
    for text in texts:
        ids, mask, special, tokens = _encode(model, text, max_length)
        with torch.no_grad():
            probs = torch.softmax(_logits(model, input_ids=ids, attention_mask=mask), -1)[0]
        t = int(probs.argmax()) if target is None else target
        if not 0 <= t < probs.shape[-1]:
            raise ConfigError(f"target class {t} out of range: the model has {probs.shape[-1]}")
        positions = [i for i, s in enumerate(special) if not s]
        spans = [
            positions[i : i + window]
            for i in range(0, max(len(positions) - window, 0) + 1, stride)
            if positions[i : i + window]
        ]
        drops: list[float] = []
        for start in range(0, len(spans), batch_size):
            chunk = spans[start : start + batch_size]
            batch = ids.repeat(len(chunk), 1)
            for row, span in enumerate(chunk):
                batch[row, span] = int(fill)
            with torch.no_grad():
                logits = _logits(model, input_ids=batch, attention_mask=mask.expand(len(chunk), -1))
            drops.extend((probs[t] - torch.softmax(logits, -1)[:, t]).tolist())
        sums, counts = np.zeros(len(tokens)), np.zeros(len(tokens))
        for span, drop in zip(spans, drops, strict=True):
            sums[span] += drop
            counts[span] += 1
        values = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
        examples.append(
            Attribution(
                features=tuple(tokens),
                values=tuple(float(v) for v in values),
                output=float(probs[t]),
                target=t,
                text=text,
            )
        )
    return Explanation(
        method="occlusion",
        model=model_ref or ModelRef(type(model).__name__),
        examples=tuple(examples),
        params={
            "window": window,
            "stride": stride,
            "replacement": tok.mask_token if tok.mask_token_id is not None else tok.pad_token,
            "target": target,
            "max_length": max_length,
        },
        checks={},
    )
