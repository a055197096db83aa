"""Kitchen vs TRL on preference (DPO) and RL (GRPO) training: same model, config and data.

Imports: torch, transformers (with tokenizers, safetensors), pydantic (Kitchen's config types),
and from this repository ``kitchen``, ``benchmarks/_common.py`` and
``benchmarks/bench_sft_throughput.py`` (stdlib-only at import). The TRL half also imports trl,
accelerate and datasets (trl needs pandas, pyarrow, psutil; datasets needs dill, multiprocess,
xxhash, fsspec), only inside its functions, so the Kitchen half runs, and its rows come back,
without them.

Both systems train the same model folder (the offline ``kitchen/tiny``, or ``--model PATH``),
loaded the same way (fp32 weights, SDPA attention; bf16 autocast on CUDA, fp32 on CPU), with
AdamW, a constant learning rate, gradient clipping at 1.0 and no weight decay.

- **DPO**: ``--dpo-steps`` steps of ``--pairs`` pairs from ``kitchen/data/preference_train.jsonl``
  (one seeded order, the same for both), β 0.1, lr 1e-4, max length 64. Kitchen: a
  ``TorchSession`` with reference log-probs cached once (``with_reference_logprobs``), then
  ``forward_backward(batch, LossSpec("dpo"))`` + ``optim_step``. TRL: ``DPOTrainer`` with
  ``precompute_ref_log_probs=True`` (the same cached reference) and a sequential sampler.
  Throughput: non-pad tokens of chosen + rejected per second of training step.
- **GRPO**: ``--grpo-steps`` steps of ``--groups`` arithmetic problems × ``--group-size``
  samples, at most ``--max-new-tokens`` new tokens, temperature 1.0, lr 1e-5, one update per
  batch, reward from Kitchen's ``ArithmeticGrader`` (exact sum + 0.1 format bonus), advantages
  normalised by the group std (every group trains, as in TRL), PPO clip 0.2, no KL. Kitchen:
  ``session.sampler`` (one batched ``generate``), ``group_advantages``,
  ``forward_backward(batch, LossSpec("ppo"))`` + ``optim_step``; as in the ``rl_arith``
  recipe with one update per batch, no separate pass scores the sampling policy (the update's
  own log-probs, detached, are the old policy's). TRL: ``GRPOTrainer`` (no vLLM,
  ``beta=0``, the same problems in the same order). Throughput: prompt + completion tokens,
  and generated tokens, per second of whole step (sampling, scoring and update).

Only training steps after ``--warmup`` warm-up steps are timed (CUDA synchronised at both ends);
model loading, tokenisation and the reference pass are not. Peak memory is
``torch.cuda.max_memory_allocated`` over the training steps on CUDA, the process's peak RSS over
them on CPU (Linux; the peak is reset before each system).

    python benchmarks/gpu_trl_compare.py                 # on a GPU: the full comparison
    python benchmarks/gpu_trl_compare.py --repeats 3     # alternating order, medians kept
    HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 .venv/bin/python benchmarks/gpu_trl_compare.py --quick
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gc
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common
from bench_sft_throughput import CountingCollator, load_model, quiet_libraries

_common.offline_env()
_common.use_repo_packages()
os.environ.setdefault("TQDM_DISABLE", "1")  # TRL's reference pass draws a bar otherwise

BETA = 0.1
CLIP = 0.2
MAX_GRAD_NORM = 1.0


# -- results and measuring ------------------------------------------------------------------


@dataclass
class Result:
    """One system's run of one workflow."""

    system: str
    workflow: str
    steps: int = 0
    seconds: float = 0.0
    tokens: int = 0
    generated: int = 0
    peak_bytes: int | None = None
    error: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else float("nan")

    @property
    def generated_per_s(self) -> float:
        return self.generated / self.seconds if self.seconds > 0 else float("nan")


@dataclass(frozen=True)
class Setup:
    """What both systems share: the model folder, the device and the knobs."""

    model_dir: Path
    model_name: str
    device: str  # "cuda" or "cpu"
    args: argparse.Namespace

    @property
    def cuda(self) -> bool:
        return self.device == "cuda"


