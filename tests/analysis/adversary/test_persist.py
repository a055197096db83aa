"""Robustness reports through the store: round trip, and the attack × version matrix."""

from __future__ import annotations

from pathlib import Path

import pytest

from kitchen.analysis.adversary import (
    RobustnessReport,
    attack_classifier,
    make_attack,
    model_matrix,
    save_report,
)
from store import open_store
from tests.analysis.adversary.test_runner import LABELS, TEXTS, BreakOnTry, KeywordClassifier


def report_for(version: int, attacks: list[object]) -> RobustnessReport:
    return attack_classifier(
        KeywordClassifier(),
        TEXTS,
        LABELS,
        attacks,  # type: ignore[arg-type]
        severities=(0.1, 0.3),
        seed=11,
        model_name="sentiment",
        model_version=version,
    )


def test_report_round_trips_through_the_store(tmp_path: Path) -> None:
    report = report_for(1, [BreakOnTry(), make_attack("keyboard_typo")])
    with open_store(tmp_path / "home") as store:
        saved = save_report(store, report, run_id=None)
        [found] = store.list_analyses(kind="adversary", model_name="sentiment")
        assert found.id == saved.id and found.model_version == 1 and found.seed == 11
        assert RobustnessReport.from_dict(store.analysis_result(found.id)) == report
        assert found.name == "sentiment v1: 2 attacks"


def test_matrix_lists_attacks_by_version_newest_analysis_wins(tmp_path: Path) -> None:
    with open_store(tmp_path / "home") as store:
        save_report(store, report_for(1, [BreakOnTry()]))
        save_report(store, report_for(2, [BreakOnTry(), make_attack("homoglyph")]))
        # A later analysis of version 1 replaces the earlier one's cells.
        newer = save_report(store, report_for(1, [BreakOnTry()]))
        other = report_for(1, [BreakOnTry()])
        save_report(store, RobustnessReport(**{**vars_of(other), "model_name": "another"}))
        matrix = model_matrix(store, "sentiment")
    assert matrix.versions == (1, 2)
    assert matrix.attacks == ("break_on_try", "homoglyph")
    cell = matrix.cell("break_on_try", 1)
    assert cell is not None and cell.analysis_id == newer.id
    assert cell.success_rate == pytest.approx(2 / 6)
    assert matrix.cell("homoglyph", 1) is None
    assert matrix.clean_accuracy == {1: 0.75, 2: 0.75}
    data = matrix.to_dict()
    assert data["versions"] == [1, 2] and len(data["cells"]) == 3


def vars_of(report: RobustnessReport) -> dict[str, object]:
    return {name: getattr(report, name) for name in report.__dataclass_fields__}


def test_versions_are_compared_on_the_same_data_only(tmp_path: Path) -> None:
    from kitchen.errors import NotFoundError

    def on(data: str, version: int) -> RobustnessReport:
        return RobustnessReport(**{**vars_of(report_for(version, [BreakOnTry()])), "data": data})

    easy, hard = on("kitchen/sentiment", 1), on("kitchen/sentiment:challenge", 1)
    easy_v2 = on("kitchen/sentiment", 2)
    hard = RobustnessReport(**{**vars_of(hard), "clean_accuracy": 0.5})
    with open_store(tmp_path / "home") as store:
        mine = save_report(store, easy)
        theirs = save_report(store, easy_v2)
        hardest = save_report(store, hard)  # newest: the default matrix is on its data
        newest = model_matrix(store, "sentiment")
        on_test = model_matrix(store, "sentiment", data="kitchen/sentiment")
        with pytest.raises(NotFoundError, match="never attacked on 'elsewhere'"):
            model_matrix(store, "sentiment", data="elsewhere")
        [row] = store.list_analyses(kind="adversary", model_name="sentiment", limit=1)
    assert newest.data == "kitchen/sentiment:challenge"
    assert newest.datasets == ("kitchen/sentiment:challenge", "kitchen/sentiment")
    assert newest.versions == (1,) and newest.clean_accuracy == {1: 0.5}
    cell = newest.cell("break_on_try", 1)
    assert cell is not None and cell.analysis_id == hardest.id
    # The test-split matrix keeps its own cells and clean accuracy: nothing mixed in.
    assert on_test.versions == (1, 2) and on_test.clean_accuracy == {1: 0.75, 2: 0.75}
    assert {c.analysis_id for c in on_test.cells} == {mine.id, theirs.id}
    assert row.id == hardest.id and '"data": "kitchen/sentiment:challenge"' in row.summary_json


def test_an_old_summary_without_data_is_grouped_by_its_task() -> None:
    from types import SimpleNamespace

    def row(i: int, summary: dict[str, object]) -> SimpleNamespace:
        return SimpleNamespace(
            id=f"a{i}", kind="adversary", model_name="m", model_version=1, summary=summary
        )

    rows = [
        row(1, {"task": "gsm8k", "clean_accuracy": 0.2, "attacks": {"x": {"success_rate": 0.5}}}),
        row(2, {"task": None, "clean_accuracy": 0.9, "attacks": {"x": {"success_rate": 0.1}}}),
    ]
    from kitchen.analysis.adversary import robustness_matrix

    matrix = robustness_matrix("m", rows)
    assert (matrix.data, matrix.datasets) == ("gsm8k", ("gsm8k", ""))
    assert matrix.clean_accuracy == {1: 0.2}
    assert robustness_matrix("m", rows, data="").clean_accuracy == {1: 0.9}
