"""Explainability throughput, measured side by side in one process (CPU).

1. SHAP on tabular data (breast cancer, 30 features; a 50-tree random forest, depth 6):
   exact tree SHAP and kernel SHAP (k-means background k=10, nsamples=500) — explanations/s.
2. Text on a tiny random BERT (2 layers, hidden 32, the MiniLM tokenizer; ~8-word reviews):
   LIME text (500 samples), integrated gradients (64 trapezoid steps) and occlusion —
   explanations/s, with IG's completeness gap alongside.

    .venv/bin/python benchmarks/bench_xai.py
    .venv/bin/python benchmarks/bench_xai.py --quick
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common

_common.use_repo_packages()
_common.offline_env()


def _rate(job: Callable[[], Any], n: int) -> tuple[float, Any]:
    """Explanations per second of ``job`` (which explains ``n`` examples) and its result."""
    started = time.perf_counter()
    result = job()
    return n / (time.perf_counter() - started), result


def tabular(n_tree: int, n_kernel: int) -> dict[str, float]:
    from kitchen.analysis.xai.sources import fit_sklearn, load_tabular
    from kitchen.analysis.xai.tabular import kmeans_background, shap_kernel, shap_tree

    data = load_tabular("sklearn:breast_cancer", seed=0)
    forest = fit_sklearn("random_forest", data, seed=0)
    x = data.x_test
    shap_tree(forest, x[:2])  # warm-up (imports, numba)
    tree_rate, tree = _rate(lambda: shap_tree(forest, x[:n_tree]), n_tree)
    background = kmeans_background(data.x_train, 10)
    kernel_rate, kernel = _rate(
        lambda: shap_kernel(forest, x[:n_kernel], background, nsamples=500, seed=0), n_kernel
    )
    return {
        "tree_s": tree_rate,
        "tree_gap": tree.checks["max_gap"],
        "kernel_s": kernel_rate,
        "kernel_gap": kernel.checks["max_gap"],
    }


def text(n: int) -> dict[str, float]:
    from kitchen.analysis.xai.gradients import integrated_gradients, occlusion
    from kitchen.analysis.xai.hf import tiny_bert
    from kitchen.analysis.xai.sources import REVIEWS
    from kitchen.analysis.xai.text import lime_text

    model = tiny_bert(seed=0)
    texts = [REVIEWS[i % len(REVIEWS)] for i in range(n)]
    lime_text(model, texts[:1], num_samples=50)  # warm-up
    lime_rate, _ = _rate(lambda: lime_text(model, texts, num_samples=500, seed=0), n)
    ig_rate, ig = _rate(lambda: integrated_gradients(model, texts, steps=64), n)
    occ_rate, _ = _rate(lambda: occlusion(model, texts), n)
    return {
        "lime_s": lime_rate,
        "ig_s": ig_rate,
        "ig_rel_gap": ig.checks["max_relative_gap"],
        "occlusion_s": occ_rate,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer examples")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    n_tree, n_kernel, n_text = (50, 5, 6) if args.quick else (114, 20, 24)
    tab = tabular(n_tree, n_kernel)
    txt = text(n_text)
    print(f"CPU, {args.threads} torch thread(s); {_common.cpu_model()}")
    print()
    print("| figure | value |")
    print("| :--- | ---: |")
    print(
        f"| tree SHAP explanations/s (RF 50 trees, 30 features, n={n_tree}) "
        f"| {tab['tree_s']:,.0f} |"
    )
    print(f"| tree SHAP max additivity gap | {tab['tree_gap']:.1e} |")
    print(
        f"| kernel SHAP explanations/s (k=10, nsamples=500, n={n_kernel}) "
        f"| {tab['kernel_s']:,.2f} |"
    )
    print(f"| kernel SHAP max additivity gap | {tab['kernel_gap']:.1e} |")
    print(
        f"| LIME text explanations/s (tiny BERT, 500 samples, n={n_text}) | {txt['lime_s']:,.2f} |"
    )
    print(f"| integrated gradients explanations/s (64 steps, n={n_text}) | {txt['ig_s']:,.1f} |")
    print(f"| IG max relative completeness gap | {txt['ig_rel_gap']:.1e} |")
    print(f"| occlusion explanations/s (window 1, n={n_text}) | {txt['occlusion_s']:,.1f} |")


if __name__ == "__main__":
    main()
