"""The environment interface of RL workflows, and the problem sets that serve GRPO groups.

An :class:`Env` is one episode: it gives an initial observation (chat messages or a prompt
string), then scores each completion with :meth:`Env.step`. Single-turn envs finish on the first
step; a multi-turn env returns ``done=False`` with the next observation to append.

A :class:`ProblemSet` holds the train and test problems of one task and serves them as batches
of :class:`EnvGroupBuilder` s: ``group_size`` envs on one problem, whose rewards GRPO compares
with each other. Batches are a pure function of ``(seed, index, batch_size)``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from kitchen.errors import ConfigError
from kitchen.types import Message

__all__ = [
    "Env",
    "EnvGroupBuilder",
    "EnvStep",
    "Grade",
    "Grader",
    "Observation",
    "Problem",
    "ProblemEnv",
    "ProblemSet",
    "Split",
    "as_messages",
]

Observation = tuple[Message, ...] | str
"""What an env shows the policy: chat messages, or a raw prompt string."""

Split = Literal["train", "test"]


def as_messages(observation: Observation) -> tuple[Message, ...]:
    """Return an observation as chat messages (a prompt string becomes one user turn)."""
    if isinstance(observation, str):
        return (Message("user", observation),)
    return observation


@dataclass(frozen=True, slots=True)
class EnvStep:
    """What one step of an episode gives back.

    Attributes:
        reward: The reward for the completion just taken.
        done: Whether the episode is over.
        metrics: Numbers to log (``correct``, ``format``, ...), averaged over a batch.
        observation: For ``done=False``, what to add to the conversation before the next turn.
    """

    reward: float
    done: bool
    metrics: dict[str, float] = field(default_factory=dict)
    observation: Observation | None = None


@runtime_checkable
class Env(Protocol):
    """One episode of a task, stateful; make a fresh one per rollout."""

    def initial_observation(self) -> Observation:
        """The prompt the policy completes first."""
        ...

    def step(self, completion: str) -> EnvStep:
        """Score the policy's completion (decoded text, without the end-of-turn token)."""
        ...


@dataclass(frozen=True, slots=True)
class Problem:
    """One task instance: the question shown and the reference answer graded against.

    Attributes:
        id: A stable name, for logs and de-duplication.
        question: The problem text (the env adds any instructions around it).
        answer: The reference answer.
    """

    id: str
    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class Grade:
    """A grader's verdict: the reward and the metrics behind it."""

    reward: float
    metrics: dict[str, float] = field(default_factory=dict)


class Grader(Protocol):
    """Scores a completion of a problem."""

    def __call__(self, completion: str, problem: Problem) -> Grade:
        """Return the reward and metrics of ``completion`` as an answer to ``problem``."""
        ...


class ProblemEnv:
    """A single-turn env: ask one problem, grade one completion.

    Args:
        problem: The problem asked.
        grader: Scores the completion.
        template: Formats the user turn; ``{question}`` is replaced by the problem text.
        system_prompt: An optional system turn before it.
    """

    def __init__(
        self,
        problem: Problem,
        grader: Grader,
        *,
        template: str = "{question}",
        system_prompt: str | None = None,
    ) -> None:
        self.problem = problem
        self.grader = grader
        self.template = template
        self.system_prompt = system_prompt
        self._done = False

    def initial_observation(self) -> tuple[Message, ...]:
        """The system turn (if any) and the user turn asking the problem."""
        user = Message("user", self.template.replace("{question}", self.problem.question))
        if self.system_prompt:
            return (Message("system", self.system_prompt), user)
        return (user,)

    def step(self, completion: str) -> EnvStep:
        """Grade the completion; the episode ends here.

        Raises:
            RuntimeError: when called again after the episode ended.
        """
        if self._done:
            raise RuntimeError(f"env for problem {self.problem.id!r} already finished")
        self._done = True
        grade = self.grader(completion, self.problem)
        return EnvStep(reward=grade.reward, done=True, metrics=dict(grade.metrics))


