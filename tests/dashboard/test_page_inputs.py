"""Dashboard inputs through ``AppTest`` against a seeded, served home: the Feedback page's
date range and flag filter, and the bytes its and the Evaluations page's download buttons
would serve (read back from the run's media file manager)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest
import streamlit as st
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryFile
from streamlit.testing.v1 import AppTest, app_test

from kitchen.engine.client import EngineClient
from kitchen.engine.files import remove_engine
from kitchen.engine.wire_analysis import FeedbackEventOut
from store import open_store
from tests.dashboard.conftest import Served, serve_home
from tests.dashboard.test_pages import frame, open_page

DAY_2 = date(2025, 3, 2)  # the seeded feedback spans 2025-03-01 .. 03-03, 80 events a day


class _Recording(MediaFileManager):
    """A media file manager that stays reachable after its ``AppTest`` run ends."""

    made: ClassVar[list[MediaFileManager]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _Recording.made.append(self)


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> list[MediaFileManager]:
    """Every ``AppTest`` run's media file manager, newest last (AppTest makes one per run)."""
    made: list[MediaFileManager] = []
    monkeypatch.setattr(_Recording, "made", made)
    monkeypatch.setattr(app_test, "MediaFileManager", _Recording)
    return made


def served_file(media: list[MediaFileManager], button: Any) -> MemoryFile:
    """What a download button serves: its stored file, or its deferred callable's output."""
    manager = media[-1]
    proto = button.proto
    url = manager.execute_deferred(proto.deferred_file_id) if proto.deferred_file_id else proto.url
    assert url, "the button serves nothing"
    found = manager.read_file(url.rsplit("/", 1)[-1])
    assert found is not None, f"no stored file behind {url}"
    return found


def button(at: AppTest, key_suffix: str) -> Any:
    """The page's one download button whose id ends with ``key_suffix``."""
    (found,) = [b for b in at.get("download_button") if b.proto.id.endswith(key_suffix)]
    return found


def events_of(home: Path) -> list[FeedbackEventOut]:
    """Every stored event of ``tiny`` v1, read through the engine without a date filter."""
    with EngineClient.for_home(home) as client:
        return client.feedback_events(model_name="tiny", model_version=1)


def is_candidate(event: dict[str, Any] | FeedbackEventOut) -> bool:
    if isinstance(event, FeedbackEventOut):
        event = event.model_dump(mode="json")
    return bool(event["quality_flags"]) or (event["user_signal"] or 0) < 0


def export_lines(media: list[MediaFileManager], at: AppTest) -> tuple[str, list[dict[str, Any]]]:
    """The export button's label and the JSON objects of the JSONL it serves."""
    export = button(at, "feedback-export")
    assert not export.proto.disabled
    served = served_file(media, export)
    assert served.filename == "curation-tiny-v1.jsonl"
    text = served.content.decode("utf-8")
    assert text.endswith("\n")
    lines = [json.loads(line) for line in text.splitlines()]
    assert all(isinstance(line, dict) for line in lines)
    return export.label, lines


def test_feedback_date_range_narrows_the_tables_and_the_export(
    home: Path, served: Served, media: list[MediaFileManager]
) -> None:
    stored = events_of(home)
    assert len(stored) == served.seed.feedback_events
    at = open_page("feedback", model="tiny", version="1")
    assert at.date_input(key="feedback-dates").disabled  # off until the toggle is on
    assert len(frame(at, "flags", last=True)) == len(stored)
    label, lines = export_lines(media, at)
    assert label == f"Export {served.seed.candidates} candidates (JSONL)"
    assert len(lines) == served.seed.candidates and all(map(is_candidate, lines))

    at.toggle(key="feedback-use-dates").set_value(True).run()
    assert not at.exception
    assert not at.date_input(key="feedback-dates").disabled
    at.date_input(key="feedback-dates").set_value((DAY_2, DAY_2)).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]

    start = datetime(2025, 3, 2, tzinfo=UTC)
    day = [e for e in stored if start <= e.ts < start + timedelta(days=1)]
    day_candidates = {e.id for e in day if is_candidate(e)}
    assert 0 < len(day) < len(stored) and 0 < len(day_candidates) < served.seed.candidates
    assert "in the chosen dates" in " ".join(c.value for c in at.caption)
    events = frame(at, "flags", last=True)
    assert len(events) == len(day) == 80
    assert set(events["id"]) == {e.id for e in day}
    assert all(start <= pd.Timestamp(ts) < start + timedelta(days=1) for ts in events["ts"])
    candidates = frame(at, "flags")
    assert set(candidates["id"]) == day_candidates
    label, lines = export_lines(media, at)
    assert label == f"Export {len(day_candidates)} candidates (JSONL)"
    assert {line["id"] for line in lines} == day_candidates and all(map(is_candidate, lines))

    # Narrowing the candidates to one flag narrows the export with them.
    at.multiselect(key="feedback-flag-filter").set_value(["too_long"]).run()
    assert not at.exception
    label, lines = export_lines(media, at)
    expected = {e.id for e in day if "too_long" in e.quality_flags}
    assert 0 < len(expected) < len(day_candidates)
    assert label == f"Export {len(expected)} candidates (JSONL)"
    assert {line["id"] for line in lines} == expected
    assert all(line["quality_flags"] == ["too_long"] for line in lines)

    # Toggled off again, the dates no longer apply.
    at.toggle(key="feedback-use-dates").set_value(False).run()
    assert not at.exception
    assert len(frame(at, "flags", last=True)) == len(stored)


