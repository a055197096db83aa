"""A live torch model + AdamW: the session primitive stages drive step by step.

The session does one thing per call (a forward/backward, an optimiser step, a save); the loop,
the schedule and the logging live in stages, so every backend trains the same way.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import inspect
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch

from kitchen.adapters.torch.batch import (
    Collated,
    collate,
    scored_positions,
    summed_cross_entropy,
)
from kitchen.adapters.torch.checkpoint import (
    FORMAT_VERSION,
    flatten_optimizer,
    read_json,
    read_tensors,
    unflatten_optimizer,
    write_json,
    write_tensors,
)
from kitchen.adapters.torch.rng import RngStreams
from kitchen.adapters.torch.sampler import TorchSampler, eval_mode
from kitchen.errors import ConfigError, ResumeError, TrainingError
from kitchen.ports.tokenizer import Tokenizer
from kitchen.ports.training import CROSS_ENTROPY, LossSpec, SessionSpec, TrainingSession
from kitchen.types import Datum, OptimResult, StepResult

__all__ = ["TorchSession"]


class TorchSession:
    """A model, its AdamW optimiser and its random streams on one device.

    Build it through :meth:`kitchen.adapters.torch.TorchBackend.start_session`.
    """

    def __init__(
        self,
        model: torch.nn.Module,
        tokenizer: Tokenizer,
        spec: SessionSpec,
        device: torch.device,
        *,
        save_tokenizer: Callable[[Path], None],
    ) -> None:
        """Wrap a loaded model (already on ``device``, LoRA already applied when asked for).

        Args:
            model: A ``transformers`` causal LM, or a ``peft`` model around one.
            tokenizer: The tokenizer port over the model's tokenizer.
            spec: The session's settings (seed, optimiser, clipping, LoRA).
            device: Where the model lives.
            save_tokenizer: ``callable(directory)`` that writes the tokenizer files.
        """
        self._model: torch.nn.Module | None = model
        self._tokenizer = tokenizer
        self._spec = spec
        self._device = device
        self._save_tokenizer = save_tokenizer
        self._lora = spec.lora_rank > 0
        self._named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        self._value_head: torch.nn.Linear | None = None
        if spec.value_head:
            hidden = int(model.get_input_embeddings().embedding_dim)  # type: ignore[operator]
            generator = torch.Generator().manual_seed(spec.seed)
            head = torch.nn.Linear(hidden, 1)
            with torch.no_grad():  # small and seeded: values start near 0
                head.weight.normal_(0.0, 1e-3, generator=generator)
                head.bias.zero_()
            self._value_head = head.to(device)
            self._named += [(f"value_head.{n}", p) for n, p in head.named_parameters()]
        self._optimizer: torch.optim.AdamW | None = _adamw(self._named, spec, device)
        self._rng = RngStreams(spec.seed, device)
        self._keeps_logits = _accepts_logits_to_keep(model)
        model.train()

    # -- facts ------------------------------------------------------------------------------

    @property
    def tokenizer(self) -> Tokenizer:
        """The tokenizer the model was trained with."""
        return self._tokenizer

    @property
    def device(self) -> str:
        """The device as torch spells it (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``)."""
        return str(self._device)

    @property
    def num_parameters(self) -> int:
        """All parameters, counting tied ones once (LoRA adapters included)."""
        return sum(p.numel() for p in self._live_model().parameters())

    @property
    def num_trainable_parameters(self) -> int:
        """The parameters the optimiser updates (only the adapters under LoRA)."""
        return sum(p.numel() for _, p in self._named)

    @property
    def optimizer(self) -> torch.optim.Optimizer:
        """The AdamW instance, for inspection (fused or not, its state)."""
        if self._optimizer is None:
            raise TrainingError("the session is closed")
        return self._optimizer

    # -- training ---------------------------------------------------------------------------

    def forward_backward(
        self,
        batch: Sequence[Datum],
        loss: LossSpec = CROSS_ENTROPY,
        *,
        reference: TrainingSession | None = None,
    ) -> StepResult:
        """Add the gradients of ``loss`` over the batch (by default its mean masked
        cross-entropy) to the parameters; the objective's metrics come back in ``extra``.

        Successive calls accumulate. Each call's loss is its own batch's mean, so k calls before
        one :meth:`optim_step` sum k means: micro-batches weigh equally whatever their token
        counts, and the clipped norm is k times that of one mean.

        Raises:
            DataError: The batch is empty, has no target token, or lacks what ``loss`` needs.
            TrainingError: The loss is NaN or infinite (gradients are left untouched).
        """
        model = self._live_model()
        data = self._collate(batch)
        with self._rng.scope():
            extra: dict[str, float] = {}
            with self._autocast():
                if loss.name == "cross_entropy":
                    objective = self._mean_loss(model, data)
                else:
                    from kitchen.adapters.torch.objectives import compute_objective

                    teacher = None
                    if reference is not None:
                        teacher = _as_torch(reference).logits(data)
                    values = None
                    if float(loss.params.get("value_coef", 0.0) or 0.0) > 0:
                        logits, values = self._logits_and_values(model, data)
                    else:
                        logits = self._logits(model, data)
                    found = compute_objective(loss, logits, data, batch, teacher, values)
                    objective, extra = found.loss, found.metrics
            value = float(objective.detach())
            if not math.isfinite(value):
                raise TrainingError(f"loss is {value}", title="Training diverged")
            torch.autograd.backward(objective)
        return StepResult(value, data.num_tokens, data.num_loss_tokens, extra)

    def logprobs(self, batch: Sequence[Datum]) -> list[tuple[float, ...]]:
        """Each target token's log-probability under the current weights (eval mode, no
        gradients), aligned with the datum's ``input_ids``; 0.0 where there is no target."""
        from kitchen.adapters.torch.objectives import target_logprobs

        data = self._collate(batch)
        logp, _ = target_logprobs(self.logits(data), data.labels)
        rows = logp.cpu().tolist()
        return [tuple(row[: len(d.input_ids)]) for row, d in zip(rows, batch, strict=True)]

    def values(self, batch: Sequence[Datum]) -> list[tuple[float, ...]]:
        """The value head's estimates at the target positions, aligned with ``input_ids``."""
        model = self._live_model()
        data = self._collate(batch)
        with eval_mode(model), torch.no_grad(), self._autocast():
            _, values = self._logits_and_values(model, data)
        mask = torch.zeros_like(values, dtype=torch.bool)
        mask[:, 1:] = data.labels[:, 1:] != -100
        rows = (values.float() * mask).cpu().tolist()
        return [tuple(row[: len(d.input_ids)]) for row, d in zip(rows, batch, strict=True)]

    def _logits_and_values(
        self, model: torch.nn.Module, data: Collated
    ) -> tuple[torch.Tensor, torch.Tensor]:
        head = self._value_head
        if head is None:
            raise ConfigError("this session has no value head (SessionSpec.value_head=False)")
        out = model(
            input_ids=data.input_ids,
            attention_mask=data.attention_mask,
            use_cache=False,
            output_hidden_states=True,
        )
        hidden = out.hidden_states[-1]
        # The value of the state before token i is read where token i is predicted: at i - 1.
        values = torch.zeros(data.labels.shape, dtype=torch.float32, device=hidden.device)
        values[:, 1:] = head(hidden[:, :-1].float()).squeeze(-1)
        return out.logits, values

    def logits(self, data: Collated) -> torch.Tensor:
        """Every position's logits for a collated batch, in eval mode without gradients (a
        reference or teacher model's view)."""
        model = self._live_model()
        with eval_mode(model), torch.no_grad(), self._autocast():
            return self._logits(model, data).float()

    def _logits(self, model: torch.nn.Module, data: Collated) -> torch.Tensor:
        out = model(input_ids=data.input_ids, attention_mask=data.attention_mask, use_cache=False)
        logits: torch.Tensor = out.logits
        return logits

    def optim_step(self, lr: float) -> OptimResult:
        """Set ``lr``, clip to ``max_grad_norm``, take an AdamW step and drop the gradients.

        Returns:
            The rate used and the gradient norm *before* clipping.

        Raises:
            ConfigError: ``lr`` is negative or not finite.
            TrainingError: The gradient norm is NaN or infinite (the step is skipped).
        """
        optimizer = self.optimizer
        if not math.isfinite(lr) or lr < 0:
            raise ConfigError(f"lr: must be a finite number >= 0, got {lr}")
        for group in optimizer.param_groups:
            group["lr"] = lr
        # max_grad_norm <= 0 means "no clipping"; the norm is still worth reporting.
        limit = self._spec.max_grad_norm if self._spec.max_grad_norm > 0 else math.inf
        norm = float(torch.nn.utils.clip_grad_norm_([p for _, p in self._named], limit))
        if not math.isfinite(norm):
            optimizer.zero_grad(set_to_none=True)
            raise TrainingError(f"gradient norm is {norm}", title="Training diverged")
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return OptimResult(lr=lr, grad_norm=norm)

    def eval_loss(self, batch: Sequence[Datum]) -> StepResult:
        """The batch's mean masked cross-entropy in eval mode, without gradients."""
        model = self._live_model()
        data = self._collate(batch)
        with eval_mode(model), torch.no_grad(), self._autocast():
            value = float(self._mean_loss(model, data))
        return StepResult(value, data.num_tokens, data.num_loss_tokens)

    def sampler(self, seed: int | None = None) -> TorchSampler:
        """A sampler over the live weights (it sees later training steps too), seeded from the
        session's seed unless ``seed`` is given."""
        return TorchSampler(
            self._live_model(),
            self._tokenizer,
            self._device,
            seed=self._spec.seed if seed is None else seed,
        )

    # -- persistence ------------------------------------------------------------------------

    def save_state(self, directory: Path) -> None:
        """Write trainable weights, optimiser state and random streams (safetensors + JSON).

        ``session.json`` is written last, so a save cut short is detected on load.
        """
        directory.mkdir(parents=True, exist_ok=True)
        tensors, skeleton = flatten_optimizer(self.optimizer.state_dict())
        write_tensors(directory / "weights.safetensors", {n: p for n, p in self._named})
        write_tensors(directory / "optimizer.safetensors", tensors)
        write_tensors(directory / "rng.safetensors", self._rng.to_tensors())
        write_json(
            directory / "session.json",
            {
                "format": FORMAT_VERSION,
                "backend": "torch",
                "lora_rank": self._spec.lora_rank,
                "trainable": [n for n, _ in self._named],
                "optimizer": skeleton,
            },
        )

    def load_state(self, directory: Path) -> None:
        """Restore what :meth:`save_state` wrote, so training continues bit for bit.

        Raises:
            ResumeError: Files are missing, or they belong to a different model or LoRA setup.
        """
        optimizer = self.optimizer
        meta = read_json(directory / "session.json")
        if meta.get("format") != FORMAT_VERSION or meta.get("backend") != "torch":
            raise ResumeError(f"{directory} is not a torch session checkpoint (format 1)")
        if meta["trainable"] != [n for n, _ in self._named]:
            raise ResumeError(
                f"{directory} was saved from a different model or LoRA setup "
                f"(lora_rank {meta['lora_rank']}, this session {self._spec.lora_rank})"
            )
        weights = read_tensors(directory / "weights.safetensors")
        with torch.no_grad():
            for name, param in self._named:
                param.copy_(weights[name].to(param.device))
        optimizer.load_state_dict(
            unflatten_optimizer(
                read_tensors(directory / "optimizer.safetensors"), meta["optimizer"]
            )
        )
        optimizer.zero_grad(set_to_none=True)
        self._rng.load_tensors(read_tensors(directory / "rng.safetensors"))

    def save_model(self, directory: Path) -> None:
        """Write a ``from_pretrained`` folder (safetensors) plus the tokenizer files.

        Under LoRA the adapters are merged into a copy, so the live model keeps training on
        unmerged weights (merging and unmerging in place would not give back the same floats).
        """
        model = self._live_model()
        directory.mkdir(parents=True, exist_ok=True)
        live: Any = model
        export: Any = copy.deepcopy(live).merge_and_unload() if self._lora else live
        export.save_pretrained(str(directory))
        self._save_tokenizer(directory)
        del export

    def close(self) -> None:
        """Drop the model and optimiser and give the memory back (CUDA cache included)."""
        self._model = None
        self._optimizer = None
        self._named = []
        gc.collect()
        if self._device.type == "cuda":
            torch.cuda.empty_cache()

    # -- helpers ----------------------------------------------------------------------------

    def _live_model(self) -> torch.nn.Module:
        if self._model is None:
            raise TrainingError("the session is closed")
        return self._model

    def _collate(self, batch: Sequence[Datum]) -> Collated:
        model: Any = self._live_model()
        vocab = int(model.get_input_embeddings().num_embeddings)
        return collate(batch, self._tokenizer.pad_token_id, self._device, vocab_size=vocab)

    def _autocast(self) -> contextlib.AbstractContextManager[object]:
        # bf16 pays off on GPUs; on CPUs it is about 4x slower than fp32, so stay in fp32 there.
        if self._device.type == "cuda":
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def _mean_loss(self, model: torch.nn.Module, data: Collated) -> torch.Tensor:
        kwargs: dict[str, Any] = {}
        positions = None
        if self._keeps_logits:
            positions = scored_positions(data.labels)
            kwargs["logits_to_keep"] = positions
        out = model(
            input_ids=data.input_ids, attention_mask=data.attention_mask, use_cache=False, **kwargs
        )
        return summed_cross_entropy(out.logits, data.labels, positions) / data.num_loss_tokens


