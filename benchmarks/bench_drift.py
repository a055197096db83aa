"""Drift costs, measured side by side in one process.

1. Sketch build: a 1M-row × 100-feature numeric reference window into quantile bins, counts and
   10k-value reservoir samples per feature, then to JSON for the store.
2. Drift check of a 1M-row × 100-feature current window against the stored sketches (KS on the
   full window against the reservoir, PSI, JS, Wasserstein; target < 5 s).
3. Evidently's DataDriftPreset on the same frames, when ``evidently`` imports (optional).

    .venv/bin/python benchmarks/bench_drift.py
    .venv/bin/python benchmarks/bench_drift.py --quick
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common

_common.use_repo_packages()
_common.offline_env()

import numpy as np  # noqa: E402


def frames(rows: int, features: int, seed: int = 0) -> tuple[dict[str, Any], dict[str, Any]]:
    """Reference and current columns; every tenth feature's mean moves by 0.1 σ."""
    rng = np.random.default_rng(seed)
    reference = {f"f{i:03d}": rng.normal(size=rows) for i in range(features)}
    current = {
        f"f{i:03d}": rng.normal(0.1 if i % 10 == 0 else 0.0, 1.0, size=rows)
        for i in range(features)
    }
    return reference, current


def run_kitchen(reference: dict[str, Any], current: dict[str, Any]) -> dict[str, float]:
    from kitchen.analysis.drift import DriftOptions, FeatureSet, ReferenceSketch, drift_report
    from kitchen.analysis.drift.report import sketch_window

    options = DriftOptions(embed=False)
    n = len(next(iter(reference.values())))
    started = time.perf_counter()
    sketch = sketch_window(FeatureSet(n, numeric=reference), options, exact=False)
    payload = json.dumps(sketch.to_dict())
    built = time.perf_counter() - started
    stored = ReferenceSketch.from_dict(json.loads(payload))  # what a later check loads
    started = time.perf_counter()
    report = drift_report(stored, FeatureSet(n, numeric=current), options=options)
    checked = time.perf_counter() - started
    return {
        "build_s": built,
        "check_s": checked,
        "sketch_mb": len(payload) / 1e6,
        "drifted": float(len(report.drifted_features)),
    }


def run_evidently(reference: dict[str, Any], current: dict[str, Any]) -> tuple[float, str]:
    """Seconds for Evidently's DataDriftPreset, or NaN and why it did not run."""
    try:
        import pandas as pd
        from evidently import Report
        from evidently.presets import DataDriftPreset
    except Exception as error:  # optional: any import failure means "not measured"
        return float("nan"), f"evidently not importable: {type(error).__name__}: {error}"
    ref, cur = pd.DataFrame(reference), pd.DataFrame(current)
    started = time.perf_counter()
    Report([DataDriftPreset()]).run(cur, ref)
    return time.perf_counter() - started, "ok"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k rows instead of 1M")
    args = parser.parse_args()
    rows, features = (100_000, 100) if args.quick else (1_000_000, 100)
    reference, current = frames(rows, features)
    ours = run_kitchen(reference, current)
    theirs, status = run_evidently(reference, current)
    print(f"{rows:,} rows × {features} numeric features; {_common.cpu_model()}")
    print()
    table = [
        ["sketch build, reference window (s)", f"{ours['build_s']:.2f}"],
        ["stored sketch size (MB of JSON)", f"{ours['sketch_mb']:.1f}"],
        ["drift check against the stored sketch (s; target < 5)", f"{ours['check_s']:.2f}"],
        ["features flagged (10 moved by 0.1 σ)", f"{ours['drifted']:.0f}"],
    ]
    if status == "ok":
        table.append(["Evidently DataDriftPreset, same data (s)", f"{theirs:.2f}"])
        table.append(["Evidently / Kitchen check", f"{theirs / ours['check_s']:.1f}x"])
    print(_common.markdown_table(["figure", "value"], table))
    if status != "ok":
        print(f"\n{status}")


if __name__ == "__main__":
    main()
