"""SFT training throughput: Kitchen's ``sft`` recipe against a plain PyTorch loop, HF and TRL.

Every contender trains ``kitchen/tiny`` (fp32, CPU, the same initial weights) on the shipped
``kitchen/arithmetic`` set for the same number of optimiser steps, with the same batch size,
learning rate, cosine schedule, warm-up and gradient clipping, and on the same batches: the
sequences are rendered by Kitchen's chat renderer and ordered by Kitchen's own ``build_dataset``
and ``set_epoch`` stages, and HF / the plain loop consume them in that order. Only the training
loop is timed (no model build, tokenisation, evaluation or saving); throughput is non-padding
tokens per second.

- **Kitchen**: the real path, ``kitchen.launch.run("sft", ...)`` with the store recording the
  run, timed from the first ``get_batch`` stage start to the last ``log_step_metrics`` finish
  by an event subscriber.
- **plain PyTorch**: right-padding collate, forward, masked cross-entropy, backward, clip,
  AdamW step, zero_grad; nothing else.
- **HF Trainer**: ``DataCollatorForSeq2Seq`` padding, labels -100 off the loss mask;
  ``train_runtime`` (and, for reference, the first-step-begin to last-step-end window). Run
  twice: fed Kitchen's batches (per-step overhead alone), and with its own default random
  sampler over the training set (what a Trainer user gets, so Kitchen's length grouping counts).
- **TRL SFTTrainer**: prompt/completion conversational data (TRL tokenises it with the model's
  chat template; loss on the completion only), without and with packing.

Systems run in a rotating order on every repeat; the table reports medians.

    .venv/bin/python benchmarks/bench_sft_throughput.py                 # 150 steps x 3 repeats
    .venv/bin/python benchmarks/bench_sft_throughput.py --quick          # a smoke run
    .venv/bin/python benchmarks/bench_sft_throughput.py --out benchmarks/RESULTS.md
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import math
import shutil
import sys
import tempfile
import time
import traceback
import uuid
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common

_common.offline_env()
_common.use_repo_packages()

TARGET_VS_PLAIN = 0.98
TARGET_VS_HF = 1.2
IGNORE_INDEX = -100
LOOP_STAGES = ("forward_backward", "optim_step")


# -- results -------------------------------------------------------------------------------


@dataclass
class Measurement:
    """One timed training loop of one system."""

    system: str
    seconds: float
    tokens: int
    steps: int
    losses: list[float] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    note: str = ""

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else float("nan")


@dataclass(frozen=True)
class Workload:
    """What every system trains on: the model folder, the config and the batches in order."""

    home: Path
    model_dir: Path
    config: Any  # kitchen.recipes.sft.SFTConfig
    overrides: tuple[str, ...]
    train_data: tuple[Any, ...]  # kitchen.types.Datum, as build_dataset made them
    examples: tuple[Any, ...]  # kitchen.types.Example, aligned with train_data
    batches: tuple[tuple[int, ...], ...]  # indices into train_data, one tuple per step
    pad_id: int

    @property
    def steps(self) -> int:
        return len(self.batches)

    def step_tokens(self) -> list[int]:
        return [sum(len(self.train_data[i].input_ids) for i in b) for b in self.batches]

    def lr(self, step: int) -> float:
        """Kitchen's schedule (warm-up then cosine to 0), written out independently."""
        cfg = self.config
        if step < cfg.warmup_steps:
            return cfg.learning_rate * (step + 1) / cfg.warmup_steps
        if cfg.lr_schedule == "constant":
            return cfg.learning_rate
        progress = min(1.0, (step - cfg.warmup_steps) / max(self.steps - cfg.warmup_steps, 1))
        if cfg.lr_schedule == "linear":
            return cfg.learning_rate * (1.0 - progress)
        return cfg.learning_rate * 0.5 * (1.0 + math.cos(math.pi * progress))


# -- the workload --------------------------------------------------------------------------