class StepTimes:
    """Start and end of every step, CUDA synchronised; sums the ones after the warm-up."""

    def __init__(self, cuda: bool) -> None:
        self.cuda = cuda
        self.spans: list[tuple[float, float]] = []
        self._begin: float | None = None

    def begin(self) -> None:
        self._sync()
        self._begin = time.perf_counter()

    def end(self) -> None:
        self._sync()
        if self._begin is not None:
            self.spans.append((self._begin, time.perf_counter()))
        self._begin = None

    def timed_seconds(self, warmup: int) -> float:
        return sum(b - a for a, b in self.spans[warmup:])

    def _sync(self) -> None:
        if self.cuda:
            import torch

            torch.cuda.synchronize()


class PeakMemory:
    """Peak GPU memory allocated (CUDA) or peak resident set size of the process (Linux CPU)."""

    def __init__(self, cuda: bool) -> None:
        self.cuda = cuda

    def reset(self) -> None:
        gc.collect()
        if self.cuda:
            import torch

            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
            return
        # Writing 5 to clear_refs resets VmHWM (peak RSS) to the current RSS (Linux >= 4.0).
        with contextlib.suppress(OSError):
            Path("/proc/self/clear_refs").write_text("5")

    def peak(self) -> int | None:
        if self.cuda:
            import torch

            return int(torch.cuda.max_memory_allocated())
        try:
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            return None
        return None

    @property
    def label(self) -> str:
        return "peak GPU memory allocated" if self.cuda else "peak process RSS"


def _step_callback(times: StepTimes) -> Any:
    from transformers import TrainerCallback

    class StepCallback(TrainerCallback):
        """Times every optimiser step from ``on_step_begin`` to ``on_step_end``."""

        def on_step_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            times.begin()

        def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            times.end()

    return StepCallback()


def _release() -> None:
    """Collect the finished system's objects (trainers hold reference cycles) and GPU cache."""
    gc.collect()
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()


# -- shared data ----------------------------------------------------------------------------


def preference_pairs(setup: Setup) -> list[Any]:
    """``pairs × steps`` preference pairs in one seeded order (cycling the file if needed)."""
    from kitchen.data import shipped_path
    from kitchen.preference import from_records

    with shipped_path("preference_train.jsonl").open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    random.Random(setup.args.seed).shuffle(rows)
    need = setup.args.pairs * setup.args.dpo_steps
    rows = [rows[i % len(rows)] for i in range(need)]
    return from_records(rows, "plain")


def arithmetic_batches(setup: Setup) -> list[list[Any]]:
    """The arithmetic problems of every GRPO step, ``groups`` per step, in order."""
    from kitchen.envs import get_env

    env_set = get_env(
        "arithmetic", group_size=setup.args.group_size, seed=setup.args.seed, n_test=0
    )
    return [
        [builder.problem for builder in env_set.get_batch(step, setup.args.groups)]
        for step in range(setup.args.grpo_steps)
    ]


def _session(setup: Setup) -> Any:
    from kitchen.adapters.torch import TorchBackend
    from kitchen.ports.training import SessionSpec

    spec = SessionSpec(
        model=setup.model_name,
        model_dir=setup.model_dir,
        device="cuda" if setup.cuda else "cpu",
        seed=setup.args.seed,
        max_grad_norm=MAX_GRAD_NORM,
    )
    return TorchBackend().start_session(spec)


def _messages(messages: Sequence[Any]) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in messages]


def _hf_args(setup: Setup, config_type: type, out: Path, **extra: Any) -> tuple[Any, list[str]]:
    """A TRL config with the shared Trainer settings; fields this TRL lacks are dropped (named)."""
    settings: dict[str, Any] = {
        "output_dir": str(out),
        "seed": setup.args.seed,
        "lr_scheduler_type": "constant",
        "warmup_steps": 0,
        "weight_decay": 0.0,
        "max_grad_norm": MAX_GRAD_NORM,
        "gradient_accumulation_steps": 1,
        "gradient_checkpointing": False,
        "bf16": setup.cuda,
        "fp16": False,
        "use_cpu": not setup.cuda,
        "report_to": "none",
        "save_strategy": "no",
        "eval_strategy": "no",
        "logging_strategy": "no",
        "disable_tqdm": True,
        "dataloader_num_workers": 0,
        **extra,
    }
    known = {f.name for f in dataclasses.fields(config_type)}
    dropped = sorted(k for k in settings if k not in known)
    return config_type(**{k: v for k, v in settings.items() if k in known}), dropped


