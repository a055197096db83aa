"""Direct preference optimisation: crucible_kitchen's preference workflow over Kitchen's stages.

Order: load the pairs, start the policy, tokenise the pairs, fix the reference (log-probs
cached once from the starting weights, or a frozen second model scoring every batch), score the
held-out pairs, then epochs of [batches of (get_batch → score_with_reference? →
forward_backward(DPO) → optim_step → log_step_metrics) → log_epoch_metrics → checkpoint? →
evaluate?], save, evaluate, register (lineage ``dpo_trained_from`` the base model).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from kitchen.ports.training import LossSpec
from kitchen.recipes.base import Recipe
from kitchen.recipes.common import TrainConfig, epoch_loop, with_eval_task
from kitchen.stages import (
    Cleanup,
    ForwardBackward,
    InitSession,
    InitTokenizer,
    LogStepMetrics,
    OptimStep,
    RegisterModel,
    SaveFinal,
)
from kitchen.stages.build_preference_data import BuildPreferenceData
from kitchen.stages.evaluate_preferences import EvaluatePreferences
from kitchen.stages.evaluate_task import EvaluateTask
from kitchen.stages.load_preferences import LoadPreferences
from kitchen.stages.reference_logprobs import PrepareReference, ScoreBatchWithReference
from kitchen.workflow import Branch, Step


class DPOConfig(TrainConfig):
    """Knobs of the ``dpo`` recipe (defaults: the tiny model on the shipped arithmetic pairs)."""

    dataset: str = Field("kitchen/preference", description="kitchen/<name>, a file or a hub id")
    preference_format: str = Field(
        "", description="hh-rlhf | ultrafeedback | plain ('' recognises the shape)"
    )
    epochs: int = Field(2, ge=1, description="passes over the training pairs")
    batch_size: int = Field(16, ge=1, description="pairs per optimiser step")
    learning_rate: float = Field(2e-4, gt=0, le=1.0, description="peak learning rate")
    save_every: int = Field(1, ge=0, description="checkpoint every N epochs (0: never)")
    beta: float = Field(0.1, gt=0, description="DPO temperature β (strength of the KL anchor)")
    loss_type: Literal["sigmoid", "ipo"] = Field(
        "sigmoid", description="sigmoid: DPO (Rafailov 2023); ipo: IPO (Azar 2023)"
    )
    label_smoothing: float = Field(
        0.0, ge=0, lt=0.5, description="conservative DPO: assumed share of flipped labels"
    )
    reference: Literal["cached", "model"] = Field(
        "cached",
        description="cached: reference log-probs computed once; model: a frozen copy scores "
        "every batch",
    )


def dpo_loss(config: Any) -> LossSpec:
    """The objective the config asks for."""
    params = {"beta": config.beta, "label_smoothing": config.label_smoothing}
    if config.loss_type == "ipo":
        return LossSpec("ipo", params)
    return LossSpec("dpo", params)


def _live_reference(ctx: Any) -> bool:
    return bool(ctx.config.reference == "model")


evaluate = EvaluatePreferences()

RECIPE = Recipe(
    name="dpo",
    description="Direct preference optimisation (DPO, IPO, conservative DPO) on preference pairs",
    config_type=DPOConfig,
    workflow=(
        Step(LoadPreferences()),
        Step(InitSession()),
        Step(InitTokenizer()),
        Step(BuildPreferenceData()),
        Step(PrepareReference()),
        Step(EvaluatePreferences(name="evaluate_baseline", baseline=True)),
        with_eval_task(EvaluateTask(name="evaluate_task_baseline", baseline=True)),
        epoch_loop(
            (
                Branch("score_batch", _live_reference, (Step(ScoreBatchWithReference()),)),
                Step(ForwardBackward(dpo_loss)),
                Step(OptimStep()),
                Step(LogStepMetrics()),
            ),
            evaluate=evaluate,
        ),
        Step(SaveFinal()),
        Step(evaluate),
        Step(RegisterModel(relation="dpo_trained_from")),
        with_eval_task(EvaluateTask()),
        Step(Cleanup()),
    ),
)