def build_workload(args: argparse.Namespace, home: Path) -> Workload:
    """Render and order the data exactly as the ``sft`` recipe's stages do."""
    from kitchen.adapters.hf.dataset import HFDatasetSource
    from kitchen.adapters.hf.tokenizer import load_tokenizer
    from kitchen.chat import get_renderer
    from kitchen.context import RunContext, RunMeta
    from kitchen.events import EventBus
    from kitchen.launch import plan
    from kitchen.models.tiny import ensure_tiny_model
    from kitchen.stages import BuildDataset, LoadDataset, SetEpoch
    from kitchen.state import TrainState

    epochs_guess = 1
    while True:
        overrides = kitchen_overrides(args, epochs_guess)
        recipe, config = plan("sft", overrides=overrides)
        model_dir = ensure_tiny_model(home)
        tokenizer = load_tokenizer(model_dir)
        renderer = get_renderer(config.chat_template, tokenizer)
        ports = SimpleNamespace(datasets=HFDatasetSource())
        ctx = RunContext(
            config,
            ports,  # type: ignore[arg-type]
            TrainState(renderer=renderer),
            RunMeta("bench", recipe.name, config.seed, home, time.time()),
            EventBus(),
        )
        ctx = LoadDataset().run(ctx)
        ctx = BuildDataset().run(ctx)
        num_batches = ctx.state.num_batches
        epochs = math.ceil(args.steps / num_batches)
        if epochs == epochs_guess:
            break
        epochs_guess = epochs  # the recipe needs enough epochs for --steps; redo with them
    batches: list[tuple[int, ...]] = []
    for epoch in range(epochs):
        epoch_ctx = SetEpoch().run(replace(ctx, loops=(("epochs", epoch),)))
        batches.extend(epoch_ctx.state.need("epoch_order"))
    batches = batches[: ctx.state.total_steps]
    train_data = ctx.state.need("train_data")
    kept = tuple(
        ex
        for ex in ctx.state.need("dataset").train
        if renderer.render(ex.messages, config.train_on, config.max_length).num_loss_tokens
    )
    assert len(kept) == len(train_data)
    return Workload(
        home=home,
        model_dir=model_dir,
        config=config,
        overrides=tuple(overrides),
        train_data=train_data,
        examples=kept,
        batches=tuple(batches),
        pad_id=tokenizer.pad_token_id,
    )


def kitchen_overrides(args: argparse.Namespace, epochs: int) -> list[str]:
    return [
        f"max_steps={args.steps}",
        f"epochs={epochs}",
        f"batch_size={args.batch_size}",
        f"seed={args.seed}",
        "device=cpu",
        "baseline_eval=false",
        "eval_samples=0",
        "eval_every=0",
        "save_every=0",
        "log_every=1",
        "experiment=bench",
    ]


def load_model(model_dir: Path, seed: int) -> Any:
    """The tiny model exactly as Kitchen's torch backend loads it (fp32, SDPA attention)."""
    import torch
    from transformers import AutoModelForCausalLM

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return AutoModelForCausalLM.from_pretrained(
            str(model_dir), dtype=torch.float32, attn_implementation="sdpa"
        )


# -- Kitchen -------------------------------------------------------------------------------


class LoopClock:
    """An event subscriber timing the training loop from the events Kitchen emits."""

    def __init__(self) -> None:
        self.start: float | None = None
        self.end: float | None = None
        self.steps = 0
        self.stage_s: dict[str, float] = defaultdict(float)
        self.losses: dict[int, float] = {}

    def __call__(self, event: Any) -> None:
        from kitchen.events import Metrics, StageFinished, StageStarted

        now = time.perf_counter()
        if isinstance(event, StageStarted):
            if event.stage == "get_batch" and self.start is None:
                self.start = now
        elif isinstance(event, StageFinished):
            if self.start is not None and self.steps < self.expected_steps:
                self.stage_s[event.stage] += event.duration_s
            if event.stage == "log_step_metrics":
                self.end = now
                self.steps += 1
        elif isinstance(event, Metrics) and "train/loss" in event.values:
            self.losses[event.step] = float(event.values["train/loss"])

    expected_steps = sys.maxsize


