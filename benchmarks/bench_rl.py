"""Preference and RL costs on kitchen/tiny, measured side by side in one process.

1. Rollout sampling: the same prompts sampled in one batched ``generate`` (KV cache, left
   padding) vs one prompt at a time; generated tokens/s and the ratio.
2. DPO step time (forward, backward, optimiser step over a batch of pairs) with the reference
   log-probs cached vs recomputed every step by a frozen reference model; the ratio.

    .venv/bin/python benchmarks/bench_rl.py            # 128 prompts, 20 DPO steps
    .venv/bin/python benchmarks/bench_rl.py --quick
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer prompts and steps")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    import torch

    from kitchen.adapters.torch import TorchBackend
    from kitchen.chat import get_renderer
    from kitchen.data import shipped_path
    from kitchen.models.tiny import ensure_tiny_model
    from kitchen.ports.training import LossSpec, SessionSpec
    from kitchen.preference import from_records
    from kitchen.stages.build_preference_data import render_pairs
    from kitchen.stages.reference_logprobs import with_reference_logprobs
    from kitchen.types import Message, SamplingParams

    torch.set_num_threads(args.threads)
    n_prompts, dpo_steps, pairs = (32, 5, 8) if args.quick else (128, 20, 16)
    home = Path(tempfile.mkdtemp(prefix="bench-rl-"))
    spec = SessionSpec(model="kitchen/tiny", model_dir=ensure_tiny_model(home), device="cpu")
    backend = TorchBackend()
    session = backend.start_session(spec)
    renderer = get_renderer("auto", session.tokenizer)
    prompts = [
        renderer.render_prompt([Message("user", f"What is {a}+{a * 7 % 97}?")])
        for a in range(n_prompts)
    ]
    params = SamplingParams(max_new_tokens=16, temperature=1.0, stop_token_ids=())

    def sample_batched() -> int:
        return sum(len(o) for o in session.sampler(seed=1).sample(prompts, params))

    def sample_one_by_one() -> int:
        sampler = session.sampler(seed=1)
        return sum(len(sampler.sample([p], params)[0]) for p in prompts)

    rates = {}
    for name, job in (("batched", sample_batched), ("one at a time", sample_one_by_one)):
        job()  # warm-up
        started = time.perf_counter()
        tokens = job()
        rates[name] = tokens / (time.perf_counter() - started)

    import json

    rows = [json.loads(line) for line in shipped_path("preference_train.jsonl").open()][:pairs]
    data, _ = render_pairs(renderer, from_records(rows, "plain"), 256)
    cached_batch = list(with_reference_logprobs(session, data))
    reference = backend.start_session(spec)
    loss = LossSpec("dpo", {"beta": 0.1})

    def cached_step() -> None:
        session.forward_backward(cached_batch, loss)
        session.optim_step(1e-4)

    def recomputed_step() -> None:
        batch = list(with_reference_logprobs(reference, data, chunk=len(data)))
        session.forward_backward(batch, loss)
        session.optim_step(1e-4)

    step_ms: dict[str, float] = {}
    for name, step in (("cached", cached_step), ("recomputed", recomputed_step)):
        step()
        times = []
        for _ in range(dpo_steps):
            started = time.perf_counter()
            step()
            times.append((time.perf_counter() - started) * 1000)
        step_ms[name] = statistics.median(times)

    print(f"kitchen/tiny on CPU, {args.threads} torch thread(s)")
    print()
    print("| figure | value |")
    print("| :--- | ---: |")
    print(f"| rollout tokens/s, {n_prompts} prompts batched | {rates['batched']:,.0f} |")
    print(f"| rollout tokens/s, one prompt at a time | {rates['one at a time']:,.0f} |")
    print(f"| batched / one at a time | {rates['batched'] / rates['one at a time']:.1f}x |")
    print(
        f"| DPO step, {pairs} pairs, reference log-probs cached (median ms) | "
        f"{step_ms['cached']:.1f} |"
    )
    print(
        f"| DPO step, reference model recomputes them (median ms) | {step_ms['recomputed']:.1f} |"
    )
    print(f"| recomputed / cached | {step_ms['recomputed'] / step_ms['cached']:.2f}x |")


if __name__ == "__main__":
    main()
