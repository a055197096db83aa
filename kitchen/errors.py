"""One error hierarchy for Kitchen.

Every error a user can cause is a :class:`KitchenError`. Each subclass also inherits the builtin
it replaces, so ``except ValueError`` in user code keeps working, and carries a short title, a
message that names the culprit (file, field, line), the stage and run it came from, and the exit
code the CLI uses for it.
"""

from __future__ import annotations


class KitchenError(Exception):
    """Base of every error Kitchen raises on purpose.

    Attributes:
        title: A few words for the headline of the CLI message.
        message: What went wrong and what to do, naming the culprit.
        stage: The stage that raised it, when known.
        run_id: The run it belongs to, when known.
    """

    exit_code: int = 1
    default_title: str = "Kitchen error"

    def __init__(
        self,
        message: str,
        *,
        title: str | None = None,
        stage: str | None = None,
        run_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.title = title or self.default_title
        self.stage = stage
        self.run_id = run_id

    def __str__(self) -> str:
        return self.message


class ConfigError(KitchenError, ValueError):
    """A recipe config value is missing, misspelt, of the wrong type or out of range."""

    exit_code = 2
    default_title = "Invalid configuration"


class StatsError(KitchenError, ValueError):
    """The data cannot support the requested statistic (too few values, NaN, bad option)."""

    exit_code = 14
    default_title = "Statistics input problem"


class RecipeNotFoundError(KitchenError, LookupError):
    """No recipe has the given name."""

    exit_code = 3
    default_title = "Unknown recipe"


class DataError(KitchenError, ValueError):
    """A dataset file is missing, malformed or lacks a field."""

    exit_code = 4
    default_title = "Dataset problem"


class WorkflowError(KitchenError, TypeError):
    """A workflow is ill-formed: a stage needs state no earlier stage provides."""

    exit_code = 5
    default_title = "Invalid workflow"


class TrainingError(KitchenError, ArithmeticError):
    """Training diverged (NaN or infinite loss) or the backend failed."""

    exit_code = 6
    default_title = "Training failed"


class HubError(KitchenError, ConnectionError):
    """A model or dataset could not be fetched from the hub (offline, not cached, no access)."""

    exit_code = 7
    default_title = "Hub unavailable"


class StoreAccessError(KitchenError, OSError):
    """The store could not be opened or written (locked by another process, disk)."""

    exit_code = 8
    default_title = "Store unavailable"


class NotFoundError(KitchenError, LookupError):
    """A run, model version or artifact does not exist."""

    exit_code = 9
    default_title = "Not found"


class ResumeError(KitchenError, RuntimeError):
    """A run cannot be resumed (no checkpoint, finished already, config changed)."""

    exit_code = 10
    default_title = "Cannot resume"


class RunCancelled(KitchenError):
    """The run was cancelled at a stage boundary."""

    exit_code = 130
    default_title = "Run cancelled"


class RunPaused(KitchenError):
    """The run was paused: it checkpointed at a loop boundary and can be resumed there."""

    exit_code = 11
    default_title = "Run paused"


class ServiceUnavailable(KitchenError):
    """The engine cannot do this now (e.g. it runs no scheduler)."""

    exit_code = 12
    default_title = "Engine unavailable"


def error_named(name: str, message: str, *, run_id: str | None = None) -> KitchenError:
    """Rebuild an error that crossed a process boundary by its class name.

    The engine and its workers report errors as ``(type name, message)``; this gives back an
    error with that class's title and exit code, so a CLI attached to the engine exits with the
    code an embedded run would have. Unknown names (a bug's ``ValueError``) give a plain
    :class:`KitchenError`.
    """
    pending: list[type[KitchenError]] = [KitchenError]
    found: type[KitchenError] = KitchenError
    while pending:
        cls = pending.pop()
        if cls.__name__ == name:
            found = cls
            break
        pending.extend(cls.__subclasses__())
    try:
        return found(message, run_id=run_id)
    except TypeError:  # a subclass with its own constructor: keep its title and exit code
        error = KitchenError(message, title=found.default_title, run_id=run_id)
        error.exit_code = found.exit_code
        return error


class ModelAPIError(KitchenError, ConnectionError):
    """A model served over HTTP could not be reached or answered badly (the message names the
    URL and what came back; never the API key)."""

    exit_code = 13
    default_title = "Model API failed"