def run_kitchen(work: Workload, path: str) -> Measurement:
    """Run the real ``sft`` recipe and time its loop from the events."""
    clock = LoopClock()
    clock.expected_steps = work.steps
    if path == "launch":
        from kitchen.launch import run

        outcome = run("sft", overrides=work.overrides, home=work.home, subscribers=(clock,))
        if outcome.error is not None:
            raise RuntimeError(f"kitchen run {outcome.status}: {outcome.error}")
        steps, tokens_seen = outcome.steps, outcome.tokens_seen
    else:
        steps, tokens_seen = _run_kitchen_runner(work, clock)
    if clock.start is None or clock.end is None or clock.steps != work.steps:
        raise RuntimeError(f"kitchen ran {clock.steps} steps, expected {work.steps}")
    tokens = sum(work.step_tokens())
    if steps != work.steps or tokens_seen != tokens:
        raise RuntimeError(
            f"kitchen saw {steps} steps / {tokens_seen} tokens; the bench's batches hold "
            f"{work.steps} / {tokens}: the workloads differ"
        )
    seconds = clock.end - clock.start
    inside = sum(clock.stage_s[s] for s in LOOP_STAGES)
    extra = {"overhead_share": 1.0 - inside / seconds}
    for stage, spent in clock.stage_s.items():
        if stage not in LOOP_STAGES:
            extra[f"stage:{stage}"] = spent
    extra["runner_gaps"] = seconds - sum(clock.stage_s.values())
    losses = [clock.losses[s] for s in sorted(clock.losses)]
    return Measurement("Kitchen", seconds, tokens, steps, losses, extra, note=path)


def _run_kitchen_runner(work: Workload, clock: LoopClock) -> tuple[int, int]:
    """The same workflow through the Runner with in-memory store ports (no DuckDB)."""
    from kitchen.adapters.fake.analyses import FakeAnalyses
    from kitchen.adapters.fake.blobs import FakeBlobStore
    from kitchen.adapters.fake.metrics import FakeMetricsSink
    from kitchen.adapters.fake.registry import FakeModelRegistry
    from kitchen.adapters.hf.dataset import HFDatasetSource
    from kitchen.adapters.hf.hub import HFHub
    from kitchen.adapters.torch.backend import TorchBackend
    from kitchen.context import Ports, RunContext, RunMeta
    from kitchen.evaluators import ExactMatchEvaluator
    from kitchen.events import EventBus
    from kitchen.launch import plan
    from kitchen.runner import Runner
    from kitchen.state import TrainState

    recipe, config = plan("sft", overrides=work.overrides)
    ports = Ports(
        TorchBackend(),
        HFDatasetSource(hub=HFHub()),
        HFHub(),
        FakeBlobStore(),
        FakeMetricsSink(),
        FakeModelRegistry(),
        ExactMatchEvaluator(),
        FakeAnalyses(),
    )
    meta = RunMeta(uuid.uuid4().hex, recipe.name, config.seed, work.home, time.time())
    ctx = RunContext(config, ports, TrainState(), meta, EventBus((clock,)))
    final = Runner(recipe.workflow).run(ctx)
    return final.state.global_step, final.state.tokens_seen


def preflight(work: Workload) -> tuple[str, str]:
    """Two steps through ``launch.run`` (untimed; also warms its imports): does it work yet?"""
    from kitchen.launch import run

    overrides = [o for o in work.overrides if not o.startswith("max_steps=")] + ["max_steps=2"]
    try:
        outcome = run("sft", overrides=overrides, home=work.home)
    except Exception as error:
        return (
            "runner",
            f"kitchen.launch.run failed ({type(error).__name__}: {error}); "
            "Runner + fake store ports",
        )
    if outcome.error is not None:
        return (
            "runner",
            f"kitchen.launch.run {outcome.status} ({outcome.error}); Runner + fake store ports",
        )
    return "launch", ""


def kitchen_path(choice: str) -> tuple[str, str]:
    """Which Kitchen entry point to use, and why when it is not ``launch.run``."""
    if choice == "runner":
        return "runner", "Runner + fake store ports (--kitchen-path runner)"
    if choice != "auto":
        return choice, ""
    try:
        import kitchen.adapters.duckdb.open  # noqa: F401
    except ImportError as error:
        return "runner", f"kitchen.launch.run unavailable ({error}); Runner + fake store ports"
    return "launch", ""


# -- plain PyTorch -------------------------------------------------------------------------


