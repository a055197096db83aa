"""Run every ``benchmarks/bench_*.py`` in turn and collect the results in ``RESULTS.md``.

Scripts whose ``--help`` offers ``--out`` append their own dated section; for the others this
script captures the markdown tables they print and appends a section for them. ``--quick`` is
passed on to the scripts that offer it (the others run at their defaults).

    .venv/bin/python benchmarks/run_all.py               # what `make bench` runs
    .venv/bin/python benchmarks/run_all.py --quick       # scaled down
    .venv/bin/python benchmarks/run_all.py sft store_query --out /tmp/results.md
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common

HERE = Path(__file__).resolve().parent


def discover(selected: Sequence[str]) -> list[Path]:
    """The bench scripts, sorted; ``selected`` keeps those whose name contains one of them."""
    scripts = sorted(HERE.glob("bench_*.py"))
    if selected:
        scripts = [s for s in scripts if any(word in s.stem for word in selected)]
    return scripts


def options_of(script: Path) -> set[str]:
    """The long options a script's ``--help`` mentions (empty when ``--help`` fails)."""
    try:
        done = subprocess.run(
            [sys.executable, str(script), "--help"],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=_common.ROOT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return set()
    if done.returncode != 0:
        return set()
    return set(re.findall(r"(--[a-z][a-z0-9-]*)", done.stdout))


def run_script(command: list[str], timeout: float | None) -> tuple[int, list[str], float]:
    """Run ``command``, echoing its stdout as it comes; returns (exit code, stdout lines, s)."""
    started = time.perf_counter()
    lines: list[str] = []
    with subprocess.Popen(
        command, cwd=_common.ROOT, stdout=subprocess.PIPE, text=True, bufsize=1
    ) as process:
        assert process.stdout is not None
        try:
            for line in process.stdout:
                sys.stdout.write(line)
                lines.append(line.rstrip("\n"))
                if timeout and time.perf_counter() - started > timeout:
                    process.kill()
                    lines.append(f"(killed after {timeout:.0f} s)")
                    break
        finally:
            code = process.wait()
    return code, lines, time.perf_counter() - started


def split_output(lines: Sequence[str]) -> tuple[list[list[str]], list[str]]:
    """Markdown tables (runs of lines starting with ``|``) and the other non-empty lines."""
    tables: list[list[str]] = []
    rest: list[str] = []
    current: list[str] = []
    for line in lines:
        if line.lstrip().startswith("|"):
            current.append(line.strip())
            continue
        if current:
            tables.append(current)
            current = []
        if line.strip():
            rest.append(line)
    if current:
        tables.append(current)
    return tables, rest


def captured_section(
    script: Path, command: list[str], code: int, lines: list[str], seconds: float
) -> str:
    """The RESULTS.md body for a script that does not write its own."""
    info = _common.machine_info(with_torch=False)
    shown = " ".join([".venv/bin/python", *(_rel(c) for c in command[1:])])
    body = [
        f"Command: `{shown}` (captured by `benchmarks/run_all.py`)",
        "",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['platform']}, Python "
        f"{info['python']}; 1-minute load {_common.load_1min():.2f} after the run; "
        f"{seconds:.0f} s; exit code {code}.",
        "",
    ]
    tables, rest = split_output(lines)
    for table in tables:
        body += [*table, ""]
    if rest:
        keep = rest[-40:]
        body += [
            "Output" + (" (last 40 lines)" if len(rest) > 40 else "") + ":",
            "",
            "```",
            *keep,
            "```",
        ]
    return "\n".join(body)


def _rel(arg: str) -> str:
    try:
        return str(Path(arg).resolve().relative_to(_common.ROOT))
    except (ValueError, OSError):
        return arg


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("only", nargs="*", help="run only scripts whose name contains one of these")
    parser.add_argument(
        "--quick", action="store_true", help="pass --quick to scripts that offer it"
    )
    parser.add_argument(
        "--out", default=str(_common.RESULTS), help="results file (default benchmarks/RESULTS.md)"
    )
    parser.add_argument(
        "--timeout", type=float, default=0, help="kill a script after this many seconds (0: never)"
    )
    args = parser.parse_args(argv)
    _common.offline_env()  # inherited by the scripts
    out = Path(args.out).resolve()
    scripts = discover(args.only)
    if not scripts:
        print("no benchmark scripts matched", file=sys.stderr)
        return 2
    summary: list[tuple[str, int, float, str]] = []
    for script in scripts:
        options = options_of(script)
        command = [sys.executable, str(script)]
        notes = []
        if args.quick:
            if "--quick" in options:
                command.append("--quick")
            else:
                notes.append("no --quick: ran at its defaults")
        writes_own = "--out" in options
        if writes_own:
            command += ["--out", str(out)]
        else:
            notes.append("no --out: tables captured")
        print(f"\n=== {script.name} ({'; '.join(notes) or 'writes its own results'})", flush=True)
        code, lines, seconds = run_script(command, args.timeout or None)
        if not writes_own:
            _common.append_section(
                out, script.stem, captured_section(script, command, code, lines, seconds)
            )
        summary.append((script.name, code, seconds, "; ".join(notes)))
    print("\n=== summary")
    for name, code, seconds, note in summary:
        status = "ok" if code == 0 else f"FAILED (exit {code})"
        print(f"{name:<32} {status:<18} {seconds:7.0f} s  {note}")
    print(f"results: {out}")
    return 0 if all(code == 0 for _, code, _, _ in summary) else 1


if __name__ == "__main__":
    sys.exit(main())