def _quiet_trainer(trainer: Any) -> None:
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)


# -- DPO ------------------------------------------------------------------------------------


def kitchen_dpo(setup: Setup, pairs: list[Any], memory: PeakMemory) -> Result:
    """Kitchen's session primitives, as the ``dpo`` recipe drives them (cached reference)."""
    from kitchen.chat import get_renderer
    from kitchen.ports.training import LossSpec
    from kitchen.stages.build_preference_data import render_pairs
    from kitchen.stages.reference_logprobs import with_reference_logprobs

    args = setup.args
    result = Result("Kitchen", "DPO")
    session = _session(setup)
    try:
        renderer = get_renderer("auto", session.tokenizer)
        rendered, dropped = render_pairs(renderer, pairs, args.max_length)
        if dropped:
            result.notes.append(f"{dropped} pairs dropped by max_length")
        data = with_reference_logprobs(session, rendered)  # the starting weights, scored once
        width = 2 * args.pairs
        batches = [list(data[i : i + width]) for i in range(0, len(data), width)][: args.dpo_steps]
        loss = LossSpec("dpo", {"beta": BETA})
        times = StepTimes(setup.cuda)
        memory.reset()
        losses = []
        for batch in batches:
            times.begin()
            step = session.forward_backward(batch, loss)
            session.optim_step(args.dpo_lr)
            times.end()
            losses.append(step.loss)
        result.peak_bytes = memory.peak()
        timed = batches[args.warmup :]
        result.steps = len(timed)
        result.seconds = times.timed_seconds(args.warmup)
        result.tokens = sum(len(d.input_ids) for b in timed for d in b)
        result.notes.append(f"loss {losses[0]:.4f} → {losses[-1]:.4f}")
    finally:
        session.close()
        _release()
    return result


def trl_dpo(setup: Setup, pairs: list[Any], memory: PeakMemory, scratch: Path) -> Result:
    """TRL's ``DPOTrainer`` on the same pairs in the same order, reference log-probs precomputed."""
    import datasets
    from transformers import AutoTokenizer
    from trl import DPOConfig, DPOTrainer  # type: ignore[attr-defined]

    args = setup.args
    result = Result("TRL", "DPO")
    rows = [
        {
            "prompt": _messages(p.prompt),
            "chosen": [{"role": "assistant", "content": p.chosen}],
            "rejected": [{"role": "assistant", "content": p.rejected}],
        }
        for p in pairs
    ]
    config, dropped = _hf_args(
        setup,
        DPOConfig,
        scratch / "trl-dpo",
        per_device_train_batch_size=args.pairs,
        learning_rate=args.dpo_lr,
        max_steps=args.dpo_steps,
        beta=BETA,
        loss_type=["sigmoid"],
        max_length=args.max_length,
        precompute_ref_log_probs=True,
        precompute_ref_batch_size=64,
        train_sampling_strategy="sequential",  # the rows' order, as Kitchen takes them
    )
    if dropped:
        result.notes.append(f"this TRL lacks {', '.join(dropped)}")
    times = StepTimes(setup.cuda)
    trainer = DPOTrainer(
        model=load_model(setup.model_dir, args.seed),
        args=config,
        train_dataset=datasets.Dataset.from_list(rows),
        processing_class=AutoTokenizer.from_pretrained(str(setup.model_dir)),
        callbacks=[_step_callback(times)],
    )
    _quiet_trainer(trainer)
    counter = CountingCollator(trainer.data_collator)  # wrapped after the reference pass
    trainer.data_collator = counter
    try:
        memory.reset()
        trainer.train()
        result.peak_bytes = memory.peak()
        if len(times.spans) != args.dpo_steps or len(counter.tokens) < args.dpo_steps:
            raise RuntimeError(
                f"TRL ran {len(times.spans)} steps ({len(counter.tokens)} batches), "
                f"expected {args.dpo_steps}"
            )
        result.steps = args.dpo_steps - args.warmup
        result.seconds = times.timed_seconds(args.warmup)
        result.tokens = sum(counter.tokens[args.warmup : args.dpo_steps])
    finally:
        del trainer
        _release()
    return result


