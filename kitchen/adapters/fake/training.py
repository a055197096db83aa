"""An in-memory training backend: a low-rank bigram model trained by numpy AdamW.

It follows the torch backend's conventions (loss_mask marks targets, token 0 is never one; the
loss is the mean over the batch's targets; AdamW with decay on matrices only; clipping reports
the pre-clip norm) so the same contract tests hold for both, and its loss really falls, so stage
and workflow tests can assert learning in milliseconds. Everything is float64 and seeded, and
state files are JSON (Python floats survive a JSON round trip exactly), so resume is bit-exact.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kitchen.errors import ConfigError, DataError, ResumeError, TrainingError
from kitchen.ports.tokenizer import Tokenizer
from kitchen.ports.training import CROSS_ENTROPY, LossSpec, SessionSpec, TrainingSession
from kitchen.types import Datum, OptimResult, SamplingParams, StepResult

__all__ = ["FakeBackend", "FakeSampler", "FakeSession"]

Array = NDArray[np.float64]
MODEL_FILE = "fake_model.json"
STATE_FILE = "fake_state.json"
_SPECIALS = ("<|pad|>", "<|bos|>", "<|eos|>")


class _ByteTokenizer:
    """Ids 0-2 are pad, bos, eos; every byte b is id 3 + b."""

    vocab_size, pad_token_id, bos_token_id, eos_token_id = 259, 0, 1, 2

    def encode(self, text: str) -> list[int]:
        return [3 + b for b in text.encode("utf-8")]

    def decode(self, ids: Sequence[int]) -> str:
        return bytes(i - 3 for i in ids if 3 <= i < 259).decode("utf-8", errors="replace")

    def token_to_id(self, token: str) -> int | None:
        if token in _SPECIALS:
            return _SPECIALS.index(token)
        raw = token.encode("utf-8")
        return 3 + raw[0] if len(raw) == 1 else None


class FakeBackend:
    """Starts :class:`FakeSession` objects; no torch, no files needed."""

    name = "fake"

    def __init__(self, tokenizer: Tokenizer | None = None, *, dim: int = 16) -> None:
        """Configure the fake model.

        Args:
            tokenizer: The vocabulary to model; a 259-id byte tokenizer when omitted.
            dim: Width of the bigram factorisation (``logits = E[prev] @ U + b``).
        """
        self._tokenizer: Tokenizer = tokenizer or _ByteTokenizer()
        self._dim = dim

    def start_session(self, spec: SessionSpec) -> FakeSession:
        """A fresh seeded model, or the one in ``spec.model_dir`` when it holds a fake model."""
        saved = spec.model_dir / MODEL_FILE if spec.model_dir is not None else None
        if saved is not None and saved.is_file():
            data = json.loads(saved.read_text(encoding="utf-8"))
            params = {k: np.asarray(v, dtype=np.float64) for k, v in data["params"].items()}
        else:
            rng = np.random.default_rng(spec.seed)
            vocab = self._tokenizer.vocab_size
            params = {
                "E": rng.normal(0.0, 0.1, (vocab, self._dim)),
                "U": rng.normal(0.0, 0.1, (self._dim, vocab)),
                "b": np.zeros(vocab),
            }
        return FakeSession(params, self._tokenizer, spec)


class FakeSession:
    """A bigram model + AdamW held in numpy arrays. ``lora_rank > 0`` freezes the embeddings."""

    def __init__(self, params: dict[str, Array], tokenizer: Tokenizer, spec: SessionSpec) -> None:
        self._params = params
        self._tokenizer = tokenizer
        self._spec = spec
        self._trainable = ["U", "b"] if spec.lora_rank > 0 else ["E", "U", "b"]
        self._grads = {k: np.zeros_like(params[k]) for k in self._trainable}
        self._m = {k: np.zeros_like(params[k]) for k in self._trainable}
        self._v = {k: np.zeros_like(params[k]) for k in self._trainable}
        self._t = 0
        self._closed = False

    @property
    def tokenizer(self) -> Tokenizer:
        return self._tokenizer

    @property
    def device(self) -> str:
        return "cpu"

    @property
    def num_parameters(self) -> int:
        return sum(int(p.size) for p in self._params.values())

    @property
    def num_trainable_parameters(self) -> int:
        return sum(int(self._params[k].size) for k in self._trainable)

    def forward_backward(
        self,
        batch: Sequence[Datum],
        loss: LossSpec = CROSS_ENTROPY,
        *,
        reference: TrainingSession | None = None,
    ) -> StepResult:
        """Accumulate the gradient of the batch's mean masked cross-entropy.

        Raises:
            ConfigError: ``loss`` is not ``cross_entropy`` (the other objectives are exact
                torch implementations; the fake does not imitate them).
        """
        self._check_open()
        if loss.name != "cross_entropy":
            raise ConfigError(
                f"the fake backend computes cross_entropy only, not {loss.name}; "
                "use the torch backend"
            )
        prev, target, num_tokens = _pairs(batch, len(self._params["b"]))
        hidden = self._params["E"][prev]
        logits = _mm(hidden, self._params["U"]) + self._params["b"]
        value, probs = _cross_entropy(logits, target)
        if not math.isfinite(value):
            raise TrainingError(f"loss is {value}", title="Training diverged")
        # d(mean CE)/d(logits) = softmax - onehot, averaged over the targets.
        probs[np.arange(len(target)), target] -= 1.0
        probs /= len(target)
        self._grads["U"] += _mm(hidden.T, probs)
        self._grads["b"] += probs.sum(axis=0)
        if "E" in self._grads:
            np.add.at(self._grads["E"], prev, _mm(probs, self._params["U"].T))
        return StepResult(value, num_tokens, len(target))

    def optim_step(self, lr: float) -> OptimResult:
        """Clip to ``max_grad_norm``, take an AdamW step at ``lr``, zero the gradients."""
        self._check_open()
        if not math.isfinite(lr) or lr < 0:
            raise ConfigError(f"lr: must be a finite number >= 0, got {lr}")
        norm = math.sqrt(sum(float(np.sum(g * g)) for g in self._grads.values()))
        if not math.isfinite(norm):
            self._zero_grads()
            raise TrainingError(f"gradient norm is {norm}", title="Training diverged")
        limit = self._spec.max_grad_norm
        scale = min(1.0, limit / (norm + 1e-6)) if limit > 0 else 1.0
        beta1, beta2 = self._spec.betas
        self._t += 1
        for key in self._trainable:
            grad = self._grads[key] * scale
            self._m[key] = beta1 * self._m[key] + (1 - beta1) * grad
            self._v[key] = beta2 * self._v[key] + (1 - beta2) * grad * grad
            m_hat = self._m[key] / (1 - beta1**self._t)
            v_hat = self._v[key] / (1 - beta2**self._t)
            param = self._params[key]
            if param.ndim >= 2:  # like the torch backend: no decay on biases
                param *= 1 - lr * self._spec.weight_decay
            param -= lr * m_hat / (np.sqrt(v_hat) + 1e-8)
        self._zero_grads()
        return OptimResult(lr=lr, grad_norm=norm)

    def values(self, batch: Sequence[Datum]) -> list[tuple[float, ...]]:
        """The fake has no value head.

        Raises:
            ConfigError: always.
        """
        raise ConfigError("the fake backend has no value head; use the torch backend")

    def logprobs(self, batch: Sequence[Datum]) -> list[tuple[float, ...]]:
        """Each target token's log-probability under the bigram model, aligned with the ids."""
        self._check_open()
        _pairs(batch, len(self._params["b"]))  # the same checks as training
        out = []
        for datum in batch:
            ids = np.asarray(datum.input_ids, dtype=np.int64)
            row = [0.0] * len(ids)
            if len(ids) > 1:
                logits = _mm(self._params["E"][ids[:-1]], self._params["U"]) + self._params["b"]
                shifted = logits - logits.max(axis=1, keepdims=True)
                log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
                for i in range(1, len(ids)):
                    if datum.loss_mask[i]:
                        row[i] = float(log_probs[i - 1, ids[i]])
            out.append(tuple(row))
        return out

    def eval_loss(self, batch: Sequence[Datum]) -> StepResult:
        """The batch's mean masked cross-entropy; touches no gradient."""
        self._check_open()
        prev, target, num_tokens = _pairs(batch, len(self._params["b"]))
        logits = _mm(self._params["E"][prev], self._params["U"]) + self._params["b"]
        return StepResult(_cross_entropy(logits, target)[0], num_tokens, len(target))

    def sampler(self, seed: int | None = None) -> FakeSampler:
        """A sampler over the live arrays (it sees later steps, as the torch one does)."""
        self._check_open()
        return FakeSampler(
            self._params, self._tokenizer, seed=self._spec.seed if seed is None else seed
        )

    def save_state(self, directory: Path) -> None:
        """Write weights, AdamW moments and the step count to one JSON file."""
        directory.mkdir(parents=True, exist_ok=True)
        state = {
            "format": 1,
            "backend": "fake",
            "trainable": self._trainable,
            "t": self._t,
            "params": _listed(self._params),
            "m": _listed(self._m),
            "v": _listed(self._v),
        }
        (directory / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")

    def load_state(self, directory: Path) -> None:
        """Restore :meth:`save_state`'s file; raises :class:`ResumeError` when it does not fit."""
        path = directory / STATE_FILE
        if not path.is_file():
            raise ResumeError(f"checkpoint is incomplete: {path} is missing")
        state = json.loads(path.read_text(encoding="utf-8"))
        if state.get("backend") != "fake" or state.get("trainable") != self._trainable:
            raise ResumeError(f"{directory} was not saved by a fake session of this setup")
        for name, store in (("params", self._params), ("m", self._m), ("v", self._v)):
            for key, value in state[name].items():
                store[key] = np.asarray(value, dtype=np.float64)
        self._t = int(state["t"])
        self._zero_grads()

    def save_model(self, directory: Path) -> None:
        """Write ``fake_model.json``, which :meth:`FakeBackend.start_session` loads back."""
        directory.mkdir(parents=True, exist_ok=True)
        data = {
            "format": 1,
            "vocab_size": self._tokenizer.vocab_size,
            "params": _listed(self._params),
        }
        (directory / MODEL_FILE).write_text(json.dumps(data), encoding="utf-8")

    def close(self) -> None:
        """Refuse further work, as a real session that has freed its model must."""
        self._closed = True

    def _check_open(self) -> None:
        if self._closed:
            raise TrainingError("the session is closed")

    def _zero_grads(self) -> None:
        for grad in self._grads.values():
            grad.fill(0.0)


class FakeSampler:
    """Greedy or temperature/top-p decoding of the bigram model, stopping at EOS or stop ids."""

    def __init__(self, params: dict[str, Array], tokenizer: Tokenizer, *, seed: int) -> None:
        self._params = params
        self._tokenizer = tokenizer
        self._rng = np.random.default_rng(seed)

    def sample(self, prompts: Sequence[Sequence[int]], params: SamplingParams) -> list[list[int]]:
        """New ids per prompt; a stop id, when reached, is kept as the last id."""
        if params.max_new_tokens < 0:
            raise ConfigError(f"max_new_tokens: must be >= 0, got {params.max_new_tokens}")
        if params.temperature < 0 or not 0 < params.top_p <= 1:
            raise ConfigError("temperature must be >= 0 and top_p in (0, 1]")
        stops = {self._tokenizer.eos_token_id, *params.stop_token_ids}
        out: list[list[int]] = []
        for prompt in prompts:
            if not prompt:
                raise DataError("sampler: a prompt is empty; give at least one token (e.g. BOS)")
            new: list[int] = []
            last = int(prompt[-1])
            while len(new) < params.max_new_tokens and (not new or new[-1] not in stops):
                logits = _mm(self._params["E"][[last]], self._params["U"])[0] + self._params["b"]
                last = self._pick(logits, params)
                new.append(last)
            out.append(new)
        return out

    def _pick(self, logits: Array, params: SamplingParams) -> int:
        if params.temperature == 0:
            return int(np.argmax(logits))
        z = logits / params.temperature
        probs = np.exp(z - z.max())
        probs /= probs.sum()
        order = np.argsort(-probs, kind="stable")
        # Keep the smallest head of the distribution whose mass reaches top_p.
        keep = int(np.searchsorted(np.cumsum(probs[order]), params.top_p)) + 1
        head = order[:keep]
        return int(self._rng.choice(head, p=probs[head] / probs[head].sum()))


def _pairs(batch: Sequence[Datum], vocab: int) -> tuple[NDArray[np.int64], NDArray[np.int64], int]:
    if not batch:
        raise DataError("batch is empty")
    if any(not 0 <= i < vocab for d in batch for i in d.input_ids):
        raise DataError(f"batch holds a token id outside the vocabulary [0, {vocab})")
    prev: list[int] = []
    target: list[int] = []
    for datum in batch:
        ids, mask = datum.input_ids, datum.loss_mask
        for i in range(1, len(ids)):
            if mask[i]:
                prev.append(ids[i - 1])
                target.append(ids[i])
    if not target:
        raise DataError("batch has no target token (every loss_mask is 0 after position 0)")
    num_tokens = sum(len(d.input_ids) for d in batch)
    return np.asarray(prev, dtype=np.int64), np.asarray(target, dtype=np.int64), num_tokens


def _cross_entropy(logits: Array, target: NDArray[np.int64]) -> tuple[float, Array]:
    """Mean CE and the softmax (reused by the backward pass)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    log_probs = shifted - np.log(total)
    loss = float(-log_probs[np.arange(len(target)), target].mean())
    return loss, exp / total


def _mm(a: Array, b: Array) -> Array:
    """A matrix product that never wakes BLAS threads.

    OpenBLAS worker threads spin after a multi-threaded product; on a small machine they then
    steal the cores torch needs, which made torch tests in the same process 20x slower. These
    products are tiny, so numpy's own single-threaded einsum loop costs nothing.
    """
    product: Array = np.einsum("ij,jk->ik", a, b, optimize=False)
    return product


def _listed(arrays: dict[str, Array]) -> dict[str, Any]:
    return {k: v.tolist() for k, v in arrays.items()}
