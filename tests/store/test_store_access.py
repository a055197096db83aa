"""Who may open the file: one writer, read-only opens, closed stores, the import boundary."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import store as store_package
from store import (
    NotFoundError,
    ReadOnlyStoreError,
    Store,
    StoreClosedError,
    StoreError,
    open_store,
)

REPO = Path(__file__).resolve().parents[2]


def _run_python(code: str) -> dict[str, object]:
    """Run ``code`` in a fresh interpreter at the repo root; it prints one JSON line."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


_TRY_OPEN = """
import json, sys
from pathlib import Path
from store import open_store
try:
    open_store(Path(sys.argv[1]), read_only=sys.argv[2] == "ro").close()
    print(json.dumps({"error": None}))
except Exception as exc:
    print(json.dumps({"error": type(exc).__name__, "message": str(exc),
                      "is_store_error": type(exc).__module__ == "store.errors"}))
"""


def _try_open_elsewhere(home: Path, mode: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _TRY_OPEN, str(home), mode],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_second_process_gets_store_locked_error(store: Store) -> None:
    for mode in ("rw", "ro"):
        result = _try_open_elsewhere(store.home, mode)
        assert result["error"] == "StoreLockedError", result
        message = str(result["message"])
        assert str(store.path) in message and "another Kitchen process" in message


def test_read_only_open_when_no_writer(home: Path) -> None:
    with open_store(home, background_flush=False) as writer:
        run = writer.create_run(recipe="r")
        writer.log_metric(run.id, "loss", 0, 1.0)
    assert _try_open_elsewhere(home, "ro") == {"error": None}
    with open_store(home, read_only=True) as reader:
        assert reader.get_run(run.id).id == run.id
        assert reader.last_values([run.id]) == {run.id: {"loss": 1.0}}
        assert [r.id for r in reader.runs_table()] == [run.id]
        with pytest.raises(ReadOnlyStoreError):
            reader.create_run(recipe="r")
        with pytest.raises(ReadOnlyStoreError):
            reader.log_metric(run.id, "loss", 1, 1.0)
        with pytest.raises(ReadOnlyStoreError):
            reader.log(run.id, "info", "x")
        with pytest.raises(ReadOnlyStoreError):
            reader.log_artifact_bytes(run.id, b"x", name="x", kind="other")
        assert isinstance(ReadOnlyStoreError("x"), PermissionError)


def test_read_only_open_of_a_missing_store(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        open_store(tmp_path / "nothing", read_only=True)
    assert not (tmp_path / "nothing").exists()


def test_same_process_mixed_modes_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError, match="already has"):
        open_store(store.home, read_only=True)


def test_closed_store_refuses_use(home: Path) -> None:
    opened = open_store(home, background_flush=False)
    opened.close()
    opened.close()  # idempotent
    with pytest.raises(StoreClosedError):
        opened.get_run("0" * 32)


def test_close_flushes_buffered_metrics(home: Path) -> None:
    with open_store(home) as writer:  # background flushing, as the engine runs it
        run = writer.create_run(recipe="r")
        for step in range(1000):
            writer.log_metrics(run.id, step, {"loss": 1.0 / (step + 1)})
    with open_store(home, read_only=True) as reader:
        assert reader.metric_curve(run.id, "loss").total_points == 1000
        assert reader.get_run(run.id).last_step == 999


def test_store_imports_no_heavy_or_ui_packages() -> None:
    result = _run_python(
        """
        import json, sys
        import store
        light = [m for m in ("duckdb", "sqlalchemy", "pyarrow") if m in sys.modules]
        store.open_store, store.Run, store.RunRow  # resolve every lazy name
        banned = ["kitchen", "torch", "transformers", "textual", "streamlit"]
        print(json.dumps({"loaded": [m for m in banned if m in sys.modules], "light": light}))
        """
    )
    assert result["loaded"] == []
    assert result["light"] == []  # `import store` alone defers the database stack


def test_public_api_is_pinned() -> None:
    for name in store_package.__all__:
        assert getattr(store_package, name) is not None
    assert sorted(store_package.__all__) == [
        "AlreadyExistsError",
        "AmbiguousIdError",
        "Artifact",
        "BlobRef",
        "Curve",
        "InvalidTransitionError",
        "InvalidValueError",
        "LineageCycleError",
        "LineageGraph",
        "ModelSummary",
        "ModelVersion",
        "NotFoundError",
        "ReadOnlyStoreError",
        "Run",
        "RunComparison",
        "RunRow",
        "SchemaVersionError",
        "Store",
        "StoreClosedError",
        "StoreError",
        "StoreLockedError",
        "UnsafePathError",
        "open_store",
    ]
