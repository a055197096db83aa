"""Save what resume needs, and put a run back where a checkpoint was taken."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from kitchen.context import RunContext
from kitchen.events import ArtifactSaved
from kitchen.stage import Stage
from kitchen.stages.scratch import store_tree


class SaveCheckpoint(Stage):
    """Snapshot weights, optimiser, RNG and the plain run state into the blob store."""

    name = "checkpoint"
    requires = ("session",)
    provides = ("last_checkpoint",)

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        return self.save(ctx)

    def save(self, ctx: RunContext[Any], *, pending: bool = False) -> RunContext[Any]:
        """Write a checkpoint at ``ctx.position``.

        Args:
            ctx: The run, with ``position`` where resume re-enters.
            pending: A pause checkpoint: the stage at ``position`` has not run yet, so resume
                restores and then runs it (instead of restoring in place of this stage).
        """
        ref = store_tree(ctx, ctx.state.need("session").save_state)
        ctx = ctx.evolve(last_checkpoint=ref.sha256)
        step = ctx.state.global_step
        # A checkpoint is a durability point: every metric up to it must be on disk, so that a
        # run killed later resumes here with an unbroken history.
        ctx.ports.metrics.flush()
        ctx.emit(
            ArtifactSaved(
                ctx.meta.run_id,
                "checkpoint",
                f"step-{step}",
                ref.sha256,
                ref.size,
                step,
                meta={
                    "position": [list(p) for p in ctx.position],
                    "state": ctx.state.snapshot(),
                    "pending": pending,
                },
            )
        )
        what = "pause checkpoint" if pending else "checkpoint"
        ctx.log(f"{what} at step {step}", stage=self.name)
        return ctx

    def restore(
        self, ctx: RunContext[Any], directory: Path, snapshot: Mapping[str, Any]
    ) -> RunContext[Any]:
        """Load the saved session state and the snapshot instead of saving anew."""
        ctx.state.need("session").load_state(directory)
        ctx = replace(ctx, state=ctx.state.restored(snapshot))
        ctx.log(f"resumed from the checkpoint at step {ctx.state.global_step}", stage=self.name)
        return ctx
