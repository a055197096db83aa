"""The ``explain`` recipe end to end (embedded): the analysis is stored with the run's id and
reproduces from its stored spec."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_explain_recipe_stores_a_reproducible_analysis(tmp_path: Path) -> None:
    from kitchen.analysis.xai.persist import reproduce
    from kitchen.launch import run
    from store import open_store

    home = tmp_path / "home"
    outcome = run(
        "explain",
        overrides=["method=shap_linear", "model=sklearn:logistic", "examples=5", "name=lin"],
        home=home,
    )
    assert outcome.error is None, outcome.error
    with open_store(home, background_flush=False, flush_interval_s=None) as store:
        (row,) = store.list_analyses(kind="xai")
        assert row.run_id == outcome.run_id and row.name == "lin"
        assert reproduce(store, row.id).matches
        assert {"xai/max_gap", "xai/examples"} <= set(store.metric_keys(outcome.run_id))


def test_explain_recipe_refuses_a_bad_method(tmp_path: Path) -> None:
    from kitchen.errors import ConfigError
    from kitchen.launch import run

    with pytest.raises(ConfigError, match="method"):
        run("explain", overrides=["method=saliency"], home=tmp_path / "home")
