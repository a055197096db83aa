"""How a run is shown, the same in ``kitchen runs``, the TUI and the dashboard: its short id
and its headline metrics.

Kept free of heavy imports: the terminal UI reads it without loading the store.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping

SHORT_ID_LEN = 12
"""Run ids start with 12 hex digits of milliseconds (``store.ids``): fewer would be shared by
every run made within the same minute or so, so 12 is the shortest prefix unique in practice."""

LOSS_KEY = "train/loss"


def short_id(run_id: str) -> str:
    """The run id's first :data:`SHORT_ID_LEN` characters, a prefix every command accepts."""
    return run_id[:SHORT_ID_LEN]


HEADLINE_EVAL_KEYS = (
    "eval/exact_match",
    "eval/preference_accuracy",
    "eval/correct",
    "eval/reward_mean",
    "eval/reverse_kl",
    "eval/accuracy",
    "eval/*/accuracy",
)
"""A run's headline held-out metric is the first of these it has: SFT, DPO, RL and
distillation runs report different ones, ``classify`` runs ``eval/accuracy`` on their test
split, and ``eval`` runs (or ``eval_task=``) report ``eval/<task>/accuracy``. A key with a
``*`` is a glob pattern, which the store's ``last_values`` understands too."""


def headline_eval(metrics: Mapping[str, float]) -> tuple[str, float] | None:
    """The headline held-out metric in ``metrics`` as ``(key, value)``, or ``None``.

    ``metrics`` is any mapping of metric names to values (a runs-table row's summary, or the
    live values from the event stream); a pattern matches the alphabetically first key.
    """
    for wanted in HEADLINE_EVAL_KEYS:
        if "*" not in wanted:
            if wanted in metrics:
                return wanted, metrics[wanted]
            continue
        matches = sorted(key for key in metrics if fnmatch.fnmatchcase(key, wanted))
        if matches:
            return matches[0], metrics[matches[0]]
    return None