# -- GRPO -----------------------------------------------------------------------------------


def _grader() -> Callable[[str, str], float]:
    from kitchen.envs.arithmetic import ArithmeticGrader
    from kitchen.envs.base import Problem

    grader = ArithmeticGrader()

    def reward(completion: str, answer: str) -> float:
        return float(grader(completion, Problem("bench", "", answer)).reward)

    return reward


def kitchen_grpo(setup: Setup, batches: list[list[Any]], memory: PeakMemory) -> Result:
    """Sample, score, group advantages and one PPO-clip update per batch, on a TorchSession."""
    import torch

    from kitchen.chat import get_renderer
    from kitchen.envs import as_messages
    from kitchen.envs.arithmetic import ArithmeticGrader
    from kitchen.envs.base import ProblemEnv
    from kitchen.losses import group_advantages
    from kitchen.ports.training import LossSpec
    from kitchen.types import Datum, SamplingParams

    args = setup.args
    result = Result("Kitchen", "GRPO")
    reward = _grader()
    session = _session(setup)
    try:
        renderer = get_renderer("auto", session.tokenizer)
        params = SamplingParams(
            max_new_tokens=args.max_new_tokens,
            temperature=1.0,
            top_p=1.0,
            stop_token_ids=tuple(renderer.stop_token_ids),
        )
        loss = LossSpec(
            "ppo", {"clip_low": CLIP, "clip_high": CLIP, "kl_coef": 0.0, "kl_estimator": "k3"}
        )
        grader = ArithmeticGrader()
        times = StepTimes(setup.cuda)
        counts: list[tuple[int, int]] = []
        mean_rewards = []
        memory.reset()
        for step, problems in enumerate(batches):
            times.begin()
            envs = [ProblemEnv(p, grader) for p in problems for _ in range(args.group_size)]
            prompts = [
                renderer.render_prompt(as_messages(env.initial_observation())) for env in envs
            ]
            outputs = session.sampler(seed=args.seed * 1_000_003 + step).sample(prompts, params)
            datums = [
                Datum(tuple(p + o), tuple([0] * len(p) + [1] * len(o)))
                for p, o in zip(prompts, outputs, strict=True)
            ]
            rewards = [
                reward(session.tokenizer.decode(o), env.problem.answer)
                for o, env in zip(outputs, envs, strict=True)
            ]
            table = torch.tensor(rewards, dtype=torch.float64).view(len(problems), -1)
            advantages = group_advantages(table, normalize_std=True).flatten().tolist()
            batch = [
                Datum(d.input_ids, d.loss_mask, {"advantage": a})
                for d, a in zip(datums, advantages, strict=True)
            ]
            session.forward_backward(batch, loss)
            session.optim_step(args.grpo_lr)
            times.end()
            counts.append((sum(len(p) for p in prompts), sum(len(o) for o in outputs)))
            mean_rewards.append(sum(rewards) / len(rewards))
        result.peak_bytes = memory.peak()
        timed = counts[args.warmup :]
        result.steps = len(timed)
        result.seconds = times.timed_seconds(args.warmup)
        result.tokens = sum(p + c for p, c in timed)
        result.generated = sum(c for _, c in timed)
        result.notes.append(f"mean reward {sum(mean_rewards) / len(mean_rewards):.3f}")
    finally:
        session.close()
        _release()
    return result


