"""GPU check of the engine's run control (run by scripts/gpu_check.sh on a CUDA machine).

An engine with one GPU slot trains the default SFT recipe on CUDA; mid-run the run is paused:
its worker must checkpoint, exit and give back its GPU memory (nvidia-smi lists no process of
it), the slot must free, and resuming must finish the run with an unbroken step history and a
loss curve that matches an unpaused run's. Prints one line per check and a JSON summary.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from kitchen import events as ev
from kitchen.engine.client import EngineClient
from kitchen.engine.server import start_background, stop

HOME = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/kitchen-gpu-engine")
ARGS = ["epochs=8", "save_every=0", "eval_samples=100"]


def gpu_processes() -> dict[int, int]:
    out = subprocess.run(
        ["nvidia-smi", "--query-compute-apps=pid,used_memory", "--format=csv,noheader,nounits"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    found = {}
    for line in out.splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) == 2 and parts[0].isdigit():
            found[int(parts[0])] = int(float(parts[1]))
    return found


def wait(client: EngineClient, run_id: str, timeout_s: float = 600) -> str:
    deadline = time.monotonic() + timeout_s
    while (status := client.run(run_id).run.status) in ("queued", "running"):
        if time.monotonic() > deadline:
            raise SystemExit(f"FAIL run {run_id} still {status}")
        time.sleep(0.2)
    return status


def main() -> int:
    summary: dict[str, object] = {}
    info = start_background(HOME, slots=1, grace_s=30)
    ok = True
    try:
        with EngineClient(info) as client:
            t0 = time.monotonic()
            straight = client.submit("sft", ARGS).run_id
            summary["straight_status"] = wait(client, straight)
            summary["straight_s"] = round(time.monotonic() - t0, 1)
            with client.stream() as stream:
                run_id = client.submit("sft", ARGS).run_id
                during: dict[int, int] = {}
                for event in stream:
                    if event.run_id != run_id:
                        continue
                    if isinstance(event, ev.Progress) and event.done >= 300 and not during:
                        during = gpu_processes()
                        t_pause = time.monotonic()
                        client.pause(run_id)
                    if isinstance(event, ev.RunFinished):
                        summary["finished_as"] = event.status
                        break
            summary["pause_latency_s"] = round(time.monotonic() - t_pause, 2)
            summary["gpu_processes_while_training_mib"] = during
            deadline = time.monotonic() + 15
            while run_id in client.engine_status().running and time.monotonic() < deadline:
                time.sleep(0.1)
            after = gpu_processes()
            summary["gpu_processes_after_pause_mib"] = after
            freed = bool(during) and not (set(during) & set(after))
            summary["gpu_memory_freed"] = freed
            ok &= summary["finished_as"] == "paused" and freed
            ckpt = [a for a in client.run(run_id).artifacts if a.kind == "checkpoint"][-1]
            summary["paused_at_step"] = ckpt.meta["state"]["global_step"]
            client.resume(run_id)
            summary["resumed_status"] = wait(client, run_id)
            ok &= summary["resumed_status"] == "succeeded"
            a = client.curve(run_id, "train/loss", max_points=100_000)
            b = client.curve(straight, "train/loss", max_points=100_000)
            summary["steps_unbroken"] = a.steps == list(range(1, len(a.steps) + 1)) == b.steps
            ok &= bool(summary["steps_unbroken"])
            diffs = [
                abs(x - y) / max(abs(y), 1e-8) for x, y in zip(a.values, b.values, strict=True)
            ]
            summary["max_rel_loss_diff_vs_unpaused"] = max(diffs)
            summary["eval_after"] = {
                k: v for k, v in client.run(run_id).metrics.items() if k.startswith("eval/")
            }
            summary["eval_after_unpaused"] = {
                k: v for k, v in client.run(straight).metrics.items() if k.startswith("eval/")
            }
    finally:
        stop(HOME)
    print(json.dumps(summary, indent=2, default=str))
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
