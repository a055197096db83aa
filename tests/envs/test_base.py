"""The env interface: single-turn problem envs, GRPO groups, seeded batches, the registry."""

from __future__ import annotations

import pytest

from kitchen.envs import (
    Env,
    EnvStep,
    Grade,
    Problem,
    ProblemEnv,
    ProblemSet,
    as_messages,
    env_names,
    get_env,
    register_env,
)
from kitchen.errors import ConfigError
from kitchen.types import Message


def _grade(completion: str, problem: Problem) -> Grade:
    return Grade(float(completion == problem.answer), {"len": float(len(completion))})


def _problem_set(n: int = 10, group_size: int = 4, seed: int = 0) -> ProblemSet:
    problems = tuple(Problem(f"p{i}", f"q{i}", str(i)) for i in range(n))
    return ProblemSet(
        "toy",
        train=problems,
        test=problems[:3],
        make_env=lambda p: ProblemEnv(p, _grade),
        group_size=group_size,
        seed=seed,
    )


def test_problem_env_is_single_turn() -> None:
    env = ProblemEnv(
        Problem("p", "What?", "4"), _grade, template="Q: {question}", system_prompt="S"
    )
    assert isinstance(env, Env)
    assert env.initial_observation() == (Message("system", "S"), Message("user", "Q: What?"))
    assert env.step("4") == EnvStep(reward=1.0, done=True, metrics={"len": 1.0})
    with pytest.raises(RuntimeError, match="already finished"):
        env.step("4")


def test_as_messages_wraps_a_prompt_string() -> None:
    assert as_messages("hi") == (Message("user", "hi"),)
    assert as_messages((Message("user", "x"),)) == (Message("user", "x"),)


def test_groups_share_one_problem_and_have_group_size_envs() -> None:
    batch = _problem_set(group_size=4).get_batch(0, batch_size=3)
    assert len(batch) == 3
    for builder in batch:
        envs = builder.make_envs()
        assert len(envs) == 4
        assert len({id(e) for e in envs}) == 4  # fresh envs, not one shared
        assert {e.initial_observation() for e in envs} == {
            (Message("user", builder.problem.question),)
        }
        assert builder.tags == ("toy", "train")


def test_train_batches_are_seeded_and_cover_each_epoch() -> None:
    a, b, other = _problem_set(seed=1), _problem_set(seed=1), _problem_set(seed=2)
    ids = [[g.problem.id for g in a.get_batch(i, 4)] for i in range(6)]
    assert ids == [[g.problem.id for g in b.get_batch(i, 4)] for i in range(6)]
    assert ids != [[g.problem.id for g in other.get_batch(i, 4)] for i in range(6)]
    assert a.num_batches(4) == 3
    epoch0 = [i for batch in ids[:3] for i in batch]
    epoch1 = [i for batch in ids[3:] for i in batch]
    assert sorted(epoch0) == sorted(epoch1) == sorted(f"p{i}" for i in range(10))
    assert epoch0 != epoch1  # reshuffled every epoch
    assert len(list(a.iter_batches(4, epochs=2))) == 6


def test_test_batches_are_in_order_and_end() -> None:
    problems = _problem_set()
    assert [g.problem.id for g in problems.get_batch(0, 2, "test")] == ["p0", "p1"]
    assert [g.problem.id for g in problems.get_batch(1, 2, "test")] == ["p2"]
    with pytest.raises(ConfigError, match="test split has 2 batches"):
        problems.get_batch(2, 2, "test")
    assert len(list(problems.iter_batches(2, "test", epochs=5))) == 2


@pytest.mark.parametrize(
    ("kwargs", "message"), [({"group_size": 0}, "group_size"), ({"n": 0}, "no training")]
)
def test_problem_set_rejects_bad_settings(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _problem_set(**kwargs)
    with pytest.raises(ConfigError, match="batch_size"):
        _problem_set().get_batch(0, 0)


def test_registry_knows_builtins_and_rejects_unknown_names_and_options() -> None:
    assert {"arithmetic", "math"} <= set(env_names())
    with pytest.raises(ConfigError, match="unknown env 'nope'; known: arithmetic"):
        get_env("nope")
    with pytest.raises(ConfigError, match=r"unknown option.*digits.*min_digits"):
        get_env("arithmetic", digits=3)


def test_register_env_adds_a_factory() -> None:
    @register_env("toy-test")
    def make(*, group_size: int = 2) -> ProblemSet:
        return _problem_set(group_size=group_size)

    assert "toy-test" in env_names()
    assert get_env("toy-test", group_size=3).group_size == 3
