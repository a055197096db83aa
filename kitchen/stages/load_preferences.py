"""Load preference pairs (prompt, chosen, rejected) through the dataset port."""

from __future__ import annotations

from typing import Any

from kitchen.context import RunContext
from kitchen.errors import DataError
from kitchen.preference import from_record
from kitchen.stage import Stage
from kitchen.stages.load_dataset import dataset_spec


class LoadPreferences(Stage):
    """Load the pairs named by the config: shipped, a local file or a hub dataset, mapped by
    ``preference_format`` (``hh-rlhf``, ``ultrafeedback``, ``plain``; auto when empty) or by
    ``dataset_fields``."""

    name = "load_preferences"
    provides = ("preference_train", "preference_eval")
    reads = (
        "dataset",
        "preference_format",
        "dataset_fields",
        "split",
        "eval_split",
        "limit",
        "eval_samples",
        "seed",
    )

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        cfg = ctx.config
        # The renames map preference fields (prompt/chosen/rejected) below, not conversations.
        records = ctx.ports.datasets.load_records(dataset_spec(cfg))
        fields = dict(cfg.dataset_fields) or (cfg.preference_format or None)
        where = records.origin or cfg.dataset
        train = tuple(
            from_record(row, fields, where=f"{where}: training row {i + 1}")
            for i, row in enumerate(records.train)
        )
        held_out = tuple(
            from_record(row, fields, where=f"{where}: held-out row {i + 1}")
            for i, row in enumerate(records.eval)
        )
        if not train:
            raise DataError(f"{cfg.dataset}: no preference pairs to train on")
        ctx.log(
            f"loaded {len(train)} training and {len(held_out)} held-out preference pairs "
            f"from {cfg.dataset}",
            stage=self.name,
        )
        return ctx.evolve(preference_train=train, preference_eval=held_out)
