"""The runner: walks a workflow, emits stage events, checks cancellation, rolls back on failure.

Resume re-enters a workflow at a checkpoint's position: top-level stages before the
checkpoint's loop run again when they rebuild live objects (``on_resume = "replay"``), the loop
restarts at the recorded iteration, stages before the checkpoint in that iteration are skipped
(unless they set the iteration up: ``replay_in_loop``), and the checkpoint stage itself
restores instead of saving.

Pause: when the cancel token asks for one, the runner waits for the next loop boundary (the
first stage of a loop body's iteration, with the checkpoint stage's inputs ready), has the
workflow's checkpoint stage save a *pending* checkpoint there, and stops with
:class:`RunPaused`. Resuming it restores the checkpoint, then runs the stage it stopped before.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from kitchen.context import CancelToken, RunContext
from kitchen.errors import KitchenError, ResumeError, RunPaused
from kitchen.events import StageFailed, StageFinished, StageStarted
from kitchen.stage import Restorable, Stage
from kitchen.workflow import Branch, Loop, Node, Parallel, Step, Workflow

Position = tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class ResumePoint:
    """Where a checkpoint was taken and what it holds."""

    position: Position
    directory: Path
    snapshot: Mapping[str, Any]
    pending: bool = False


def find_restorer(nodes: tuple[Node, ...]) -> Restorable | None:
    """The workflow's checkpoint stage (the first stage that can restore), if it has one."""
    for node in nodes:
        if isinstance(node, Step):
            if isinstance(node.stage, Restorable):
                return node.stage
            continue
        bodies = node.branches if isinstance(node, Parallel) else (node.body,)
        for body in bodies:
            found = find_restorer(body)
            if found is not None:
                return found
    return None