@pytest.fixture
def clean_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A second served home whose feedback has no flag and no negative signal."""
    home = tmp_path / "clean"
    with open_store(home, background_flush=False, flush_interval_s=None) as store:
        start = datetime(2025, 4, 1, tzinfo=UTC)
        store.log_feedback(
            [
                {
                    "ts": start + timedelta(hours=i),
                    "model_name": "tiny",
                    "model_version": 1,
                    "input": f"q{i}",
                    "output": f"a{i}",
                    "user_signal": 1.0,
                }
                for i in range(6)
            ],
            source="test",
        )
    info, server, thread, store = serve_home(home)
    monkeypatch.setenv("KITCHEN_HOME", str(home))
    st.cache_data.clear()  # the pages' answers are cached by arguments, not by engine
    try:
        yield home
    finally:
        st.cache_data.clear()
        server.should_exit = True
        thread.join(10)
        remove_engine(home, info.pid)
        store.close()  # type: ignore[attr-defined]


def test_feedback_export_is_disabled_without_candidates(
    clean_home: Path, media: list[MediaFileManager]
) -> None:
    at = open_page("feedback", model="tiny", version="1")
    assert len(frame(at, "flags", last=True)) == 6
    assert frame(at, "flags").empty
    export = button(at, "feedback-export")
    assert export.label == "Export 0 candidates (JSONL)"
    assert export.proto.disabled
    # Streamlit still stores an eager button's data while it is disabled: nothing, here.
    assert not export.proto.url or served_file(media, export).content == b""


def test_evaluations_download_serves_the_runs_html_report(
    home: Path, served: Served, media: list[MediaFileManager]
) -> None:
    seed = served.seed.report
    at = open_page("evaluations", run=seed.full)
    report = button(at, "evals-report")
    assert report.label == "Download the HTML report" and not report.proto.disabled
    assert report.proto.deferred_file_id  # built on click, not on every page run
    samples = frame(at, "sample")
    served_report = served_file(media, report)
    assert served_report.filename == f"kitchen-report-{seed.full[:12]}.html"
    assert served_report.mimetype == "text/html"
    html = served_report.content.decode("utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<title>Run sft-tiny</title>" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html  # escaped, not run

    tables = pd.read_html(io.StringIO(html))
    (metrics,) = [t for t in tables if list(t.columns) == ["metric", "baseline", "final", "Δ"]]
    exact = metrics.set_index("metric").loc["eval/exact_match"]
    assert float(exact["baseline"]) == pytest.approx(0.3)
    assert float(exact["final"]) == pytest.approx(0.7)
    (rows,) = [t for t in tables if {"sample", "epoch", "score"} <= set(t.columns)]
    assert 0 < len(rows) <= len(samples) and rows["sample"].is_unique
    # The report's samples are the final evaluation the page lists, with the same scores.
    page_scores = dict(zip(samples["sample"], samples["score"], strict=True))
    assert {s: page_scores[s] for s in rows["sample"]} == dict(
        zip(rows["sample"], rows["score"].astype(float), strict=True)
    )
