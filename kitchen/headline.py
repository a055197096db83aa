"""A run's headline metrics, shared by ``kitchen runs``, the TUI and the engine's clients.

Kept free of heavy imports: the terminal UI reads it without loading the store.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping

LOSS_KEY = "train/loss"

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