def run_plain(work: Workload, steps: int | None = None) -> Measurement:
    """The loop a person would write by hand, on the same batches."""
    import torch
    import torch.nn.functional as F

    cfg = work.config
    model = load_model(work.model_dir, cfg.seed)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        [
            {"params": [p for p in params if p.ndim >= 2], "weight_decay": cfg.weight_decay},
            {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0},
        ],
        lr=0.0,
        betas=(0.9, 0.999),
    )
    batches = work.batches[:steps] if steps else work.batches
    data, pad = work.train_data, work.pad_id
    losses: list[float] = []
    tokens = 0
    start = time.perf_counter()
    for step, indices in enumerate(batches):
        rows = [data[i] for i in indices]
        width = max(len(r.input_ids) for r in rows)
        ids, labels, mask = [], [], []
        for r in rows:
            n, fill = len(r.input_ids), width - len(r.input_ids)
            ids.append([*r.input_ids, *[pad] * fill])
            label = [
                t if m else IGNORE_INDEX for t, m in zip(r.input_ids, r.loss_mask, strict=True)
            ]
            label[0] = IGNORE_INDEX
            labels.append(label + [IGNORE_INDEX] * fill)
            mask.append([1] * n + [0] * fill)
        input_ids = torch.tensor(ids)
        attention = torch.tensor(mask)
        targets = torch.tensor(labels)[:, 1:]
        tokens += int(attention.sum())
        logits = model(input_ids=input_ids, attention_mask=attention, use_cache=False).logits
        loss = (
            F.cross_entropy(
                logits[:, :-1].reshape(-1, logits.size(-1)),
                targets.reshape(-1),
                ignore_index=IGNORE_INDEX,
                reduction="sum",
            )
            / (targets != IGNORE_INDEX).sum()
        )
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, cfg.max_grad_norm)
        for group in optimizer.param_groups:
            group["lr"] = work.lr(step)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
    seconds = time.perf_counter() - start
    return Measurement("plain PyTorch", seconds, tokens, len(batches), losses)


# -- Hugging Face Trainer and TRL ----------------------------------------------------------


class CountingCollator:
    """Wraps a collator and records the non-padding tokens of every batch it builds, in order."""

    def __init__(self, inner: Callable[[list[dict[str, Any]]], Any]) -> None:
        self.inner = inner
        self.tokens: list[int] = []

    def __call__(self, features: list[dict[str, Any]]) -> Any:
        batch = self.inner(features)
        mask = batch.get("attention_mask")
        # Padding-free batches (TRL packing) have no mask and no padding: every id counts.
        count = int(mask.sum()) if mask is not None else int(batch["input_ids"].numel())
        self.tokens.append(count)
        return batch


def _step_clock() -> Any:
    from transformers import TrainerCallback

    class StepClock(TrainerCallback):  # type: ignore[misc]
        """First step's begin to last step's end: the loop without HF's start-up and teardown."""

        def __init__(self) -> None:
            self.first: float | None = None
            self.last: float | None = None

        def on_step_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            if self.first is None:
                self.first = time.perf_counter()

        def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            self.last = time.perf_counter()

    return StepClock()


def _hf_args(work: Workload, out: Path, steps: int) -> dict[str, Any]:
    cfg = work.config
    return {
        "output_dir": str(out),
        "per_device_train_batch_size": cfg.batch_size,
        "max_steps": steps,
        "learning_rate": cfg.learning_rate,
        "lr_scheduler_type": cfg.lr_schedule
        if cfg.lr_schedule != "constant"
        else "constant_with_warmup",
        "warmup_steps": cfg.warmup_steps,
        "weight_decay": cfg.weight_decay,
        "max_grad_norm": cfg.max_grad_norm,
        "seed": cfg.seed,
        "use_cpu": True,
        "bf16": False,
        "fp16": False,
        "gradient_checkpointing": False,
        "report_to": [],
        "save_strategy": "no",
        "eval_strategy": "no",
        "logging_strategy": "steps",
        "logging_steps": cfg.log_every,  # Kitchen reports the loss every log_every steps too
        "disable_tqdm": True,
        "train_sampling_strategy": "sequential",  # Kitchen's batch order, laid out in the dataset
        "dataloader_num_workers": 0,
    }


