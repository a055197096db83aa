"""The frozen reference of preference training: cached log-probs, or a model kept alive."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from kitchen.context import RunContext
from kitchen.ports.training import TrainingSession
from kitchen.stage import Stage
from kitchen.stages.init_session import session_spec
from kitchen.types import Datum

CHUNK = 64


def with_reference_logprobs(
    reference: TrainingSession, data: Sequence[Datum], chunk: int = CHUNK
) -> tuple[Datum, ...]:
    """``data`` with ``extras["ref_logprob"]``: each sequence's summed target log-probability
    under ``reference``."""
    out: list[Datum] = []
    for start in range(0, len(data), chunk):
        part = data[start : start + chunk]
        for datum, row in zip(part, reference.logprobs(part), strict=True):
            out.append(replace(datum, extras={**datum.extras, "ref_logprob": float(sum(row))}))
    return tuple(out)


class PrepareReference(Stage):
    """Fix DPO's reference: the starting weights.

    ``reference=cached`` scores every training and held-out sequence once now, so training
    needs no second model; on resume this runs again before the checkpoint is restored, i.e.
    on the same starting weights, so the cache comes out the same. ``reference=model`` loads a
    second, frozen copy of the starting model instead, which scores each batch as training goes
    (more memory and time per step, no start-up pass).
    """

    name = "prepare_reference"
    requires = ("session", "train_data", "eval_data")
    provides = ("train_data", "eval_data", "reference")
    reads = ("reference",)

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        started = time.perf_counter()
        if ctx.config.reference == "model":
            reference = ctx.ports.backend.start_session(session_spec(ctx))
            held_out = with_reference_logprobs(reference, ctx.state.need("eval_data"))
            ctx.log(f"frozen reference model on {reference.device}", stage=self.name)
            return ctx.evolve(reference=reference, eval_data=held_out)
        session = ctx.state.need("session")
        train = with_reference_logprobs(session, ctx.state.need("train_data"))
        held_out = with_reference_logprobs(session, ctx.state.need("eval_data"))
        ctx.log(
            f"cached reference log-probs of {len(train) + len(held_out)} sequences in "
            f"{time.perf_counter() - started:.1f}s",
            stage=self.name,
        )
        return ctx.evolve(train_data=train, eval_data=held_out)

    def rollback(self, ctx: RunContext[Any], error: BaseException) -> None:
        if ctx.state.reference is not None:
            ctx.state.reference.close()


class ScoreBatchWithReference(Stage):
    """Put the reference model's log-probs on the current batch (``reference=model``)."""

    name = "score_with_reference"
    requires = ("reference", "current_batch")
    provides = ("current_batch",)

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        batch = ctx.state.need("current_batch")
        scored = with_reference_logprobs(ctx.state.need("reference"), batch, chunk=len(batch))
        return ctx.evolve(current_batch=scored)
