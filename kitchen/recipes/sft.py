"""Supervised fine-tuning: crucible_kitchen's supervised workflow over Kitchen's stages."""

from __future__ import annotations

from pydantic import Field

from kitchen.recipes.base import Recipe
from kitchen.recipes.common import TrainConfig
from kitchen.stages import (
    BuildDataset,
    Cleanup,
    Evaluate,
    ForwardBackward,
    GetBatch,
    InitSession,
    InitTokenizer,
    LoadDataset,
    LogEpochMetrics,
    LogStepMetrics,
    OptimStep,
    RegisterModel,
    SaveCheckpoint,
    SaveFinal,
    SetEpoch,
    batches_this_epoch,
    every_n_epochs,
)
from kitchen.types import TrainOn
from kitchen.workflow import Branch, Loop, Step


class SFTConfig(TrainConfig):
    """Knobs of the ``sft`` recipe.

    Defaults fit the default model and data: kitchen/tiny learns the shipped additions in about
    2,500 steps (~1.5 min of CPU). Raise lr / lower epochs for real models.
    """

    train_on: TrainOn = Field("last_assistant", description="which tokens carry loss")
    eval_max_new_tokens: int = Field(8, ge=1, description="generation length when scoring")


evaluate = Evaluate()

RECIPE = Recipe(
    name="sft",
    description="Supervised fine-tuning on chat or prompt/completion data",
    config_type=SFTConfig,
    workflow=(
        Step(LoadDataset()),
        Step(InitSession()),
        Step(InitTokenizer()),
        Step(BuildDataset()),
        Step(Evaluate(name="evaluate_baseline", baseline=True)),
        Loop(
            "epochs",
            lambda ctx: ctx.config.epochs,
            (
                Step(SetEpoch()),
                Loop(
                    "batches",
                    batches_this_epoch,
                    (
                        Step(GetBatch()),
                        Step(ForwardBackward()),
                        Step(OptimStep()),
                        Step(LogStepMetrics()),
                    ),
                ),
                Step(LogEpochMetrics()),
                Branch(
                    "should_checkpoint", every_n_epochs("save_every"), (Step(SaveCheckpoint()),)
                ),
                Branch(
                    "should_evaluate",
                    every_n_epochs("eval_every", not_last=True),
                    (Step(evaluate),),
                ),
            ),
        ),
        Step(SaveFinal()),
        Step(evaluate),
        Step(RegisterModel()),
        Step(Cleanup()),
    ),
)