def _finish_hf(
    name: str, trainer: Any, counter: CountingCollator, clock: Any, steps: int
) -> Measurement:
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)  # disable_tqdm prints every log line instead
    output = trainer.train()
    runtime = float(output.metrics["train_runtime"])
    if trainer.state.global_step != steps or len(counter.tokens) < steps:
        raise RuntimeError(f"{name} ran {trainer.state.global_step} steps, expected {steps}")
    tokens = sum(counter.tokens[:steps])  # the dataloader may have collated one batch ahead
    losses = [float(h["loss"]) for h in trainer.state.log_history if "loss" in h]
    window = clock.last - clock.first
    return Measurement(
        name,
        runtime,
        tokens,
        steps,
        losses,
        {
            "step_window_tokens_per_s": tokens / window,
            "optim": str(getattr(trainer.args.optim, "value", trainer.args.optim)),
        },
    )


def run_hf(work: Workload, scratch: Path, *, own_sampler: bool = False) -> Measurement:
    """``transformers.Trainer`` on Kitchen's token ids and loss masks.

    By default it is fed Kitchen's batches in Kitchen's order (a pure per-step comparison);
    with ``own_sampler`` it gets the training set in file order and batches it with its own
    default random sampler, as a user of the Trainer would (so its padding is its own).
    """
    import datasets
    from transformers import AutoTokenizer, DataCollatorForSeq2Seq, Trainer, TrainingArguments

    order = [range(len(work.train_data))] if own_sampler else [indices for indices in work.batches]
    rows = []
    for indices in order:
        for i in indices:
            d = work.train_data[i]
            labels = [
                t if m else IGNORE_INDEX for t, m in zip(d.input_ids, d.loss_mask, strict=True)
            ]
            labels[0] = IGNORE_INDEX
            rows.append(
                {
                    "input_ids": list(d.input_ids),
                    "attention_mask": [1] * len(d.input_ids),
                    "labels": labels,
                }
            )
    dataset = datasets.Dataset.from_list(rows)
    tokenizer = AutoTokenizer.from_pretrained(str(work.model_dir))
    collator = CountingCollator(
        DataCollatorForSeq2Seq(tokenizer, padding=True, label_pad_token_id=IGNORE_INDEX)
    )
    clock = _step_clock()
    args = _hf_args(work, scratch / "hf", work.steps)
    if own_sampler:
        del args["train_sampling_strategy"]  # the Trainer's default: random batches
    trainer = Trainer(
        model=load_model(work.model_dir, work.config.seed),
        args=TrainingArguments(**args),
        train_dataset=dataset,
        data_collator=collator,
        callbacks=[clock],
    )
    name = "HF Trainer (own sampler)" if own_sampler else "HF Trainer"
    return _finish_hf(name, trainer, collator, clock, work.steps)


def run_trl(work: Workload, scratch: Path, *, packing: str = "") -> Measurement:
    """TRL's ``SFTTrainer`` on prompt/completion conversations in Kitchen's order."""
    import datasets
    from transformers import AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    def conversation(i: int) -> dict[str, Any]:
        messages = [{"role": m.role, "content": m.content} for m in work.examples[i].messages]
        return {"prompt": messages[:-1], "completion": messages[-1:]}

    order = [i for indices in work.batches for i in indices]
    steps = work.steps
    note = ""
    if packing:
        # A packed row holds up to max_length tokens, so a step of batch_size rows carries far
        # more tokens; take the steps that cover about the same number of tokens as the others.
        per_step = work.config.batch_size * work.config.max_length
        steps = max(3, round(sum(work.step_tokens()) / per_step))
        note = (
            f"{steps} steps of {work.config.batch_size} packed rows × "
            f"{work.config.max_length} tokens "
            "(about the others' token count; a different schedule, so its loss is not comparable); "
            + (
                "`bfd` packing is padding-free: each batch is one flattened row with position ids, "
                "which SDPA on CPU turns into a block-diagonal mask over all its tokens"
                if packing == "bfd"
                else "`wrapped` packing cuts rows at max_length; attention crosses example borders"
            )
        )
        order = order[: len(work.examples)] if len(order) > len(work.examples) else order
    dataset = datasets.Dataset.from_list([conversation(i) for i in order])
    tokenizer = AutoTokenizer.from_pretrained(str(work.model_dir))
    config = SFTConfig(
        **_hf_args(work, scratch / f"trl-{packing or 'padded'}", steps),
        max_length=work.config.max_length,
        packing=bool(packing),
        packing_strategy=packing or "bfd",
        shuffle_dataset=False,
        completion_only_loss=True,
    )
    clock = _step_clock()
    trainer = SFTTrainer(
        model=load_model(work.model_dir, work.config.seed),
        args=config,
        train_dataset=dataset,
        processing_class=tokenizer,
        callbacks=[clock],
    )
    counter = CountingCollator(trainer.data_collator)
    trainer.data_collator = counter
    name = f"TRL SFTTrainer (packing, {packing})" if packing else "TRL SFTTrainer"
    result = _finish_hf(name, trainer, counter, clock, steps)
    result.note = note
    return result