def trl_grpo(setup: Setup, batches: list[list[Any]], memory: PeakMemory, scratch: Path) -> Result:
    """TRL's ``GRPOTrainer`` (transformers ``generate``, no vLLM) on the same problems in order."""
    import datasets
    from transformers import AutoTokenizer
    from trl import GRPOConfig, GRPOTrainer  # type: ignore[attr-defined]

    args = setup.args
    result = Result("TRL", "GRPO")
    reward = _grader()
    rows = [
        {"prompt": [{"role": "user", "content": p.question}], "answer": p.answer}
        for problems in batches
        for p in problems
    ]

    mean_rewards: list[float] = []

    def arithmetic_reward(completions: list[Any], answer: list[str], **_: Any) -> list[float]:
        texts = [c[-1]["content"] if isinstance(c, list) else str(c) for c in completions]
        scores = [reward(t, a) for t, a in zip(texts, answer, strict=True)]
        mean_rewards.append(sum(scores) / max(len(scores), 1))
        return scores

    config, dropped = _hf_args(
        setup,
        GRPOConfig,
        scratch / "trl-grpo",
        # TRL counts the batch in completions: groups × group_size per step, one generation each.
        per_device_train_batch_size=args.groups * args.group_size,
        num_generations=args.group_size,
        max_completion_length=args.max_new_tokens,
        temperature=1.0,
        top_p=1.0,
        top_k=0,
        learning_rate=args.grpo_lr,
        max_steps=args.grpo_steps,
        beta=0.0,
        num_iterations=1,
        epsilon=CLIP,
        scale_rewards="group",
        loss_type="dapo",  # token mean over the batch, as Kitchen's PPO loss
        use_vllm=False,
        shuffle_dataset=False,
        remove_unused_columns=False,
        log_completions=False,
    )
    if dropped:
        result.notes.append(f"this TRL lacks {', '.join(dropped)}")
    times = StepTimes(setup.cuda)
    trainer = GRPOTrainer(
        model=load_model(setup.model_dir, args.seed),
        reward_funcs=[cast(Any, arithmetic_reward)],
        args=config,
        train_dataset=datasets.Dataset.from_list(rows),
        processing_class=AutoTokenizer.from_pretrained(str(setup.model_dir)),
        callbacks=[_step_callback(times)],
    )
    _quiet_trainer(trainer)
    counts: list[tuple[int, int]] = []
    generate = trainer._generate_and_score_completions

    def counted(inputs: Any) -> Any:
        out = generate(inputs)
        counts.append((int(out["prompt_mask"].sum()), int(out["completion_mask"].sum())))
        return out

    setattr(trainer, "_generate_and_score_completions", counted)  # noqa: B010
    try:
        memory.reset()
        trainer.train()
        result.peak_bytes = memory.peak()
        if len(times.spans) != args.grpo_steps or len(counts) != args.grpo_steps:
            raise RuntimeError(
                f"TRL ran {len(times.spans)} steps with {len(counts)} generations, "
                f"expected {args.grpo_steps} of each"
            )
        timed = counts[args.warmup :]
        result.steps = len(timed)
        result.seconds = times.timed_seconds(args.warmup)
        result.tokens = sum(p + c for p, c in timed)
        result.generated = sum(c for _, c in timed)
        result.notes.append(f"mean reward {sum(mean_rewards) / len(mean_rewards):.3f}")
    finally:
        del trainer
        _release()
    return result


# -- report ---------------------------------------------------------------------------------


def _memory(value: int | None) -> str:
    return "n/a" if value is None else f"{value / 2**20:,.1f} MiB"


def _rate(value: float) -> str:
    return "–" if value != value else f"{value:,.0f}"  # NaN


def _versions(setup: Setup) -> str:
    import torch
    import transformers

    parts = [
        f"Python {platform.python_version()}",
        f"torch {torch.__version__}",
        f"transformers {transformers.__version__}",
    ]
    for name in ("trl", "accelerate", "datasets"):
        try:  # the installed version, without importing it (the Kitchen half needs none of them)
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} not installed")
    if setup.cuda:
        device = f"{torch.cuda.get_device_name(0)} (CUDA {torch.version.cuda})"
    else:
        device = f"CPU {_common.cpu_model()}, {torch.get_num_threads()} torch thread(s)"
    return f"Device: {device}. Versions: " + ", ".join(parts) + "."