def _as_torch(session: TrainingSession) -> TorchSession:
    if not isinstance(session, TorchSession):
        raise ConfigError(
            f"the reference session must be a torch session too, got {type(session).__name__}"
        )
    return session


def _adamw(
    named: list[tuple[str, torch.nn.Parameter]], spec: SessionSpec, device: torch.device
) -> torch.optim.AdamW:
    if not named:
        raise ConfigError("lora_rank: the model has no trainable parameter")
    # Decay matrices only: decaying norms' gains and biases pulls them towards 0, which hurts.
    decay = [p for _, p in named if p.ndim >= 2]
    rest = [p for _, p in named if p.ndim < 2]
    groups = [
        {"params": params, "weight_decay": wd}
        for params, wd in ((decay, spec.weight_decay), (rest, 0.0))
        if params
    ]
    # lr is a placeholder: optim_step sets it every step from the stage's schedule.
    kwargs: dict[str, Any] = {"lr": 0.0, "betas": spec.betas}
    # Fused AdamW exists for CUDA and, in recent torch, CPU (3x faster per step here); where a
    # device or dtype lacks it, the for-loop version computes the same update.
    try:
        return torch.optim.AdamW(groups, fused=True, **kwargs)
    except (RuntimeError, ValueError):
        return torch.optim.AdamW(groups, **kwargs)


def _accepts_logits_to_keep(model: torch.nn.Module) -> bool:
    """Whether the causal LM (under a peft wrapper, if any) can compute only some logits."""
    base: Any = model
    get_base = getattr(model, "get_base_model", None)
    if callable(get_base):
        base = get_base()
    return "logits_to_keep" in inspect.signature(base.forward).parameters