# -- driver --------------------------------------------------------------------------------


@contextlib.contextmanager
def quiet_libraries() -> Iterator[None]:
    """Silence HF's info logs and known-harmless warnings while a system runs."""
    from transformers.utils import logging as hf_logging

    previous = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    logging.getLogger("trl").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            yield
        finally:
            hf_logging.set_verbosity(previous)
            hf_logging.enable_progress_bar()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    scratch_root = Path(tempfile.mkdtemp(prefix="sft-", dir=_mkdir(_common.WORK)))
    try:
        return _main(args, scratch_root)
    finally:
        if not args.keep:
            shutil.rmtree(scratch_root, ignore_errors=True)


def _main(args: argparse.Namespace, scratch_root: Path) -> int:
    import torch

    path, why = kitchen_path(args.kitchen_path)
    print(
        f"torch threads: {torch.get_num_threads()} (all systems); "
        f"interop {torch.get_num_interop_threads()}"
    )
    with quiet_libraries():
        work = build_workload(args, scratch_root / "home")
        if path == "launch" and args.kitchen_path == "auto":
            path, why = preflight(work)
    print(f"kitchen entry point: {'kitchen.launch.run' if path == 'launch' else why or 'Runner'}")
    tokens = work.step_tokens()
    print(
        f"workload: {work.steps} steps x {work.config.batch_size} sequences, "
        f"{sum(tokens):,} non-pad tokens ({sum(tokens) / work.steps:.0f}/step), "
        f"lr {work.config.learning_rate} {work.config.lr_schedule}, "
        f"warm-up {work.config.warmup_steps}"
    )
    systems: list[tuple[str, Callable[[Path], Measurement]]] = [
        ("Kitchen", lambda s: run_kitchen(work, path)),
        ("plain PyTorch", lambda s: run_plain(work)),
    ]
    if not args.skip_hf:
        systems.append(("HF Trainer", lambda s: run_hf(work, s)))
        systems.append(("HF Trainer (own sampler)", lambda s: run_hf(work, s, own_sampler=True)))
    if not args.skip_trl:
        systems.append(("TRL SFTTrainer", lambda s: run_trl(work, s)))
        if args.packing != "off":
            name = f"TRL SFTTrainer (packing, {args.packing})"
            systems.append((name, lambda s: run_trl(work, s, packing=args.packing)))

    with quiet_libraries():
        run_plain(work, steps=min(10, work.steps))  # warm torch's kernels and allocator up, untimed
    load_before, waited = _common.wait_for_quiet(args.max_load, retries=args.load_retries)
    print(f"1-minute load before measuring: {load_before:.2f} (waited {waited} min)")

    results: dict[str, list[Measurement]] = defaultdict(list)
    failures: dict[str, str] = {}
    for repeat in range(args.repeats):
        shift = repeat % len(systems)
        order = systems[shift:] + systems[:shift]
        for name, runner in order:
            if name in failures:
                continue
            torch.set_num_threads(args.threads)
            gc.collect()
            try:
                with quiet_libraries():
                    m = runner(scratch_root / f"r{repeat}")
            except Exception as error:  # report the others; say why this one is missing
                failures[name] = f"{type(error).__name__}: {error}"
                print(f"  {name}: FAILED ({failures[name]})", flush=True)
                if args.verbose:
                    traceback.print_exc()
                continue
            if torch.get_num_threads() != args.threads:
                m.note = f"{m.note}; changed torch threads to {torch.get_num_threads()}".lstrip(
                    "; "
                )
            results[name].append(m)
            print(
                f"  repeat {repeat + 1}/{args.repeats} {name:<30} {m.tokens_per_s:>9,.0f} tok/s "
                f"({m.steps} steps, {m.seconds:.2f} s, "
                f"final loss {m.losses[-1] if m.losses else float('nan'):.4f})",
                flush=True,
            )
    load_after = _common.load_1min()
    report = render_report(
        args, work, results, failures, load_before, load_after, waited, path, why
    )
    print()
    print(report)
    if args.out:
        _common.append_section(Path(args.out), "SFT training throughput", report)
        print(f"\nappended to {args.out}")
    return 0 if "Kitchen" in results else 1


