"""Save the trained model in a loadable layout into the blob store."""

from __future__ import annotations

from typing import Any

from kitchen.context import RunContext
from kitchen.events import ArtifactSaved
from kitchen.stage import Stage
from kitchen.stages.scratch import store_tree


class SaveFinal(Stage):
    """Write the final weights and tokenizer (``from_pretrained`` layout, safetensors)."""

    name = "save_final"
    requires = ("session",)
    provides = ("final_model",)

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        ref = store_tree(ctx, ctx.state.need("session").save_model)
        step = ctx.state.global_step
        ctx.emit(ArtifactSaved(ctx.meta.run_id, "model", "final", ref.sha256, ref.size, step))
        return ctx.evolve(final_model=ref.sha256)
