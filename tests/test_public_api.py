"""The public API is small, pinned, and cheap to import."""

from __future__ import annotations

import subprocess
import sys

import kitchen

PINNED = {
    "Branch",
    "CancelToken",
    "KitchenError",
    "Loop",
    "Parallel",
    "Recipe",
    "RunContext",
    "RunOutcome",
    "Stage",
    "Step",
    "get_recipe",
    "recipe_names",
    "run",
    "__version__",
}


def test_all_is_pinned() -> None:
    assert set(kitchen.__all__) == PINNED
    for name in PINNED:
        assert getattr(kitchen, name) is not None


def test_import_kitchen_and_store_stay_light() -> None:
    code = (
        "import sys, kitchen, store, kitchen.recipes, kitchen.cli.main; "
        "kitchen.get_recipe('sft'); "
        "print(','.join(m for m in ('torch', 'transformers', 'textual', 'streamlit', 'datasets') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_errors_inherit_the_builtin_they_replace() -> None:
    from kitchen import errors

    assert issubclass(errors.ConfigError, ValueError)
    assert issubclass(errors.DataError, ValueError)
    assert issubclass(errors.HubError, ConnectionError)
    codes = [
        cls.exit_code
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.KitchenError)
    ]
    assert len(codes) == len(set(codes)), "each error kind has its own exit code"