def render_report(
    args: argparse.Namespace,
    work: Workload,
    results: dict[str, list[Measurement]],
    failures: dict[str, str],
    load_before: float,
    load_after: float,
    waited: int,
    path: str,
    why: str,
) -> str:
    import torch
    import transformers

    try:
        import trl

        trl_version = trl.__version__
    except ImportError:
        trl_version = "not installed"
    kitchen = _common.median([m.tokens_per_s for m in results.get("Kitchen", [])])
    rows = []
    for name, ms in results.items():
        rates = [m.tokens_per_s for m in ms]
        med = _common.median(rates)
        first = ms[0]
        rows.append(
            [
                name,
                f"{med:,.0f}",
                f"{min(rates):,.0f}–{max(rates):,.0f}",
                f"{first.steps}",
                f"{first.tokens:,}",
                f"{_common.median([m.seconds for m in ms]):.2f}",
                "1.00" if name == "Kitchen" else f"{kitchen / med:.2f}",
                f"{first.losses[-1]:.4f}" if first.losses else "–",
            ]
        )
    table = _common.markdown_table(
        [
            "system",
            "tokens/s (median)",
            "range",
            "steps",
            "non-pad tokens",
            "loop s",
            "Kitchen ÷ system",
            "final loss",
        ],
        rows,
    )
    info = _common.machine_info()
    entry = "`kitchen.launch.run` (store recording on)" if path == "launch" else why or "Runner"
    lines = [
        f"Command: `{_common.command_line()}`",
        "",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['platform']}, "
        f"Python {info['python']}; "
        f"torch {torch.__version__}, transformers {transformers.__version__}, trl {trl_version}; "
        f"torch threads {args.threads} for every system.",
        f"1-minute load: {load_before:.2f} before (after waiting {waited} min), "
        f"{load_after:.2f} after.",
        f"Workload: `kitchen/tiny` fp32 on CPU, `kitchen/arithmetic`, {work.steps} steps × batch "
        f"{work.config.batch_size}, lr {work.config.learning_rate} {work.config.lr_schedule} with "
        f"{work.config.warmup_steps} warm-up steps, clip {work.config.max_grad_norm}, weight decay "
        f"{work.config.weight_decay}, seed {work.config.seed}; {args.repeats} repeats in "
        "rotating order.",
        f"Kitchen entry point: {entry}.",
        "",
        table,
        "",
    ]
    lines += _targets(results, kitchen)
    lines += _notes(results, failures)
    return "\n".join(lines)


def _targets(results: dict[str, list[Measurement]], kitchen: float) -> list[str]:
    out = []
    for name, target in (
        ("plain PyTorch", TARGET_VS_PLAIN),
        ("HF Trainer", TARGET_VS_HF),
        ("HF Trainer (own sampler)", TARGET_VS_HF),
    ):
        if name not in results or math.isnan(kitchen):
            out.append(f"- Target Kitchen ≥ {target:.2f}× {name}: not measured")
            continue
        ratio = kitchen / _common.median([m.tokens_per_s for m in results[name]])
        verdict = "**met**" if ratio >= target else "**not met**"
        out.append(f"- Target Kitchen ≥ {target:.2f}× {name}: {ratio:.3f}× — {verdict}")
    if "HF Trainer" in results and not math.isnan(kitchen):
        window = _common.median(
            [m.extra["step_window_tokens_per_s"] for m in results["HF Trainer"]]
        )
        out.append(
            f"  (HF timed from its first step's begin to its last step's end instead of "
            f"`train_runtime`: {window:,.0f} tokens/s, Kitchen ÷ HF = {kitchen / window:.3f}×)"
        )
    return out