def render_report(setup: Setup, results: list[Result], memory: PeakMemory) -> str:
    """The markdown table, Kitchen ÷ TRL ratios, and the settings and versions."""
    args = setup.args
    rows = []
    for r in results:
        if r.error:
            rows.append([r.system, r.workflow, "–", "–", "–", "–", f"FAILED: {r.error}"])
            continue
        gen = _rate(r.generated_per_s) if r.workflow == "GRPO" else "–"
        rows.append(
            [
                r.system,
                r.workflow,
                f"{r.steps} ({r.seconds:.2f} s, {r.tokens:,} tok)",
                _rate(r.tokens_per_s),
                gen,
                _memory(r.peak_bytes),
                "; ".join(r.notes),
            ]
        )
    table = _common.markdown_table(
        [
            "system",
            "workflow",
            "timed steps",
            "tokens/s",
            "generated tok/s",
            "peak memory",
            "notes",
        ],
        rows,
    )
    by = {(r.system, r.workflow): r for r in results if not r.error}
    ratios = []
    for workflow in ("DPO", "GRPO"):
        k, t = by.get(("Kitchen", workflow)), by.get(("TRL", workflow))
        if k is None or t is None:
            ratios.append(f"- {workflow}: Kitchen ÷ TRL not measured (a row is missing or failed)")
            continue
        line = f"- {workflow}: Kitchen ÷ TRL tokens/s **{k.tokens_per_s / t.tokens_per_s:.2f}×**"
        if workflow == "GRPO":
            line += f", generated tokens/s {k.generated_per_s / t.generated_per_s:.2f}×"
        if k.peak_bytes and t.peak_bytes:
            line += f"; peak memory {k.peak_bytes / t.peak_bytes:.2f}×"
        ratios.append(line)
    precision = "bf16 autocast" if setup.cuda else "fp32"
    lines = [
        f"Command: `{_common.command_line()}`",
        "",
        _versions(setup),
        f"Model: `{setup.model_name}` ({setup.model_dir}), fp32 weights, {precision}, SDPA.",
        f"DPO: {args.dpo_steps} steps × {args.pairs} pairs, β {BETA}, lr {args.dpo_lr} constant, "
        f"max length {args.max_length}, reference log-probs cached. GRPO: {args.grpo_steps} "
        f"steps × {args.groups} prompts × {args.group_size} samples, ≤{args.max_new_tokens} new "
        f"tokens, temperature 1.0, lr {args.grpo_lr} constant, clip {CLIP}, no KL, group-std "
        f"advantages. The first {args.warmup} step(s) of each run are not timed. Memory: "
        f"{memory.label} during the training steps.",
        "",
        table,
        "",
        *ratios,
        "- tokens/s counts non-pad tokens: chosen + rejected for DPO, prompt + completion for "
        "GRPO (per second of whole step: sampling, scoring, update). Each system tokenises "
        "with its own path (Kitchen's renderer, TRL's chat template), so token counts may "
        "differ slightly.",
    ]
    return "\n".join(lines)


