"""The Stage: one small typed unit of a workflow.

A stage declares the state fields it ``requires`` and ``provides`` (checked before a run starts),
the config fields it ``reads`` (shown by ``describe()``), and implements ``run(ctx) -> ctx``.
``validate`` runs just before ``run``; ``rollback`` runs when the run fails after this stage
started, to release what it acquired.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel

from kitchen.config import type_label
from kitchen.context import RunContext

OnResume = Literal["replay", "skip"]


@dataclass(frozen=True, slots=True)
class OptionInfo:
    """One config field a stage reads."""

    name: str
    type: str
    default: Any
    description: str


@dataclass(frozen=True, slots=True)
class StageInfo:
    """The schema ``describe()`` returns."""

    name: str
    description: str
    requires: tuple[str, ...]
    provides: tuple[str, ...]
    options: tuple[OptionInfo, ...]


class Stage:
    """Base for stages: class attributes declare the contract; subclasses implement ``run``.

    Attributes:
        name: Verb phrase, unique within a workflow (``forward_backward``).
        requires: State fields that must be set before this stage runs.
        provides: State fields this stage sets.
        reads: Config fields this stage reads.
        on_resume: On resume, stages before the checkpoint's loop either run again
            (``replay``: they rebuild live objects such as the model session) or are skipped
            (``skip``: their results come back from the checkpoint's snapshot).
        replay_in_loop: On resume inside a loop iteration (a pause checkpoint), whether this
            stage runs again when it sits before the resume point in the same loop body: true
            for stages that set up the iteration (``set_epoch``), false for the rest.
    """

    name: str = ""
    description: str = ""
    requires: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    on_resume: OnResume = "replay"
    replay_in_loop: bool = False

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        raise NotImplementedError

    def validate(self, ctx: RunContext[Any]) -> None:
        """Check preconditions the static ``requires`` check cannot see."""

    def rollback(self, ctx: RunContext[Any], error: BaseException) -> None:
        """Release what :meth:`run` acquired; called when the run fails."""

    def describe(self, config_type: type[BaseModel] | None = None) -> StageInfo:
        options: list[OptionInfo] = []
        model_fields: Mapping[str, Any] = config_type.model_fields if config_type else {}
        for field_name in self.reads:
            info = model_fields.get(field_name)
            options.append(
                OptionInfo(
                    name=field_name,
                    type=type_label(info.annotation) if info else "?",
                    default=info.get_default(call_default_factory=True) if info else None,
                    description=(info.description or "") if info else "",
                )
            )
        return StageInfo(
            name=self.name,
            description=self.description or (type(self).__doc__ or "").strip().split("\n")[0],
            requires=self.requires,
            provides=self.provides,
            options=tuple(options),
        )

    def __repr__(self) -> str:
        return f"<stage {self.name}>"


@runtime_checkable
class Restorable(Protocol):
    """A stage that writes checkpoints and can put a run back where one was taken.

    ``save`` with ``pending=True`` is a pause checkpoint taken by the runner before the stage
    at ``ctx.position`` runs; resuming it restores, then runs that stage.
    """

    name: str

    def save(self, ctx: RunContext[Any], *, pending: bool = False) -> RunContext[Any]: ...

    def restore(
        self, ctx: RunContext[Any], directory: Path, snapshot: Mapping[str, Any]
    ) -> RunContext[Any]: ...
