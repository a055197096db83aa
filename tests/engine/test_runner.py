"""The runner: order, loops, branches, parallel merge, events, rollback, cancel, resume."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kitchen.context import CancelToken, RunContext
from kitchen.errors import DataError, RunCancelled, RunPaused
from kitchen.events import Event, StageFailed, StageFinished, StageStarted
from kitchen.runner import ResumePoint, Runner
from kitchen.stage import Stage
from kitchen.workflow import Branch, Loop, Parallel, Step

from .helpers import Boom, Count, SetField, Snapshot, make_ctx


def test_loops_expose_their_index_and_run_in_order() -> None:
    journal: list[str] = []
    inner = Count("inner", journal)
    wf = (
        Step(Count("setup", journal)),
        Loop("epochs", lambda c: 2, (Loop("batches", lambda c: 2, (Step(inner),)),)),
    )
    out = Runner(wf).run(make_ctx())
    assert out.state.global_step == 5
    assert journal == [
        "setup:()",
        "inner:(('epochs', 0), ('batches', 0))",
        "inner:(('epochs', 0), ('batches', 1))",
        "inner:(('epochs', 1), ('batches', 0))",
        "inner:(('epochs', 1), ('batches', 1))",
    ]
    assert out.loops == ()


def test_branch_runs_only_when_true() -> None:
    wf = (
        Branch("yes", lambda c: True, (Step(Count("a")),)),
        Branch("no", lambda c: False, (Step(Count("b")),)),
    )
    assert Runner(wf).run(make_ctx()).state.global_step == 1


def test_parallel_merges_disjoint_fields() -> None:
    wf = (
        Parallel(
            "p",
            (
                (Step(SetField("a", "final_model", "weights")),),
                (Step(SetField("b", "last_checkpoint", "ckpt")),),
            ),
        ),
    )
    out = Runner(wf).run(make_ctx())
    assert out.state.final_model == "weights"
    assert out.state.last_checkpoint == "ckpt"


def test_events_surround_each_stage_with_paths() -> None:
    events: list[Event] = []
    wf = (Loop("epochs", lambda c: 1, (Step(Count("a")),)),)
    Runner(wf).run(make_ctx(events=events))
    started = [e for e in events if isinstance(e, StageStarted)]
    finished = [e for e in events if isinstance(e, StageFinished)]
    assert [e.path for e in started] == ["epochs[0]/a"]
    assert finished[0].depth == 1 and finished[0].duration_s >= 0


def test_failure_rolls_back_completed_stages_and_names_the_stage() -> None:
    events: list[Event] = []
    first = Count("first")
    wf = (Step(first), Step(Boom(DataError("bad row on line 3"))))
    with pytest.raises(DataError) as info:
        Runner(wf).run(make_ctx(events=events))
    assert info.value.stage == "boom"
    assert info.value.run_id == "run-test"
    assert first.rolled_back
    failed = [e for e in events if isinstance(e, StageFailed)]
    assert failed and failed[0].message == "bad row on line 3"


def test_cancel_stops_at_the_next_stage_boundary() -> None:
    token = CancelToken()
    journal: list[str] = []

    class CancelAfter(Stage):
        name = "cancel_after"

        def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
            token.cancel("test")
            return ctx

    wf = (Step(Count("a", journal)), Step(CancelAfter()), Step(Count("b", journal)))
    with pytest.raises(RunCancelled):
        Runner(wf, cancel=token).run(make_ctx())
    assert journal == ["a:()"]


def test_resume_replays_setup_skips_done_work_and_restores() -> None:
    journal: list[str] = []
    setup = Count("setup", journal)
    snap = Snapshot()
    step = Count("step", journal)
    skipped = Count("skip_me", journal)
    skipped.on_resume = "skip"
    wf = (
        Step(setup),
        Step(skipped),
        Loop("epochs", lambda c: 3, (Step(step), Step(snap), Step(Count("after", journal)))),
    )
    full = Runner(wf).run(make_ctx())
    # Take the checkpoint recorded in epoch 1 and resume from it.
    position, snapshot = snap.saved[1]
    journal.clear()
    resumed = Runner(wf).run(make_ctx(), ResumePoint(position, Path("."), snapshot))
    assert snap.restored_from == snapshot
    assert journal == [
        "setup:()",
        "after:(('epochs', 1),)",
        "step:(('epochs', 2),)",
        "after:(('epochs', 2),)",
    ]
    assert resumed.state.global_step == full.state.global_step


def _nested_workflow(
    journal: list[str],
    snap: Snapshot,
    pause_at: tuple[int, int] | None = None,
    token: CancelToken | None = None,
) -> tuple[Any, ...]:
    """epochs[3] x (set_up, batches[4] x (fetch, learn), snapshot) with a pause request."""

    class PauseWhen(Count):
        def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
            ctx = super().run(ctx)
            here = (ctx.loop_index("epochs"), ctx.loop_index("batches"))
            if token is not None and pause_at == here:
                token.pause("test pause")
            return ctx

    set_up = Count("set_up", journal)
    set_up.replay_in_loop = True
    return (
        Step(Count("setup", journal)),
        Loop(
            "epochs",
            lambda c: 3,
            (
                Step(set_up),
                Loop(
                    "batches",
                    lambda c: 4,
                    (Step(Count("fetch", journal)), Step(PauseWhen("learn", journal))),
                ),
                Step(snap),
            ),
        ),
    )


def test_pause_checkpoints_at_the_next_loop_iteration_and_resume_goes_on_exactly() -> None:
    straight: list[str] = []
    full = Runner(_nested_workflow(straight, Snapshot())).run(make_ctx())

    journal: list[str] = []
    snap = Snapshot()
    token = CancelToken()
    wf = _nested_workflow(journal, snap, pause_at=(1, 2), token=token)
    with pytest.raises(RunPaused, match="test pause"):
        Runner(wf, cancel=token).run(make_ctx())
    # Batch 2 of epoch 1 finished (fetch and learn); nothing of batch 3 ran.
    assert journal[-2:] == [
        "fetch:(('epochs', 1), ('batches', 2))",
        "learn:(('epochs', 1), ('batches', 2))",
    ]
    assert snap.pending[-1] is True
    position, snapshot = snap.saved[-1]
    assert position == ((1, 1), (1, 3), (0, -1))

    before = list(journal)
    journal.clear()
    resumed = Runner(_nested_workflow(journal, snap)).run(
        make_ctx(), ResumePoint(position, Path("."), snapshot, pending=True)
    )
    # Setup and the epoch's set-up replay; then batch 3 of epoch 1 and the rest, once each.
    assert journal[:2] == ["setup:()", "set_up:(('epochs', 1),)"]
    assert before + journal[2:] == straight
    # The replays' counts are overwritten by the restored snapshot: the step count is unbroken.
    assert resumed.state.global_step == full.state.global_step


def test_pause_waits_for_a_loop_boundary_and_a_ready_checkpoint_stage() -> None:
    journal: list[str] = []
    snap = Snapshot()
    token = CancelToken()
    token.pause("early")
    # Requested before anything ran: the top-level setup is no loop boundary, so the first
    # pause point is the first stage of epoch 0.
    with pytest.raises(RunPaused):
        Runner(_nested_workflow(journal, snap), cancel=token).run(make_ctx())
    assert journal == ["setup:()"]
    assert snap.saved[-1][0] == ((1, 0), (0, -1))


def test_a_workflow_without_a_checkpoint_stage_runs_on_when_asked_to_pause() -> None:
    token = CancelToken()
    token.pause()
    journal: list[str] = []
    wf = (Loop("epochs", lambda c: 2, (Step(Count("a", journal)),)),)
    Runner(wf, cancel=token).run(make_ctx())
    assert journal == ["a:(('epochs', 0),)", "a:(('epochs', 1),)"]


def test_cancel_wins_over_a_pending_pause() -> None:
    token = CancelToken()
    token.pause()
    token.cancel("stop")
    with pytest.raises(RunCancelled):
        Runner(_nested_workflow([], Snapshot()), cancel=token).run(make_ctx())
