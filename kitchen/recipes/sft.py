"""Supervised fine-tuning: crucible_kitchen's supervised workflow over Kitchen's stages."""

from __future__ import annotations

from pydantic import Field

from kitchen.recipes.base import Recipe
from kitchen.recipes.common import TrainConfig, epoch_loop, with_eval_task
from kitchen.stages import (
    BuildDataset,
    Cleanup,
    Evaluate,
    ForwardBackward,
    InitSession,
    InitTokenizer,
    LoadDataset,
    LogStepMetrics,
    OptimStep,
    RegisterModel,
    SaveFinal,
)
from kitchen.stages.evaluate_task import EvaluateTask
from kitchen.types import TrainOn
from kitchen.workflow import Step


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
        with_eval_task(EvaluateTask(name="evaluate_task_baseline", baseline=True)),
        epoch_loop(
            (Step(ForwardBackward()), Step(OptimStep()), Step(LogStepMetrics())),
            evaluate=evaluate,
        ),
        Step(SaveFinal()),
        Step(evaluate),
        with_eval_task(EvaluateTask()),
        Step(RegisterModel()),
        Step(Cleanup()),
    ),
)
