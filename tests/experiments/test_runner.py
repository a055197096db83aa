"""The runner's state machine against a scripted fake engine: retries with exponential
backoff, dead letters, refused submissions, max_parallel, and resuming from the store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kitchen.experiments.plan import expand
from kitchen.experiments.runner import (
    DeadLettered,
    ExperimentRunner,
    Finished,
    Resumed,
    RetryScheduled,
    RunnerEvent,
    Submitted,
)
from kitchen.experiments.source import EngineSource
from kitchen.experiments.spec import parse_spec
from tests.experiments.fakes import FakeClock, FakeEngine


def _spec(**kw: Any) -> Any:
    data = {
        "name": "exp",
        "recipe": "sft",
        "conditions": [{"name": "low", "learning_rate": 3e-4}, {"name": "high"}],
        "seeds": [0, 1],
        "retries": 2,
        "backoff_s": 5,
        "max_backoff_s": 60,
        **kw,
    }
    return parse_spec(data)


def _runner(
    spec: Any, engine: FakeEngine, clock: FakeClock, events: list[RunnerEvent]
) -> ExperimentRunner:
    return ExperimentRunner(
        spec,
        expand(spec),
        EngineSource(engine, Path("/nowhere")),  # type: ignore[arg-type]
        engine,
        clock=clock,
        sleep=clock.sleep,
        poll_s=1.0,
        on_event=events.append,
    )


def test_failures_are_retried_with_exponential_backoff_until_success() -> None:
    spec = _spec()
    engine = FakeEngine(
        script={
            ("low", 0, 1): ("failed", "TrainingError", "NaN loss"),
            ("low", 0, 2): ("interrupted", "", "worker died"),
            ("low", 0, 3): ("succeeded", 0.9, 12.0),
        }
    )
    clock, events = FakeClock(), []
    result = _runner(spec, engine, clock, events).run()

    assert result.finished and result.count("succeeded") == 4 and not result.dead
    assert [n for n in engine.submitted if n.startswith("low@s0")] == [
        "low@s0#1",
        "low@s0#2",
        "low@s0#3",
    ]
    retries = [e for e in events if isinstance(e, RetryScheduled)]
    assert [(r.attempt, r.delay_s) for r in retries] == [(2, 5.0), (3, 10.0)]
    assert retries[0].error == "TrainingError: NaN loss"
    # The runner waited out each backoff in full before resubmitting (no real sleeping).
    assert sum(clock.sleeps) >= 15.0


def test_exhausted_retries_go_to_the_dead_letter_with_every_error() -> None:
    spec = _spec(retries=1)
    engine = FakeEngine(
        script={
            ("high", 1, 1): ("failed", "TrainingError", "first"),
            ("high", 1, 2): ("failed", "TrainingError", "second"),
        }
    )
    clock, events = FakeClock(), []
    result = _runner(spec, engine, clock, events).run()

    assert result.finished and result.count("succeeded") == 3
    [dead] = result.dead
    assert (dead.condition, dead.seed) == ("high", 1)
    assert [a.error for a in dead.attempts] == ["TrainingError: first", "TrainingError: second"]
    assert "failed 2 times" in dead.reason
    assert any(isinstance(e, DeadLettered) and e.seed == 1 for e in events)
    assert len(engine.submitted) == 5


def test_config_errors_and_cancellations_are_not_retried() -> None:
    spec = _spec(retries=3)
    engine = FakeEngine(
        script={
            ("low", 0, 1): ("failed", "ConfigError", "dataset: no such file"),
            ("low", 1, 1): ("cancelled", "RunCancelled", "cancelled by a person"),
        }
    )
    clock, events = FakeClock(), []
    result = _runner(spec, engine, clock, events).run()

    assert {(s.condition, s.seed) for s in result.dead} == {("low", 0), ("low", 1)}
    assert not any(isinstance(e, RetryScheduled) for e in events)
    assert len(engine.submitted) == 4


def test_a_refused_submission_is_dead_lettered_and_the_rest_runs() -> None:
    spec = _spec()
    engine = FakeEngine(refuse={"high"})
    result = _runner(spec, engine, FakeClock(), []).run()
    assert result.finished and result.count("succeeded") == 2
    assert set(result.refused) == {("high", 0), ("high", 1)}
    assert "ConfigError" in result.refused[("high", 0)]


def test_max_parallel_caps_the_runs_in_the_queue() -> None:
    spec = _spec(max_parallel=1, seeds=[0, 1, 2])
    engine = FakeEngine()
    result = _runner(spec, engine, FakeClock(), []).run()
    assert result.count("succeeded") == 6
    assert engine.max_active_seen == 1


def test_resume_skips_successes_follows_active_runs_and_retries_failures() -> None:
    spec = _spec(retries=2)
    engine = FakeEngine()
    engine.add("low@s0#1", "exp", "succeeded", value=0.8, duration_s=5.0)
    engine.add("low@s1#1", "exp", "failed", error_type="TrainingError", error_message="x")
    engine.add("high@s0#1", "exp", "failed", error_type="TrainingError", error_message="x")
    engine.add("high@s0#2", "exp", "failed", error_type="TrainingError", error_message="y")
    engine.add("high@s0#3", "exp", "failed", error_type="TrainingError", error_message="z")
    running = engine.add("high@s1#1", "exp", "running")
    engine.runs_[running].looks = 0  # ends at the next looks
    engine.add("low@s0#1", "other-exp", "failed", error_type="TrainingError")  # not ours
    clock, events = FakeClock(), []
    result = _runner(spec, engine, clock, events).run()

    # Only the failed low@s1 is resubmitted, as attempt 2, at once (no backoff on resume).
    assert engine.submitted == ["low@s1#2"]
    retry = next(e for e in events if isinstance(e, RetryScheduled))
    assert (retry.condition, retry.seed, retry.attempt, retry.delay_s) == ("low", 1, 2, 0.0)
    assert [s.state for s in result.slots] == ["succeeded", "succeeded", "dead", "succeeded"]
    assert any(isinstance(e, Finished) and e.run.run_id == running for e in events)


def test_detach_queues_and_returns() -> None:
    spec = _spec()
    engine = FakeEngine(hold=10)
    events: list[RunnerEvent] = []
    result = _runner(spec, engine, FakeClock(), events).run(follow=False)
    assert not result.finished
    assert len([e for e in events if isinstance(e, Submitted)]) == 4


def test_keyboard_interrupt_leaves_runs_queued() -> None:
    spec = _spec()
    engine = FakeEngine(hold=100)
    clock = FakeClock()

    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    runner = _runner(spec, engine, clock, [])
    runner.sleep = interrupt
    with pytest.raises(KeyboardInterrupt):
        runner.run()
    assert all(r.status in ("queued", "running") for r in engine.runs_.values())


def test_an_interrupted_run_with_a_checkpoint_goes_on_from_it() -> None:
    spec = _spec()
    engine = FakeEngine(
        script={
            ("low", 0, 1): ("interrupted", "", "the engine was killed"),
            ("high", 1, 1): ("failed", "WorkerDied", "the worker exited with code -9"),
        },
        checkpointed={("low", 0, 1), ("high", 1, 1)},
        after_resume={("low", 0, 1, 1): ("succeeded", 0.75, 30.0)},
    )
    clock, events = FakeClock(), []
    result = _runner(spec, engine, clock, events).run()

    assert result.finished and result.count("succeeded") == 4 and not result.dead
    # The same runs went on; no second attempt was submitted for either.
    assert sorted(engine.submitted) == ["high@s0#1", "high@s1#1", "low@s0#1", "low@s1#1"]
    interrupted = {engine.runs_[r].name for r in engine.resumed}
    assert interrupted == {"low@s0#1", "high@s1#1"}
    resumed = [e for e in events if isinstance(e, Resumed)]
    assert {(e.condition, e.seed, e.attempt) for e in resumed} == {("low", 0, 1), ("high", 1, 1)}
    scheduled = [e for e in events if isinstance(e, RetryScheduled)]
    assert all(e.resume_run is not None and e.delay_s == 5.0 for e in scheduled)
    low = next(s for s in result.slots if (s.condition, s.seed) == ("low", 0))
    assert low.latest is not None and low.latest.metrics == {"eval/exact_match": 0.75}


def test_resumes_use_up_the_retry_budget() -> None:
    spec = _spec(retries=2)
    engine = FakeEngine(
        script={("low", 0, 1): ("interrupted", "", "killed")},
        checkpointed={("low", 0, 1)},
        after_resume={
            ("low", 0, 1, 1): ("interrupted", "", "killed again"),
            ("low", 0, 1, 2): ("interrupted", "", "and again"),
        },
    )
    clock, events = FakeClock(), []
    result = _runner(spec, engine, clock, events).run()

    [dead] = result.dead
    assert (dead.condition, dead.seed) == ("low", 0)
    assert len(engine.resumed) == 2 and "failed 3 times" in dead.reason
    assert [n for n in engine.submitted if n.startswith("low@s0")] == ["low@s0#1"]
    delays = [e.delay_s for e in events if isinstance(e, RetryScheduled)]
    assert delays == [5.0, 10.0]  # backoff grows with each resume


def test_the_resume_count_is_read_from_the_store_when_the_runner_starts_again() -> None:
    spec = _spec(retries=1)
    engine = FakeEngine(
        script={("low", 0, 1): ("interrupted", "", "killed")},
        checkpointed={("low", 0, 1)},
        after_resume={("low", 0, 1, 1): ("interrupted", "", "killed again")},
        hold=100,
    )
    clock = FakeClock()
    first = _runner(spec, engine, clock, [])

    def end_every_run() -> None:
        for run in engine.runs_.values():
            run.looks = 99  # ends at the next look
        clock.now += 1000.0  # past any backoff

    first.submit_due(first.look())  # all four queued
    end_every_run()
    first.look()  # low@s0#1 interrupted: a resume is scheduled after the backoff
    clock.now += 1000.0
    first.submit_due(first.look())  # ...and asked for
    assert len(engine.resumed) == 1
    end_every_run()
    first.look()  # interrupted again; this runner stops here (a person pressed ^C)

    events: list[RunnerEvent] = []
    engine.hold = 2
    result = _runner(spec, engine, clock, events).run()  # `kitchen experiment run` again
    low = next(s for s in result.slots if (s.condition, s.seed) == ("low", 0))
    assert low.state == "dead" and "failed 2 times" in low.reason
    assert len(engine.resumed) == 1 and not any(isinstance(e, Resumed) for e in events)


def test_a_run_the_engine_will_not_resume_is_started_again() -> None:
    spec = _spec()
    engine = FakeEngine(
        script={("low", 0, 1): ("interrupted", "", "killed")},
        checkpointed={("low", 0, 1)},
    )
    interrupted = "run001"  # the first submission
    engine.refuse_resume.add(interrupted)
    clock, events = FakeClock(), []
    result = _runner(spec, engine, clock, events).run()

    assert result.finished and not result.dead
    assert [n for n in engine.submitted if n.startswith("low@s0")] == ["low@s0#1", "low@s0#2"]
    fallback = [e for e in events if isinstance(e, RetryScheduled) and e.resume_refused]
    assert len(fallback) == 1 and fallback[0].attempt == 2
    assert fallback[0].resume_refused is not None and interrupted in fallback[0].resume_refused


def test_a_resume_that_never_takes_falls_back_to_a_fresh_attempt() -> None:
    spec = _spec()
    engine = FakeEngine(
        script={("low", 0, 1): ("interrupted", "", "killed")},
        checkpointed={("low", 0, 1)},
    )
    real_resume = engine.resume

    def resume_without_a_trace(run_id: str, *, priority: int = 0) -> object:
        out = real_resume(run_id, priority=priority)
        run = engine.runs_[run_id]
        run.logs.pop()  # its worker died before logging that it went on from the checkpoint
        run.resumes -= 1  # ...so it ends the way it did before
        return out

    engine.resume = resume_without_a_trace  # type: ignore[method-assign]
    clock, events = FakeClock(), []
    result = _runner(spec, engine, clock, events).run()

    assert result.finished and not result.dead  # no endless resume loop
    assert [n for n in engine.submitted if n.startswith("low@s0")] == ["low@s0#1", "low@s0#2"]
    assert len(engine.resumed) == 1
    fallback = [e for e in events if isinstance(e, RetryScheduled) and e.resume_refused]
    assert len(fallback) == 1 and "ended again" in (fallback[0].resume_refused or "")