class Runner:
    """Executes one workflow for one run."""

    def __init__(self, workflow: Workflow, *, cancel: CancelToken | None = None) -> None:
        self.workflow = workflow
        self.cancel = cancel or CancelToken()
        self._completed: list[Stage] = []
        self._failed: Stage | None = None
        self._last: RunContext[Any] | None = None
        self._restorer = find_restorer(workflow)
        self._open_loops: list[Loop] = []  # the loops around the stage running now
        # While resuming, stages replayed before the checkpoint is restored must not pause.
        self._restoring = False

    @property
    def last_context(self) -> RunContext[Any] | None:
        """The context after the last stage that finished (for reporting a failed run)."""
        return self._last

    def run(self, ctx: RunContext[Any], resume: ResumePoint | None = None) -> RunContext[Any]:
        """Run the workflow to the end and return the final context.

        Raises:
            RunCancelled: when the cancel token was set at a stage boundary.
            KitchenError: from a stage, with ``stage`` and ``run_id`` filled in.
        """
        self._last = ctx
        self._restoring = resume is not None
        try:
            return self._nodes(self.workflow, ctx, (), resume)
        except BaseException as error:
            self._rollback(error)
            raise

    # -- walking -------------------------------------------------------------------------

    def _nodes(
        self,
        nodes: tuple[Node, ...],
        ctx: RunContext[Any],
        prefix: Position,
        resume: ResumePoint | None,
    ) -> RunContext[Any]:
        target = resume.position[0] if resume else None
        for index, node in enumerate(nodes):
            if resume is not None and target is not None:
                if index < target[0]:
                    if isinstance(node, Step) and (
                        (not prefix and node.stage.on_resume == "replay")
                        or (prefix and node.stage.replay_in_loop)
                    ):
                        ctx = self._step(node.stage, ctx, (*prefix, (index, -1)))
                    continue
                if index == target[0]:
                    ctx = self._reenter(node, ctx, (*prefix, target), resume)
                    resume = None
                    continue
            ctx = self._node(node, ctx, (*prefix, (index, -1)))
        return ctx

    def _reenter(
        self, node: Node, ctx: RunContext[Any], position: Position, resume: ResumePoint
    ) -> RunContext[Any]:
        rest = replace(resume, position=resume.position[1:])
        if isinstance(node, Step):
            restorer = self._restorer if resume.pending else node.stage
            if not isinstance(restorer, Restorable):
                raise ResumeError(f"stage '{node.name}' cannot restore a checkpoint")
            ctx = restorer.restore(
                replace(ctx, position=position), resume.directory, resume.snapshot
            )
            self._restoring = False
            self._last = ctx
            if resume.pending:  # a pause checkpoint: it was taken before this stage ran
                ctx = self._step(node.stage, ctx, position)
            return ctx
        if isinstance(node, Loop):
            start = position[-1][1]
            return self._loop(node, ctx, position[:-1], position[-1][0], start, rest)
        if isinstance(node, Branch):
            return self._nodes(node.body, ctx, position, rest if rest.position else None)
        raise ResumeError(f"cannot resume inside parallel block '{node.name}'")

    def _node(self, node: Node, ctx: RunContext[Any], position: Position) -> RunContext[Any]:
        if isinstance(node, Step):
            return self._step(node.stage, ctx, position)
        if isinstance(node, Loop):
            return self._loop(node, ctx, position[:-1], position[-1][0], 0, None)
        if isinstance(node, Branch):
            if node.when(ctx):
                return self._nodes(node.body, ctx, position, None)
            return ctx
        return self._parallel(node, ctx, position)

    def _loop(
        self,
        node: Loop,
        ctx: RunContext[Any],
        prefix: Position,
        index: int,
        start: int,
        resume: ResumePoint | None,
    ) -> RunContext[Any]:
        outer_loops = ctx.loops
        count = node.over(ctx)
        self._open_loops.append(node)
        try:
            for iteration in range(start, count):
                ctx = replace(ctx, loops=(*outer_loops, (node.name, iteration)))
                inner = resume if (iteration == start and resume and resume.position) else None
                ctx = self._nodes(node.body, ctx, (*prefix, (index, iteration)), inner)
        finally:
            self._open_loops.pop()
        return replace(ctx, loops=outer_loops)

    def _parallel(
        self, node: Parallel, ctx: RunContext[Any], position: Position
    ) -> RunContext[Any]:
        def run_branch(branch: tuple[Node, ...]) -> RunContext[Any]:
            return self._nodes(branch, ctx, position, None)

        with ThreadPoolExecutor(max_workers=len(node.branches)) as pool:
            results = list(pool.map(run_branch, node.branches))
        # Each branch may only set the fields it provides (validated up front): merge those.
        merged = ctx.state
        for result in results:
            changes = {
                f.name: getattr(result.state, f.name)
                for f in fields(result.state)
                if getattr(result.state, f.name) is not getattr(ctx.state, f.name)
            }
            merged = replace(merged, **changes)
        return replace(ctx, state=merged)

    def _step(self, stage: Stage, ctx: RunContext[Any], position: Position) -> RunContext[Any]:
        self.cancel.check()
        if self.cancel.pausing and self._pausable(ctx, position):
            self._pause(ctx, position)
        run_id = ctx.meta.run_id
        path = "/".join([*(f"{n}[{i}]" for n, i in ctx.loops), stage.name])
        depth = len(ctx.loops)
        ctx.bus.emit(StageStarted(run_id, stage.name, path, depth))
        started = time.perf_counter()
        ctx = replace(ctx, position=position)
        try:
            stage.validate(ctx)
            ctx = stage.run(ctx)
        except BaseException as error:
            if isinstance(error, KitchenError):
                error.stage = error.stage or stage.name
                error.run_id = error.run_id or run_id
            ctx.bus.emit(
                StageFailed(run_id, stage.name, path, depth, type(error).__name__, str(error))
            )
            self._failed = stage
            raise
        ctx.bus.emit(StageFinished(run_id, stage.name, path, depth, time.perf_counter() - started))
        if stage not in self._completed:
            self._completed.append(stage)
        self._last = ctx
        return ctx

    def _pausable(self, ctx: RunContext[Any], position: Position) -> bool:
        # The first stage of a loop iteration: nothing of the iteration has run, so a
        # checkpoint here loses nothing (mid-iteration, gradients or a batch would be lost).
        if self._restorer is None or self._restoring or len(position) < 2:
            return False
        if position[-1][0] != 0 or position[-2][1] < 0:
            return False
        if self._open_loops and not self._open_loops[-1].pausable:
            return False
        requires = getattr(self._restorer, "requires", ())
        return all(getattr(ctx.state, name, None) is not None for name in requires)

    def _pause(self, ctx: RunContext[Any], position: Position) -> None:
        restorer = self._restorer
        assert restorer is not None  # checked by _pausable
        run_id = ctx.meta.run_id
        path = "/".join([*(f"{n}[{i}]" for n, i in ctx.loops), restorer.name])
        depth = len(ctx.loops)
        ctx.bus.emit(StageStarted(run_id, restorer.name, path, depth))
        started = time.perf_counter()
        ctx = restorer.save(replace(ctx, position=position), pending=True)
        ctx.bus.emit(
            StageFinished(run_id, restorer.name, path, depth, time.perf_counter() - started)
        )
        self._last = ctx
        raise RunPaused(
            f"{self.cancel.reason}; resume it from step {ctx.state.global_step}", run_id=run_id
        )

    def _rollback(self, error: BaseException) -> None:
        ctx = self._last
        if ctx is None:
            return
        failed = self._failed
        order = ([failed] if failed is not None else []) + [
            s for s in reversed(self._completed) if s is not failed
        ]
        for stage in order:
            try:
                stage.rollback(ctx, error)
            except Exception as rollback_error:  # keep rolling back the rest; say so
                ctx.log(
                    f"rollback of '{stage.name}' failed: {rollback_error}",
                    level="warning",
                    stage=stage.name,
                )
