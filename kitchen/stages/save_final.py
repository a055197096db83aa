"""Save the trained model in a loadable layout into the blob store."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from kitchen.context import RunContext
from kitchen.events import ArtifactSaved
from kitchen.stage import Stage


class SaveFinal(Stage):
    """Write the final weights and tokenizer (``from_pretrained`` layout, safetensors)."""

    name = "save_final"
    requires = ("session",)
    provides = ("final_model",)

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        scratch = ctx.meta.home / "tmp"
        scratch.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=scratch) as tmp:
            ctx.state.need("session").save_model(Path(tmp))
            ref = ctx.ports.blobs.put_tree(Path(tmp))
        step = ctx.state.global_step
        ctx.emit(ArtifactSaved(ctx.meta.run_id, "model", "final", ref.sha256, ref.size, step))
        return ctx.evolve(final_model=ref.sha256)