@dataclass(frozen=True, slots=True)
class EnvGroupBuilder:
    """Makes the ``group_size`` envs of one GRPO group, all on the same problem."""

    problem: Problem
    group_size: int
    make_env: Callable[[Problem], Env]
    tags: tuple[str, ...] = ()

    def make_envs(self) -> tuple[Env, ...]:
        """Fresh envs, one per rollout of the group."""
        return tuple(self.make_env(self.problem) for _ in range(self.group_size))


@dataclass(frozen=True)
class ProblemSet:
    """The problems of one task, split train/test, served as seeded batches of GRPO groups.

    Attributes:
        name: The task's name (``"arithmetic"``, ``"math"``), used as a tag.
        train: The training problems.
        test: The held-out problems.
        make_env: Builds the env of one rollout.
        group_size: Envs per group (rollouts per problem).
        seed: Seeds the order of training problems.
        options: The options the set was built with, for the run's record.
    """

    name: str
    train: tuple[Problem, ...]
    test: tuple[Problem, ...]
    make_env: Callable[[Problem], Env]
    group_size: int = 8
    seed: int = 0
    options: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.group_size < 1:
            raise ConfigError(f"group_size: must be at least 1, got {self.group_size}")
        if not self.train:
            raise ConfigError(f"env {self.name!r}: has no training problems")

    def problems(self, split: Split = "train") -> tuple[Problem, ...]:
        """The problems of a split, in their stored order."""
        if split == "train":
            return self.train
        if split == "test":
            return self.test
        raise ConfigError(f"split: must be 'train' or 'test', got {split!r}")

    def num_batches(self, batch_size: int, split: Split = "train") -> int:
        """Batches in one pass over a split (the last may be short)."""
        _check_batch_size(batch_size)
        return -(-len(self.problems(split)) // batch_size)

    def test_envs(self, limit: int = 0) -> list[Env]:
        """One fresh environment per held-out problem, in order (the first ``limit`` when
        given): what an evaluation scores."""
        problems = self.test[:limit] if limit else self.test
        return [self.make_env(problem) for problem in problems]

    def get_batch(
        self, index: int, batch_size: int, split: Split = "train"
    ) -> list[EnvGroupBuilder]:
        """The groups of batch ``index``: ``batch_size`` problems, one group each.

        Training batches walk a seeded shuffle of the problems, reshuffled every epoch, so any
        ``index`` is valid and the same ``(seed, index, batch_size)`` gives the same batch.
        Test batches walk the problems in order and end after one pass.

        Raises:
            ConfigError: ``batch_size`` is below 1, or a test ``index`` is past the end.
        """
        problems = self.problems(split)
        n_batches = self.num_batches(batch_size, split)
        if index < 0:
            raise ConfigError(f"batch index: must be >= 0, got {index}")
        if split == "test":
            if index >= n_batches:
                raise ConfigError(f"batch index {index}: the test split has {n_batches} batches")
            chosen = list(problems[index * batch_size : (index + 1) * batch_size])
        else:
            chosen = self._train_slice(index, batch_size)
        tags = (self.name, split)
        return [EnvGroupBuilder(p, self.group_size, self.make_env, tags) for p in chosen]

    def iter_batches(
        self, batch_size: int, split: Split = "train", *, epochs: int = 1
    ) -> Iterator[list[EnvGroupBuilder]]:
        """Every batch of ``epochs`` passes over a split (test: one pass whatever ``epochs``)."""
        passes = 1 if split == "test" else epochs
        for index in range(self.num_batches(batch_size, split) * passes):
            yield self.get_batch(index, batch_size, split)

    def _train_slice(self, index: int, batch_size: int) -> list[Problem]:
        # Batches never straddle epochs: a short last batch keeps every epoch a full permutation.
        per_epoch = self.num_batches(batch_size, "train")
        epoch, position = divmod(index, per_epoch)
        order = list(range(len(self.train)))
        random.Random(f"{self.seed}:{epoch}").shuffle(order)
        picked = order[position * batch_size : (position + 1) * batch_size]
        return [self.train[i] for i in picked]


def _check_batch_size(batch_size: int) -> None:
    if batch_size < 1:
        raise ConfigError(f"batch_size: must be at least 1, got {batch_size}")
