"""Adversarial attack throughput against the MiniLM text classifier on this CPU.

1. Attacked examples per minute: ``attack_classifier`` with keyboard typos at three severities
   on shipped test reviews, scoring the variants in batches of 64 vs one text per call, side by
   side. An attacked example is one (example, severity) pair scored.
2. Perturbations per second alone (no model), to show where the time goes.

The classifier's head is freshly initialised unless ``--model`` names a saved classifier: the
cost of a forward pass does not depend on the weights.

    .venv/bin/python benchmarks/bench_attack.py
    .venv/bin/python benchmarks/bench_attack.py --quick
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common

_common.use_repo_packages()
_common.offline_env()

SEVERITIES = (0.05, 0.1, 0.2)


def attack_rates(n_examples: int, threads: int, model: str | None) -> dict[str, float]:
    """Attacked examples per minute, batched (64) vs one at a time."""
    import torch

    from kitchen.analysis.adversary import attack_classifier, make_attack
    from kitchen.analysis.classifier import TextClassifier, load_examples

    torch.set_num_threads(threads)
    clf = TextClassifier.load(model) if model else TextClassifier.from_encoder(seed=0)
    data = load_examples("kitchen/sentiment", "test", limit=n_examples)
    attack = [make_attack("keyboard_typo")]
    out: dict[str, float] = {}
    for label, batch in (("batched", 64), ("one", 1)):
        attack_classifier(clf, data.texts[:8], data.labels[:8], attack, batch_size=batch)  # warm-up
        started = time.perf_counter()
        report = attack_classifier(
            clf, data.texts, data.labels, attack, severities=SEVERITIES, batch_size=batch
        )
        elapsed = time.perf_counter() - started
        attacked = report.n_examples * len(report.attacks[0].levels)
        out[f"{label}_per_min"] = attacked / elapsed * 60
        out[f"{label}_s"] = elapsed
    return out


def perturbations_per_s(n_texts: int) -> float:
    """Keyboard-typo + synonym perturbations per second, no model."""
    from kitchen.analysis.adversary import make_attack
    from kitchen.analysis.classifier import load_examples

    texts = load_examples("kitchen/sentiment", "train", limit=n_texts).texts
    attack = make_attack("keyboard_typo+synonym_replacement", rate=0.1)
    started = time.perf_counter()
    for seed in range(5):
        for text in texts:
            attack(text, seed=seed)
    return 5 * len(texts) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer examples")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--model", default=None, help="a saved classifier folder")
    args = parser.parse_args()
    n = 32 if args.quick else 128
    rates = attack_rates(n, args.threads, args.model)
    perturb = perturbations_per_s(400 if args.quick else 1600)
    print(f"MiniLM classifier on CPU, {args.threads} torch thread(s); {_common.cpu_model()}")
    print()
    print("| figure | value |")
    print("| :--- | ---: |")
    print(
        f"| attacked examples/min, {n} reviews × {len(SEVERITIES)} severities, batches of 64 | "
        f"{rates['batched_per_min']:,.0f} |"
    )
    print(f"| attacked examples/min, one text per call | {rates['one_per_min']:,.0f} |")
    print(f"| batched / one at a time | {rates['batched_per_min'] / rates['one_per_min']:.1f}x |")
    print(f"| perturbations/s (typo + synonym, no model) | {perturb:,.0f} |")


if __name__ == "__main__":
    main()
