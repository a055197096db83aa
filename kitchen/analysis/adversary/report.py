"""What an attack run found: per attack and severity, accuracy under attack, attack success
rate, queries and consistency, with the worst examples; JSON-safe for the store.

The shapes are plain frozen dataclasses so the dashboard can rebuild them from the stored JSON
(:meth:`RobustnessReport.from_dict`) without importing torch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Target = Literal["classifier", "task"]

# Relative accuracy drop → how bad it is (crucible_adversary's thresholds).
DROP_SEVERITY: tuple[tuple[float, str], ...] = ((0.05, "low"), (0.15, "moderate"), (0.30, "high"))


def drop_severity(relative_drop: float) -> str:
    """``low`` (< 5 %), ``moderate`` (< 15 %), ``high`` (< 30 %) or ``critical``."""
    for limit, name in DROP_SEVERITY:
        if relative_drop < limit:
            return name
    return "critical"


@dataclass(frozen=True, slots=True)
class WorstExample:
    """One example the attack hurt most.

    For a classifier, predictions are label names and confidences the probability of the true
    label; for a task, predictions are the model's outputs and confidences the sample's scores.
    """

    id: str
    original: str
    perturbed: str
    label: str
    clean_prediction: str
    attacked_prediction: str
    clean_confidence: float
    attacked_confidence: float
    clean_proba: tuple[float, ...] = ()
    attacked_proba: tuple[float, ...] = ()

    @property
    def confidence_drop(self) -> float:
        return self.clean_confidence - self.attacked_confidence


@dataclass(frozen=True, slots=True)
class LevelResult:
    """One attack at one severity.

    Attributes:
        severity: The rate the attack ran at.
        accuracy: Accuracy under attack: an example counts as correct only if every variant
            tried was still answered correctly (for tasks: the mean worst score).
        accuracy_drop: Clean accuracy minus ``accuracy``.
        relative_drop: ``accuracy_drop`` over clean accuracy (0 when clean accuracy is 0).
        drop_severity: ``relative_drop`` as low / moderate / high / critical.
        success_rate: Of the examples answered correctly when clean, the share some variant
            made the model answer wrongly (None when none was answered correctly).
        queries_per_example: Model queries (texts scored or prompts generated) spent on
            perturbed variants, per example.
        consistency: Of all variants scored, the share whose prediction equals the clean
            prediction (for tasks: whose correctness equals the clean correctness).
        mean_confidence_drop: Mean over examples of the largest fall of the true label's
            probability (for tasks: of the score).
        originally_correct: Examples answered correctly when clean.
        flipped: Of those, how many some variant broke.
        variants: Perturbed variants scored.
    """

    severity: float
    accuracy: float
    accuracy_drop: float
    relative_drop: float
    drop_severity: str
    success_rate: float | None
    queries_per_example: float
    consistency: float
    mean_confidence_drop: float
    originally_correct: int
    flipped: int
    variants: int


@dataclass(frozen=True, slots=True)
class AttackResult:
    """One attack over its severity levels (weakest first) and its worst examples."""

    name: str
    type: str
    family: str
    params: Mapping[str, Any]
    levels: tuple[LevelResult, ...]
    worst: tuple[WorstExample, ...] = ()

    @property
    def strongest(self) -> LevelResult:
        """The level at the highest severity: what summaries and the matrix show."""
        return self.levels[-1]


@dataclass(frozen=True, slots=True)
class RobustnessReport:
    """The outcome of one attack run on one model.

    Attributes:
        target: ``classifier`` (a ``predict_proba`` model) or ``task`` (an LLM on an eval task).
        n_examples: Examples (or samples) attacked.
        clean_accuracy: Accuracy (mean score for tasks) before any attack.
        clean_queries: Queries spent on the clean pass.
        attacks: One result per attack, in the order they were given.
        seed: The seed every perturbation was derived from.
        data: What was attacked: a classifier's labelled texts (``kitchen/sentiment``,
            ``kitchen/sentiment:challenge``, a file) or, for a task, the task's name.
        settings: Severities, tries and the rest of what the run was asked to do.
    """

    target: Target
    n_examples: int
    clean_accuracy: float
    clean_queries: int
    attacks: tuple[AttackResult, ...]
    seed: int
    model_name: str | None = None
    model_version: int | None = None
    task: str | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    data: str | None = None

    @property
    def attacked_data(self) -> str:
        """What was attacked, as the matrix groups it (``data``, else the task's name)."""
        return self.data or self.task or ""

    def attack(self, name: str) -> AttackResult:
        """The result of attack ``name``.

        Raises:
            KeyError: no attack of that name ran.
        """
        for result in self.attacks:
            if result.name == name:
                return result
        raise KeyError(f"no attack {name!r} in this report; ran: {[a.name for a in self.attacks]}")

    def to_dict(self) -> dict[str, Any]:
        """Everything, JSON-safe (NaN becomes None)."""
        safe: dict[str, Any] = _json_safe(asdict(self))
        return safe

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RobustnessReport:
        """The report :meth:`to_dict` wrote."""
        attacks = tuple(
            AttackResult(
                name=a["name"],
                type=a["type"],
                family=a["family"],
                params=a["params"],
                levels=tuple(LevelResult(**level) for level in a["levels"]),
                worst=tuple(
                    WorstExample(
                        **{
                            **w,
                            "clean_proba": tuple(w.get("clean_proba", ())),
                            "attacked_proba": tuple(w.get("attacked_proba", ())),
                        }
                    )
                    for w in a["worst"]
                ),
            )
            for a in data["attacks"]
        )
        fields = {k: v for k, v in data.items() if k != "attacks"}
        return cls(**fields, attacks=attacks)

    def summary(self) -> dict[str, Any]:
        """The figures list pages and the attack × version matrix read (strongest level)."""
        summary: dict[str, Any] = _json_safe(
            {
                "target": self.target,
                "task": self.task,
                "data": self.attacked_data,
                "n_examples": self.n_examples,
                "clean_accuracy": self.clean_accuracy,
                "attacks": {
                    a.name: {
                        "family": a.family,
                        "severity": a.strongest.severity,
                        "accuracy": a.strongest.accuracy,
                        "accuracy_drop": a.strongest.accuracy_drop,
                        "drop_severity": a.strongest.drop_severity,
                        "success_rate": a.strongest.success_rate,
                        "queries_per_example": a.strongest.queries_per_example,
                        "consistency": a.strongest.consistency,
                        "drop_by_severity": {
                            f"{level.severity:g}": level.accuracy_drop for level in a.levels
                        },
                    }
                    for a in self.attacks
                },
            }
        )
        return summary

    def params(self) -> dict[str, Any]:
        """What reproduces the run: the seed, settings and every attack's parameters."""
        params: dict[str, Any] = _json_safe(
            {
                "target": self.target,
                "task": self.task,
                "data": self.attacked_data,
                "seed": self.seed,
                **dict(self.settings),
                "attacks": [a.params for a in self.attacks],
            }
        )
        return params


def _json_safe(value: Any) -> Any:
    """``value`` with NaN and infinities as None, tuples as lists and numpy scalars unwrapped."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return _json_safe(value.item())
    return value
