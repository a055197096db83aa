"""Time Evidently's DataDriftPreset on frames saved by ``bench_drift.py``; print one JSON line.

Evidently 0.7 needs pandas < 3 and plotly < 6, which Kitchen's own environment does not have,
so ``bench_drift.py`` runs this script with the interpreter of a side environment
(``make bench-evidently`` builds it from ``benchmarks/evidently.txt``):

    benchmarks/.work/evidently-venv/bin/python benchmarks/evidently_drift.py FRAMES.npz

``FRAMES.npz`` holds ``ref_<column>`` and ``cur_<column>`` arrays of equal length.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
import pandas as pd
from evidently import Report, __version__
from evidently.presets import DataDriftPreset


def main(path: str) -> None:
    with np.load(path) as data:
        names = sorted(k.removeprefix("ref_") for k in data.files if k.startswith("ref_"))
        reference = pd.DataFrame({n: data[f"ref_{n}"] for n in names})
        current = pd.DataFrame({n: data[f"cur_{n}"] for n in names})
    started = time.perf_counter()
    snapshot = Report([DataDriftPreset()]).run(current, reference)
    seconds = time.perf_counter() - started
    metrics = snapshot.dict()["metrics"]
    count = next(
        m["value"]["count"]
        for m in metrics
        if m.get("config", {}).get("type", "").endswith("DriftedColumnsCount")
    )
    methods = sorted({m.get("config", {}).get("method", "") for m in metrics} - {""})
    print(
        json.dumps(
            {
                "seconds": seconds,
                "drifted_count": count,
                "methods": methods,
                "evidently": __version__,
                "pandas": pd.__version__,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
