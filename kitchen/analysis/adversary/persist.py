"""Store robustness reports as ``adversary`` analyses and read them back per model version.

A report is stored with its model name and version, its seed, every attack's parameters
(``params``), the strongest-level figures (``summary``) and the whole report (``result``). The
attack × version matrix the dashboard draws comes from the summaries alone.

Writers and readers are duck-typed: the :class:`store.Store`, the engine client and a run's
analysis port (``ctx.ports.analyses``, what the ``attack`` stage writes through) all have
``log_analysis(**fields)``, and all list analyses (``list_analyses`` / ``analyses``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kitchen.analysis.adversary.report import RobustnessReport
from kitchen.errors import NotFoundError
from kitchen.ports.analyses import AnalysisWriter

KIND = "adversary"


def analysis_fields(report: RobustnessReport, *, name: str = "") -> dict[str, Any]:
    """The ``log_analysis`` keyword arguments for ``report`` (without ``result`` and run)."""
    return {
        "kind": KIND,
        "name": name or _default_name(report),
        "params": report.params(),
        "summary": report.summary(),
        "model_name": report.model_name,
        "model_version": report.model_version,
        "seed": report.seed,
    }


def save_report(
    writer: AnalysisWriter, report: RobustnessReport, *, run_id: str | None = None, name: str = ""
) -> Any:
    """Store ``report``; returns what the writer returns (the stored analysis)."""
    return writer.log_analysis(
        **analysis_fields(report, name=name), result=report.to_dict(), run_id=run_id
    )


def _default_name(report: RobustnessReport) -> str:
    who = report.model_name or "model"
    version = f" v{report.model_version}" if report.model_version is not None else ""
    on = f" on {report.task}" if report.task else ""
    return f"{who}{version}{on}: {len(report.attacks)} attacks"


@dataclass(frozen=True, slots=True)
class MatrixCell:
    """One attack on one model version (from that version's newest adversary analysis)."""

    attack: str
    version: int
    success_rate: float | None
    accuracy: float | None
    accuracy_drop: float | None
    analysis_id: str


@dataclass(frozen=True, slots=True)
class RobustnessMatrix:
    """Attack × version figures of one model on one attacked data set, versions ascending,
    attacks in first-seen order.

    Attributes:
        data: The data every cell was measured on (see ``RobustnessReport.data``).
        datasets: Every data set the model was attacked on, newest first (a matrix per each).
    """

    model_name: str
    versions: tuple[int, ...]
    attacks: tuple[str, ...]
    cells: tuple[MatrixCell, ...]
    clean_accuracy: Mapping[int, float | None]
    data: str = ""
    datasets: tuple[str, ...] = ()

    def cell(self, attack: str, version: int) -> MatrixCell | None:
        """The cell, or None when that version was not attacked that way."""
        for found in self.cells:
            if found.attack == attack and found.version == version:
                return found
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: versions, attacks, clean accuracy and one row per cell."""
        return {
            "model_name": self.model_name,
            "data": self.data,
            "datasets": list(self.datasets),
            "versions": list(self.versions),
            "attacks": list(self.attacks),
            "clean_accuracy": {str(v): a for v, a in self.clean_accuracy.items()},
            "cells": [
                {
                    "attack": c.attack,
                    "version": c.version,
                    "success_rate": c.success_rate,
                    "accuracy": c.accuracy,
                    "accuracy_drop": c.accuracy_drop,
                    "analysis_id": c.analysis_id,
                }
                for c in self.cells
            ],
        }


def robustness_matrix(
    model_name: str, analyses: Iterable[Any], *, data: str | None = None
) -> RobustnessMatrix:
    """The matrix of ``model_name`` on ``data`` from its adversary analyses, given newest first.

    ``analyses`` are store rows (``summary_json``) or engine wire objects (``summary``); rows
    of another kind or model, and rows without a version, are skipped. Versions are compared
    on the same data only: ``data`` picks it, by default the newest analysis's. Per version
    the newest analysis that ran an attack gives that attack's cell.

    Raises:
        NotFoundError: ``data`` was given and the model was never attacked on it.
    """
    rows = []
    for row in analyses:
        if row.kind != KIND or row.model_name != model_name or row.model_version is None:
            continue
        summary = row.summary if hasattr(row, "summary") else json.loads(row.summary_json)
        rows.append((row, summary, attacked_data(summary)))
    datasets = tuple(dict.fromkeys(found for _, _, found in rows))
    if data is not None and rows and data not in datasets:
        raise NotFoundError(
            f"{model_name} was never attacked on {data!r}; it was on: {', '.join(datasets)}"
        )
    chosen = data if data is not None else (datasets[0] if datasets else "")
    cells: dict[tuple[str, int], MatrixCell] = {}
    clean: dict[int, float | None] = {}
    attacks: list[str] = []
    for row, summary, found in rows:
        if found != chosen:
            continue
        version = int(row.model_version)
        clean.setdefault(version, summary.get("clean_accuracy"))
        for attack, figures in summary.get("attacks", {}).items():
            if attack not in attacks:
                attacks.append(attack)
            cells.setdefault(
                (attack, version),
                MatrixCell(
                    attack=attack,
                    version=version,
                    success_rate=figures.get("success_rate"),
                    accuracy=figures.get("accuracy"),
                    accuracy_drop=figures.get("accuracy_drop"),
                    analysis_id=str(row.id),
                ),
            )
    versions = tuple(sorted(clean))
    ordered = tuple(cells[(a, v)] for a in attacks for v in versions if (a, v) in cells)
    return RobustnessMatrix(
        model_name=model_name,
        versions=versions,
        attacks=tuple(attacks),
        cells=ordered,
        clean_accuracy={v: clean[v] for v in versions},
        data=chosen,
        datasets=datasets,
    )


def attacked_data(summary: Mapping[str, Any]) -> str:
    """What a stored summary's analysis attacked (older summaries name only a task)."""
    return str(summary.get("data") or summary.get("task") or "")


def model_matrix(
    store: Any, model_name: str, *, data: str | None = None, limit: int = 1000
) -> RobustnessMatrix:
    """:func:`robustness_matrix` of ``model_name`` read from a store or an engine client."""
    if hasattr(store, "list_analyses"):
        rows = store.list_analyses(kind=KIND, model_name=model_name, limit=limit)
    else:
        rows = store.analyses(kind=KIND, model_name=model_name, limit=limit)
    return robustness_matrix(model_name, rows, data=data)
