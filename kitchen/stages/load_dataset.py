"""Load the training and held-out examples through the dataset port."""

from __future__ import annotations

from typing import Any

from kitchen.context import RunContext
from kitchen.ports.dataset import DatasetSpec
from kitchen.stage import Stage


def dataset_spec(cfg: Any) -> DatasetSpec:
    """The dataset a run's config names: source, splits, field renames, limits and seed."""
    return DatasetSpec(
        source=cfg.dataset,
        split=cfg.split,
        eval_split=cfg.eval_split,
        fields=dict(cfg.dataset_fields),
        limit=cfg.limit,
        eval_limit=cfg.eval_samples,
        seed=cfg.seed,
    )


class LoadDataset(Stage):
    """Load the dataset named by the config (shipped, local file or hub)."""

    name = "load_dataset"
    provides = ("dataset",)
    reads = ("dataset", "dataset_fields", "split", "eval_split", "limit", "eval_samples", "seed")

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        cfg = ctx.config
        dataset = ctx.ports.datasets.load(dataset_spec(cfg))
        ctx.log(
            f"loaded {len(dataset.train)} training and {len(dataset.eval)} held-out examples "
            f"from {cfg.dataset}",
            stage=self.name,
        )
        return ctx.evolve(dataset=dataset)
