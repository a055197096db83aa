"""Distillation: a student learns from a frozen teacher, on-policy or from the teacher's logits.

``mode=on_policy`` (default): rollouts[do_rollout (the student samples) → teacher_logprobs (the
teacher scores every sampled token; advantage = −per-token reverse KL) → assemble_rl_batch →
forward_backward(importance sampling) → optim_step → log_rl_metrics → checkpoint?] — the
student is corrected exactly where it goes (Agarwal et al. 2024). ``mode=logit``: epochs over a
dataset with the loss T²·KL(p_T^τ ‖ p_S^τ) + α·CE (Hinton et al. 2015); the vocabularies must
match. Both start by loading the teacher (and free it at the end), score the reverse KL on
held-out prompts before and after, and register the student with a ``distilled_from`` edge to
the teacher.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from kitchen.ports.training import LossSpec
from kitchen.recipes.base import Recipe
from kitchen.recipes.common import TrainConfig, epoch_loop, with_eval_task
from kitchen.stages import (
    BuildDataset,
    Cleanup,
    ForwardBackward,
    InitSession,
    InitTokenizer,
    LoadDataset,
    LogStepMetrics,
    OptimStep,
    RegisterModel,
    SaveCheckpoint,
    SaveFinal,
)
from kitchen.stages.assemble_rl_batch import AssembleRLBatch
from kitchen.stages.build_env_group import BuildEnvGroup
from kitchen.stages.do_rollout import DoRollout
from kitchen.stages.evaluate_distillation import EvaluateDistillation
from kitchen.stages.evaluate_task import EvaluateTask
from kitchen.stages.init_reference import InitReference
from kitchen.stages.log_rl_metrics import LogRLMetrics
from kitchen.stages.predicates import every_n_iterations
from kitchen.stages.teacher_logprobs import TeacherLogprobs
from kitchen.types import TrainOn
from kitchen.workflow import Branch, Loop, Step


class DistillConfig(TrainConfig):
    """Knobs of the ``distill`` recipe."""

    teacher: str = Field(
        "models:/sft-kitchen-tiny",
        description="the teacher: models:/NAME[@ALIAS|/VERSION], a local folder or a hub id",
    )
    mode: Literal["on_policy", "logit"] = Field(
        "on_policy", description="on_policy: per-token reverse KL on student samples; logit: KD"
    )
    env: str = Field("arithmetic", description="prompts of on-policy distillation and of eval")
    env_options: dict[str, Any] = Field(default_factory=dict, description="env options")
    steps: int = Field(40, ge=1, description="on_policy: rollout iterations")
    groups_per_batch: int = Field(32, ge=1, description="on_policy: prompts per rollout")
    group_size: int = Field(2, ge=1, description="on_policy: samples per prompt")
    max_new_tokens: int = Field(8, ge=1, description="completion length limit")
    temperature: float = Field(1.0, ge=0, description="on_policy: sampling temperature")
    top_p: float = Field(1.0, gt=0, le=1, description="on_policy: nucleus sampling")
    distill_temperature: float = Field(1.0, gt=0, description="logit: softmax temperature τ")
    alpha: float = Field(0.0, ge=0, description="logit: weight of the hard-label cross-entropy")
    train_on: TrainOn = Field("last_assistant", description="logit: which tokens are distilled")
    epochs: int = Field(3, ge=1, description="logit: passes over the dataset")
    learning_rate: float = Field(5e-4, gt=0, le=1.0, description="peak learning rate")
    eval_samples: int = Field(100, ge=0, description="held-out prompts to score")
    save_every: int = Field(10, ge=0, description="checkpoint every N rollouts / epochs")
    # What the shared RL stages read; fixed for distillation.
    ppo_epochs: int = Field(1, ge=1, le=1, description="updates per rollout (fixed)")
    kl_coef: float = Field(0.0, ge=0, le=0, description="(unused: the KL is the objective)")


def _on_policy(ctx: Any) -> bool:
    return bool(ctx.config.mode == "on_policy")


def _logit(ctx: Any) -> bool:
    return bool(ctx.config.mode == "logit")


def _sampled_kl(config: Any) -> LossSpec:
    return LossSpec("importance_sampling")


def _kd(config: Any) -> LossSpec:
    return LossSpec(
        "logit_distillation", {"temperature": config.distill_temperature, "alpha": config.alpha}
    )


evaluate = EvaluateDistillation()
optim_step = OptimStep()
checkpoint = SaveCheckpoint()

RECIPE = Recipe(
    name="distill",
    description="Distil a teacher into a student: on-policy reverse KL or logit KD",
    config_type=DistillConfig,
    workflow=(
        Step(BuildEnvGroup()),
        Step(InitSession()),
        Step(InitTokenizer()),
        Step(InitReference("init_teacher", model=lambda cfg: str(cfg.teacher))),
        Step(EvaluateDistillation(name="evaluate_baseline", baseline=True)),
        with_eval_task(EvaluateTask(name="evaluate_task_baseline", baseline=True)),
        Branch(
            "on_policy",
            _on_policy,
            (
                Loop(
                    "rollouts",
                    lambda ctx: ctx.config.steps,
                    (
                        Step(DoRollout(score_policy=lambda cfg: True)),
                        Step(TeacherLogprobs()),
                        Step(AssembleRLBatch()),
                        Step(ForwardBackward(_sampled_kl)),
                        Step(optim_step),
                        Step(LogRLMetrics()),
                        Branch(
                            "should_checkpoint",
                            every_n_iterations("save_every", "rollouts"),
                            (Step(checkpoint),),
                        ),
                    ),
                ),
            ),
        ),
        Branch(
            "logit",
            _logit,
            (
                Step(LoadDataset()),
                Step(BuildDataset()),
                epoch_loop(
                    (
                        Step(ForwardBackward(_kd, with_reference=True, name="forward_backward_kd")),
                        Step(optim_step),
                        Step(LogStepMetrics()),
                    ),
                    checkpoint=checkpoint,
                ),
            ),
        ),
        Step(SaveFinal()),
        Step(evaluate),
        with_eval_task(EvaluateTask()),
        Step(RegisterModel(relation="distilled_from", parent=lambda cfg: str(cfg.teacher))),
        Step(Cleanup()),
    ),
)