def _notes(results: dict[str, list[Measurement]], failures: dict[str, str]) -> list[str]:
    out = []
    ks = results.get("Kitchen", [])
    if ks:
        share = _common.median([m.extra["overhead_share"] for m in ks])
        breakdown: dict[str, float] = defaultdict(float)
        for m in ks:
            for key, value in m.extra.items():
                if key.startswith("stage:") or key == "runner_gaps":
                    breakdown[key.removeprefix("stage:")] += value / (len(ks) * m.steps) * 1e3
        parts = ", ".join(
            f"{k} {v:.3f}" for k, v in sorted(breakdown.items(), key=lambda kv: -kv[1])
        )
        out.append(
            f"- Kitchen orchestration overhead (loop time outside `forward_backward` + "
            f"`optim_step`): {share:.2%} (median); ms per step: {parts}."
        )
    plain = results.get("plain PyTorch", [])
    if ks and plain and ks[0].losses and plain[0].losses:
        diff = max(abs(a - b) for a, b in zip(ks[0].losses, plain[0].losses, strict=False))
        out.append(
            f"- Same model, batches and schedule: Kitchen's and the plain loop's per-step losses "
            f"differ by at most {diff:.2e}."
        )
    if "HF Trainer" in results:
        optim = results["HF Trainer"][0].extra.get("optim", "?")
        out.append(
            f"- HF Trainer and TRL use their defaults where Kitchen has no setting: optimizer "
            f"`{optim}`, logging every step, no tqdm. HF's warm-up starts at lr 0 "
            f"(step s gets lr·s/warmup; Kitchen's gets lr·(s+1)/warmup)."
        )
    if "TRL SFTTrainer" in results and ks:
        trl_tokens, own = results["TRL SFTTrainer"][0].tokens, ks[0].tokens
        same = (
            f"the same {own:,} non-pad tokens as Kitchen's renderer"
            if trl_tokens == own
            else f"{trl_tokens:,} non-pad tokens where Kitchen's renderer gives {own:,}"
        )
        out.append(
            "- TRL tokenises the prompt/completion conversations itself with the model's chat "
            f"template: {same}. TRL's padding-free mode without packing targets FlashAttention "
            "(varlen kernels); on CPU with SDPA it does not apply and is not benchmarked."
        )
    for name, ms in results.items():
        if ms and ms[0].note and name != "Kitchen":
            out.append(f"- {name}: {ms[0].note}.")
    for name, error in failures.items():
        out.append(f"- {name}: failed — {error}")
    return out


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=None, help="optimiser steps (default 150)")
    parser.add_argument("--batch-size", type=int, default=32, help="sequences per step")
    parser.add_argument(
        "--repeats", type=int, default=None, help="rounds over all systems (default 3)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads for every system (default 1: on a shared 2-core machine two threads "
        "stall on each other whenever anything else runs, 8-80x slower for this tiny model)",
    )
    parser.add_argument("--skip-hf", action="store_true", help="leave the HF Trainer out")
    parser.add_argument("--skip-trl", action="store_true", help="leave TRL's SFTTrainer out")
    parser.add_argument(
        "--packing",
        choices=("bfd", "wrapped", "off"),
        default="bfd",
        help="TRL packing strategy for the extra packed run (bfd, TRL's default, is padding-free)",
    )
    parser.add_argument(
        "--kitchen-path",
        choices=("auto", "launch", "runner"),
        default="auto",
        help="launch: kitchen.launch.run (store on); runner: Runner + fake ports; "
        "auto: launch when it works",
    )
    parser.add_argument(
        "--max-load", type=float, default=1.0, help="wait while the 1-min load is above this"
    )
    parser.add_argument(
        "--load-retries", type=int, default=5, help="minutes to wait for a quiet machine"
    )
    parser.add_argument("--quick", action="store_true", help="40 steps, 1 repeat (smoke test)")
    parser.add_argument("--out", help="append a dated section to this markdown file")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--verbose", action="store_true", help="print tracebacks of failures")
    args = parser.parse_args(argv)
    if args.steps is None:
        args.steps = 40 if args.quick else 150
    if args.repeats is None:
        args.repeats = 1 if args.quick else 3
    if args.quick:
        args.load_retries = min(args.load_retries, 1)
    return args


if __name__ == "__main__":
    sys.exit(main())
