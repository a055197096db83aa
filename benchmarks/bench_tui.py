"""The TUI: time to first screen, update latency with ten streaming runs, memory over an hour.

- first screen: a fresh ``python`` process imports the TUI and runs it headless against a
  running engine until the runs table holds the store's runs (median of 3; target < 1 s);
  also checks that torch was never imported;
- update latency: ten runs stream metrics and progress into the engine (a batch of 5 steps ×
  6 metrics every 100 ms each: 3,000 points/s in all) while the TUI shows the runs table;
  latency is from an event's creation until the table has been updated with it (p50 / p99),
  and the event loop's lag (a 50 ms timer's lateness, p99) says whether input stays responsive;
- memory: a simulated hour of ten runs streaming (2 steps/s each, 6 metrics, progress, a log
  line every 10 steps) folded into the app with the run detail view open, as fast as it goes;
  Python heap (tracemalloc) after 20 simulated minutes (the curves are full by then) and at
  the end.

    .venv/bin/python benchmarks/bench_tui.py            # ten runs for 10 s, one hour
    .venv/bin/python benchmarks/bench_tui.py --quick    # 5 s, one simulated half hour
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _common

from kitchen import events as ev
from kitchen.engine.client import EngineClient
from kitchen.engine.files import EngineInfo
from kitchen.engine.server import start_background, stop
from store import open_store

RUNS = 10
KEYS = ("train/loss", "train/lr", "train/grad_norm", "train/tokens_per_s", "train/epoch", "x/y")

FIRST_SCREEN = textwrap.dedent(
    """
    import sys, time
    began = time.perf_counter()
    from pathlib import Path
    from kitchen.engine.files import read_engine
    from ui.app import KitchenApp
    from ui.screens.runs import RunsScreen

    async def until_loaded(pilot):
        while not (isinstance(pilot.app.screen, RunsScreen) and pilot.app.screen.loaded):
            await pilot.pause(0.005)
        await pilot.pause()
        print(time.perf_counter() - began, "torch" in sys.modules)
        pilot.app.exit()

    KitchenApp(read_engine(Path(sys.argv[1]))).run(
        headless=True, size=(80, 24), auto_pilot=until_loaded
    )
    """
)


def seed_runs(home: Path, count: int) -> list[str]:
    """Create ``count`` runs the benchmark streams into (not queued: the engine would run them)."""
    with open_store(home, background_flush=False, flush_interval_s=None) as store:
        ids = []
        for i in range(count):
            run = store.create_run(recipe="sft", experiment="bench", config={"model": f"m{i}"})
            store.set_run_status(run.id, "cancelled")
            ids.append(run.id)
        store.flush()
    return ids


def bench_first_screen(home: Path, repeats: int) -> tuple[list[float], bool]:
    """Seconds from process start to a filled runs table; whether torch was imported."""
    times, torch = [], False
    for _ in range(repeats):
        began = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", FIRST_SCREEN, str(home)],
            capture_output=True,
            text=True,
            cwd=_common.ROOT,
            timeout=120,
            check=True,
        )
        total = time.perf_counter() - began
        _, imported = done.stdout.split()[-2:]
        times.append(total)
        torch = torch or imported == "True"
    return times, torch


def _stream(info: EngineInfo, run_id: str, stop_at: float, sent: list[int]) -> None:
    step = 0
    with EngineClient(info) as client:
        client.ingest(run_id, [ev.RunStarted(run_id, "sft", {})])
        next_at = time.monotonic()
        while next_at < stop_at:
            batch: list[ev.Event] = []
            for _ in range(5):
                step += 1
                batch.append(ev.Metrics(run_id, step, dict.fromkeys(KEYS, 1.0 / step)))
            batch.append(ev.Progress(run_id, step, 100_000))
            client.ingest(run_id, batch)
            sent.append(len(KEYS) * 5)
            next_at += 0.1
            time.sleep(max(0.0, next_at - time.monotonic()))
        client.ingest(run_id, [ev.RunFinished(run_id, "succeeded", last_step=step)])


def bench_streaming(info: EngineInfo, run_ids: list[str], seconds: float) -> dict[str, float]:
    """Update latency and event-loop lag while ten runs stream."""
    from ui.app import KitchenApp
    from ui.screens.runs import RunsScreen

    latencies: list[float] = []
    lags: list[float] = []
    sent: list[int] = []

    class Measured(KitchenApp):
        def drain_events(self) -> None:
            if self.pump is None:
                return
            events = self.pump.drain()
            if not events:
                return
            changed = set()
            for event in events:
                changed.add(self.live.apply(event))
            screen = self.screen
            if isinstance(screen, RunsScreen):
                from ui.screens.base import LiveUpdate

                screen.on_live_update(LiveUpdate(frozenset(changed), False))
            now = time.time()
            latencies.extend(1000 * (now - e.wall_time) for e in events if hasattr(e, "values"))

    async def drive(pilot: object) -> None:
        app = pilot.app  # type: ignore[attr-defined]
        while not app.pump_connected or not app.screen.loaded:
            await pilot.pause(0.01)  # type: ignore[attr-defined]
        stop_at = time.monotonic() + seconds
        threads = [threading.Thread(target=_stream, args=(info, r, stop_at, sent)) for r in run_ids]
        for thread in threads:
            thread.start()
        expected = time.perf_counter()
        while time.monotonic() < stop_at:
            expected += 0.05
            await asyncio.sleep(max(0.0, expected - time.perf_counter()))
            lags.append(1000 * max(0.0, time.perf_counter() - expected))
        for thread in threads:
            thread.join(30)
        await pilot.pause(0.5)  # type: ignore[attr-defined]
        app.exit()

    Measured(info).run(headless=True, size=(120, 40), auto_pilot=drive)
    q = statistics.quantiles
    return {
        "stream_points": float(sum(sent)),
        "update_latency_p50_ms": q(latencies, n=100)[49],
        "update_latency_p99_ms": q(latencies, n=100)[98],
        "loop_lag_p99_ms": q(lags, n=100)[98],
    }


def bench_memory(info: EngineInfo, run_ids: list[str], sim_seconds: int) -> dict[str, float]:
    """Heap after 10 simulated minutes and at the end of ``sim_seconds`` of ten runs streaming."""
    from ui.app import KitchenApp
    from ui.screens.base import LiveUpdate

    samples: list[tuple[int, int]] = []

    async def drive(pilot: object) -> None:
        app = pilot.app  # type: ignore[attr-defined]
        await pilot.pause(0.5)  # type: ignore[attr-defined]
        app.open_run(run_ids[0])
        await pilot.pause(0.5)  # type: ignore[attr-defined]
        tracemalloc.start()
        base = time.time()
        for second in range(sim_seconds):
            for run_id in run_ids:
                for half in range(2):
                    step = second * 2 + half + 1
                    wall = base + second
                    app.live.apply(ev.Metrics(run_id, step, dict.fromkeys(KEYS, 1.0 / step), wall))
                    app.live.apply(ev.Progress(run_id, step, sim_seconds * 2, wall_time=wall))
                    if step % 10 == 0:
                        app.live.apply(ev.Log(run_id, "info", f"step {step}", "train", wall))
            if second % 10 == 9:
                app.screen.post_message(LiveUpdate(frozenset(run_ids), False))
                await pilot.pause()  # type: ignore[attr-defined]
            if second % 300 == 299:
                samples.append((second + 1, tracemalloc.get_traced_memory()[0]))
        tracemalloc.stop()
        app.exit()

    KitchenApp(info, live=False).run(headless=True, size=(120, 40), auto_pilot=drive)
    # Curves fill up to their cap in the first ~17 simulated minutes (2,000 points at 2
    # steps/s); from then on the heap should stay flat.
    warm = next(b for s, b in samples if s >= 1200)
    end = samples[-1][1]
    return {
        "simulated_s": float(sim_seconds),
        "heap_at_20min_mib": warm / 2**20,
        "heap_at_end_mib": end / 2**20,
        "heap_peak_mib": max(b for _, b in samples) / 2**20,
        "heap_growth_after_20min_pct": 100.0 * (end - warm) / warm,
    }


def bench_tui(*, quick: bool = False) -> dict[str, float]:
    """Every TUI figure, on a fresh engine serving ten runs."""
    _common.offline_env()
    with tempfile.TemporaryDirectory(prefix="bench-tui-") as tmp:
        home = Path(tmp) / "home"
        run_ids = seed_runs(home, RUNS)
        info = start_background(home)
        try:
            first, torch = bench_first_screen(home, 3)
            figures = {
                "first_screen_median_s": statistics.median(first),
                "first_screen_max_s": max(first),
                "torch_imported": float(torch),
            }
            figures.update(bench_streaming(info, run_ids, 5.0 if quick else 10.0))
            figures.update(bench_memory(info, run_ids, 1800 if quick else 3600))
        finally:
            stop(home)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 s of streaming, half an hour")
    args = parser.parse_args()
    figures = bench_tui(quick=args.quick)
    rows = [[name, f"{value:.3f}"] for name, value in figures.items()]
    print(f"TUI benchmark ({_common.command_line()}); load {_common.load_1min():.2f}")
    print(_common.markdown_table(["figure", "value"], rows))


if __name__ == "__main__":
    main()