# -- driver ---------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options; ``--quick`` shrinks every size for a CPU smoke run."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--model", help="a from_pretrained folder (default: build kitchen/tiny)")
    parser.add_argument("--device", choices=("auto", "cuda", "cpu"), default="auto")
    parser.add_argument("--dpo-steps", type=int, default=None, help="default 50 (quick 3)")
    parser.add_argument("--pairs", type=int, default=None, help="pairs per step (16; quick 4)")
    parser.add_argument("--dpo-lr", type=float, default=1e-4)
    parser.add_argument("--max-length", type=int, default=64)
    parser.add_argument("--grpo-steps", type=int, default=None, help="default 20 (quick 2)")
    parser.add_argument("--groups", type=int, default=None, help="prompts per step (16; quick 2)")
    parser.add_argument("--group-size", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=8)
    parser.add_argument("--grpo-lr", type=float, default=1e-5)
    parser.add_argument("--warmup", type=int, default=None, help="untimed steps (2; quick 1)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch threads on CPU")
    parser.add_argument("--only", choices=("dpo", "grpo"), help="run one workflow")
    parser.add_argument("--skip-trl", action="store_true", help="Kitchen rows only")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a CPU smoke run")
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument(
        "--repeats", type=int, default=1, help="runs of each measurement (median kept); default 1"
    )
    parser.add_argument("--verbose", action="store_true", help="print tracebacks of failures")
    args = parser.parse_args(argv)
    sizes = {"dpo_steps": (50, 3), "pairs": (16, 4), "grpo_steps": (20, 2), "groups": (16, 2)}
    sizes["warmup"] = (2, 1)
    for name, (full, quick) in sizes.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    if args.warmup >= min(args.dpo_steps, args.grpo_steps):
        parser.error("--warmup must be below --dpo-steps and --grpo-steps")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the four measurements (each failure becomes a table row) and print the report."""
    args = parse_args(argv)
    import torch

    cuda = args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
    if not cuda:
        torch.set_num_threads(args.threads)
    scratch = Path(tempfile.mkdtemp(prefix="gpu-trl-compare-"))
    with quiet_libraries():
        if args.model:
            model_dir, name = Path(args.model).resolve(), args.model
        else:
            from kitchen.models.tiny import TINY_MODEL_ID, ensure_tiny_model

            model_dir, name = ensure_tiny_model(scratch / "home"), TINY_MODEL_ID
    setup = Setup(model_dir, name, "cuda" if cuda else "cpu", args)
    memory = PeakMemory(cuda)
    print(f"{name} on {setup.device}; scratch {scratch}", flush=True)

    jobs: list[tuple[str, str, Callable[[], Result]]] = []
    if args.only in (None, "dpo"):
        pairs = preference_pairs(setup)
        jobs.append(("Kitchen", "DPO", lambda: kitchen_dpo(setup, pairs, memory)))
        if not args.skip_trl:
            jobs.append(("TRL", "DPO", lambda: trl_dpo(setup, pairs, memory, scratch)))
    if args.only in (None, "grpo"):
        problems = arithmetic_batches(setup)
        jobs.append(("Kitchen", "GRPO", lambda: kitchen_grpo(setup, problems, memory)))
        if not args.skip_trl:
            jobs.append(("TRL", "GRPO", lambda: trl_grpo(setup, problems, memory, scratch)))

    try:
        results = run_jobs(jobs, repeats=args.repeats, verbose=args.verbose)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print()
    print(render_report(setup, results, memory))
    if args.json:
        records = [
            {
                **dataclasses.asdict(r),
                "tokens_per_s": r.tokens_per_s,
                "generated_per_s": r.generated_per_s,
            }
            for r in results
        ]
        Path(args.json).write_text(json.dumps(records, indent=2), encoding="utf-8")
    kitchen_ok = any(r.system == "Kitchen" and not r.error for r in results)
    return 0 if kitchen_ok else 1


def run_jobs(
    jobs: Sequence[tuple[str, str, Callable[[], Result]]], *, repeats: int, verbose: bool
) -> list[Result]:
    """Run every measurement ``repeats`` times, the two systems of a workflow in alternating
    order; keep each one's median run by tokens/s. A failure becomes a row carrying its error
    (and is not retried)."""
    runs: dict[tuple[str, str], list[Result]] = {}
    failed: dict[tuple[str, str], Result] = {}
    for repeat in range(repeats):
        order = list(jobs)
        if repeat % 2:  # swap each adjacent (Kitchen, TRL) pair so neither always runs first
            order = [job for i in range(0, len(order), 2) for job in reversed(order[i : i + 2])]
        for system, workflow, job in order:
            key = (system, workflow)
            if key in failed:
                continue
            started = time.perf_counter()
            try:
                with quiet_libraries():
                    result = job()
            except Exception as error:  # a row that says why, so the other rows still come back
                message = f"{type(error).__name__}: {error}".replace("\n", " ").replace("|", "/")
                result = Result(system, workflow, error=message[:300])
                failed[key] = result
                if verbose:
                    traceback.print_exc()
            _release()
            if not result.error:
                runs.setdefault(key, []).append(result)
            status = (
                "FAILED " + result.error if result.error else f"{result.tokens_per_s:,.0f} tok/s"
            )
            wall = time.perf_counter() - started
            print(
                f"  [{repeat + 1}/{repeats}] {system} {workflow}: {status} ({wall:.1f} s)",
                flush=True,
            )
    results = []
    for system, workflow, _ in jobs:
        key = (system, workflow)
        if key in failed:
            results.append(failed[key])
            continue
        ranked = sorted(runs[key], key=lambda r: r.tokens_per_s)
        chosen = ranked[(len(ranked) - 1) // 2]
        if len(ranked) > 1:
            rates = f"{ranked[0].tokens_per_s:,.0f}–{ranked[-1].tokens_per_s:,.0f}"
            chosen.notes.append(f"median of {len(ranked)} runs (tokens/s {rates})")
        results.append(chosen)
    return results


if __name__ == "__main__":
    sys.exit(main())
