"""Drift costs, measured side by side in one process.

1. Sketch build: a 1M-row × 100-feature numeric reference window into quantile bins, counts and
   10k-value reservoir samples per feature, then to JSON for the store.
2. Drift check of a 1M-row × 100-feature current window against the stored sketches (KS on the
   full window against the reservoir, PSI, JS, Wasserstein; target < 5 s).
3. Side by side with Evidently's DataDriftPreset on the same columns (100k rows by default:
   it takes minutes at 1M), run in a side environment (``make bench-evidently``; Evidently 0.7
   needs pandas < 3, which Kitchen's environment does not have). Skipped, with the reason,
   when that environment is missing.

    .venv/bin/python benchmarks/bench_drift.py
    .venv/bin/python benchmarks/bench_drift.py --quick
"""

from __future__ import annotations

import argparse
import json
import subprocess
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


EVIDENTLY_PYTHON = _common.WORK / "evidently-venv" / "bin" / "python"
"""The side environment's interpreter (``make bench-evidently`` builds it)."""


def run_evidently(
    reference: dict[str, Any], current: dict[str, Any], python: Path
) -> tuple[dict[str, Any] | None, str]:
    """Evidently's DataDriftPreset on the same columns, run by ``python`` in its own process.

    Returns its JSON summary (seconds, drifted columns, versions), or ``None`` and why it did
    not run. The frames go through a ``.npz`` file; only ``Report.run`` is timed, as only
    :func:`kitchen.analysis.drift.drift_report` is on our side.
    """
    if not python.exists():
        return None, f"no Evidently environment at {python}: run `make bench-evidently`"
    _common.WORK.mkdir(parents=True, exist_ok=True)
    frames_path = _common.WORK / "drift_frames.npz"
    np.savez(
        frames_path,
        **{f"ref_{k}": v for k, v in reference.items()},
        **{f"cur_{k}": v for k, v in current.items()},
    )
    script = Path(__file__).resolve().parent / "evidently_drift.py"
    try:
        done = subprocess.run(
            [str(python), str(script), str(frames_path)],
            capture_output=True,
            text=True,
            check=False,
            timeout=3600,
        )
    finally:
        frames_path.unlink(missing_ok=True)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"Evidently failed (exit {done.returncode}): {tail}"
    return json.loads(done.stdout.strip().splitlines()[-1]), "ok"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k rows instead of 1M")
    parser.add_argument(
        "--evidently-python",
        type=Path,
        default=EVIDENTLY_PYTHON,
        help="interpreter of an environment with Evidently (default: make bench-evidently's)",
    )
    parser.add_argument(
        "--evidently-rows",
        type=int,
        default=100_000,
        help="rows of the side-by-side comparison with Evidently (it takes minutes at 1M)",
    )
    args = parser.parse_args()
    rows, features = (100_000, 100) if args.quick else (1_000_000, 100)
    reference, current = frames(rows, features)
    ours = run_kitchen(reference, current)
    print(f"{rows:,} rows × {features} numeric features; {_common.cpu_model()}")
    print()
    table = [
        ["sketch build, reference window (s)", f"{ours['build_s']:.2f}"],
        ["stored sketch size (MB of JSON)", f"{ours['sketch_mb']:.1f}"],
        ["drift check against the stored sketch (s; target < 5)", f"{ours['check_s']:.2f}"],
        ["features flagged (10 moved by 0.1 σ)", f"{ours['drifted']:.0f}"],
    ]
    print(_common.markdown_table(["figure", "value"], table))

    # Side by side with Evidently on one window size, both tools on the same columns.
    n = min(args.evidently_rows, rows)
    ref_n = {k: v[:n] for k, v in reference.items()}
    cur_n = {k: v[:n] for k, v in current.items()}
    theirs, status = run_evidently(ref_n, cur_n, args.evidently_python)
    print()
    if theirs is None:
        print(status)
        return
    ours_n = ours if n == rows else run_kitchen(ref_n, cur_n)
    mine = ours_n["build_s"] + ours_n["check_s"]
    print(
        f"Side by side on {n:,} rows × {features} features (Evidently {theirs['evidently']}, "
        f"pandas {theirs['pandas']}, methods: {', '.join(theirs['methods'])}):"
    )
    print()
    print(
        _common.markdown_table(
            ["", "Kitchen", "Evidently DataDriftPreset", "Evidently / Kitchen"],
            [
                [
                    "seconds (Kitchen: sketch + check)",
                    f"{mine:.2f}",
                    f"{theirs['seconds']:.2f}",
                    f"{theirs['seconds'] / mine:.0f}x",
                ],
                [
                    "seconds (Kitchen: check against the stored sketch)",
                    f"{ours_n['check_s']:.2f}",
                    f"{theirs['seconds']:.2f}",
                    f"{theirs['seconds'] / ours_n['check_s']:.0f}x",
                ],
                [
                    "features flagged (10 moved by 0.1 σ)",
                    f"{ours_n['drifted']:.0f}",
                    f"{theirs['drifted_count']:.0f}",
                    "",
                ],
            ],
        )
    )


if __name__ == "__main__":
    main()
