"""Evaluation costs, measured side by side in one process.

1. Eval throughput on kitchen/tiny (CPU): the arithmetic task run through ``run_task`` with
   batched generation vs one sample at a time — samples/s, generated tokens/s, and the ratio.
2. Loading 200k stored eval samples of one run into a pandas DataFrame (target < 2 s).
3. ``kitchen compare`` on two 10k-sample runs: pairing the samples in the store plus McNemar
   and a 1,000-resample paired bootstrap (target < 200 ms).

    .venv/bin/python benchmarks/bench_eval.py
    .venv/bin/python benchmarks/bench_eval.py --quick
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common

_common.use_repo_packages()
_common.offline_env()


def _median_s(job: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        job()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def eval_throughput(n_samples: int, threads: int) -> dict[str, float]:
    """Samples/s and output tokens/s of the arithmetic task, batched (32) vs batch size 1."""
    import torch

    from kitchen.adapters.torch import TorchBackend
    from kitchen.chat import get_renderer
    from kitchen.models.tiny import ensure_tiny_model
    from kitchen.ports.training import SessionSpec
    from kitchen.tasks.kitchen_model import KitchenModel
    from kitchen.tasks.registry import get_task
    from kitchen.tasks.run import run_task

    torch.set_num_threads(threads)
    home = Path(tempfile.mkdtemp(prefix="bench-eval-"))
    spec = SessionSpec(model="kitchen/tiny", model_dir=ensure_tiny_model(home), device="cpu")
    session = TorchBackend().start_session(spec)
    renderer = get_renderer("auto", session.tokenizer)
    task = get_task("arithmetic")
    out: dict[str, float] = {}
    for label, batch in (("batched", 32), ("one", 1)):
        model = KitchenModel(
            session.sampler(seed=0), session.tokenizer, renderer, name="tiny", batch_size=batch
        )
        run_task(task, model, limit=min(8, n_samples), batch_size=batch)  # warm-up
        started = time.perf_counter()
        result = run_task(task, model, limit=n_samples, batch_size=batch)
        elapsed = time.perf_counter() - started
        tokens = sum(s.output_tokens for s in result.samples)
        out[f"{label}_samples_s"] = len(result.samples) / elapsed
        out[f"{label}_tokens_s"] = tokens / elapsed
    session.close()
    return out


def load_samples(rows: int) -> tuple[float, int]:
    """Seconds to load ``rows`` stored samples into a DataFrame (median of 3), and the count."""
    from store import open_store

    home = Path(tempfile.mkdtemp(prefix="bench-eval-store-"))
    rng = random.Random(0)
    with open_store(home, background_flush=False, flush_interval_s=None) as store:
        run = store.create_run(recipe="eval", config={}).id
        chunk = 50_000
        for start in range(0, rows, chunk):
            batch = [
                {
                    "sample_id": f"s{i:07d}",
                    "input": f"What is {i % 997} + {i % 89}? Answer with a number.",
                    "target": str(i % 997 + i % 89),
                    "output": str(i % 997 + i % 89 + (rng.random() < 0.3)),
                    "score": float(rng.random() < 0.7),
                    "input_tokens": 18,
                    "output_tokens": 3,
                    "latency_s": 0.004,
                }
                for i in range(start, min(start + chunk, rows))
            ]
            store.log_eval_samples(run, batch, phase="eval", task="bench", step=0)

        def load() -> int:
            return len(store.eval_samples(run).to_pandas())

        count = load()
        return _median_s(load, 3), count


def compare_runs(n: int) -> float:
    """Seconds for `kitchen compare`'s work on two n-sample runs (median of 5)."""
    from kitchen.queries import compare_scores_of
    from store import open_store

    home = Path(tempfile.mkdtemp(prefix="bench-eval-compare-"))
    rng = random.Random(1)
    with open_store(home, background_flush=False, flush_interval_s=None) as store:
        ids = []
        for accuracy in (0.70, 0.72):
            run = store.create_run(recipe="eval", config={}).id
            rows = [
                {
                    "sample_id": f"s{i:06d}",
                    "input": "q",
                    "target": "t",
                    "output": "o",
                    "score": float(rng.random() < accuracy),
                }
                for i in range(n)
            ]
            store.log_eval_samples(run, rows, phase="eval", task="bench", step=0)
            ids.append(run)
        compare_scores_of(store, ids[0], ids[1])  # warm-up (imports scipy)
        return _median_s(lambda: compare_scores_of(store, ids[0], ids[1]), 5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples and rows")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    n_eval, n_rows = (32, 50_000) if args.quick else (128, 200_000)
    rates = eval_throughput(n_eval, args.threads)
    load_s, loaded = load_samples(n_rows)
    compare_s = compare_runs(10_000)
    print(f"kitchen/tiny on CPU, {args.threads} torch thread(s); {_common.cpu_model()}")
    print()
    print("| figure | value |")
    print("| :--- | ---: |")
    print(
        f"| eval samples/s, {n_eval} arithmetic samples, batches of 32 | "
        f"{rates['batched_samples_s']:,.1f} |"
    )
    print(f"| eval samples/s, one sample at a time | {rates['one_samples_s']:,.1f} |")
    print(
        f"| batched / one at a time (samples/s) | "
        f"{rates['batched_samples_s'] / rates['one_samples_s']:.1f}x |"
    )
    print(f"| generated tokens/s, batched | {rates['batched_tokens_s']:,.0f} |")
    print(f"| generated tokens/s, one at a time | {rates['one_tokens_s']:,.0f} |")
    print(
        f"| load {loaded:,} stored samples into a DataFrame (median s; target < 2) | {load_s:.3f} |"
    )
    print(
        f"| compare two 10k-sample runs from the store (median ms; target < 200) | "
        f"{compare_s * 1000:.0f} |"
    )


if __name__ == "__main__":
    main()
