"""Reinforcement learning (GRPO-style): crucible_kitchen's RL workflow over Kitchen's stages.

Order: build_env_group → rollouts[do_rollout → compute_advantages → assemble_rl_batch →
(forward_backward → optim_step) × ppo_epochs → log_rl_metrics → checkpoint? → evaluate?], with
the session, tokenizer, an optional frozen reference (KL penalty) and a baseline evaluation
before, and save, evaluate, register (lineage ``rl_trained_from``) after. Two recipes share it:
``rl_arith`` (the shipped addition task; the tiny model improves on it from an SFT warm start)
and ``rl_math`` (GSM8K/MATH-style problems checked with math-verify, for real models).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from kitchen.ports.training import LossSpec
from kitchen.recipes.base import Recipe
from kitchen.recipes.common import SessionConfig, with_eval_task
from kitchen.stages import (
    Cleanup,
    ForwardBackward,
    InitSession,
    InitTokenizer,
    OptimStep,
    RegisterModel,
    SaveCheckpoint,
    SaveFinal,
)
from kitchen.stages.assemble_rl_batch import AssembleRLBatch
from kitchen.stages.build_env_group import BuildEnvGroup
from kitchen.stages.compute_advantages import ComputeAdvantages
from kitchen.stages.do_rollout import DoRollout
from kitchen.stages.evaluate_env import EvaluateEnv
from kitchen.stages.evaluate_task import EvaluateTask
from kitchen.stages.init_reference import InitReference
from kitchen.stages.log_rl_metrics import LogRLMetrics
from kitchen.stages.predicates import every_n_iterations
from kitchen.workflow import Branch, Loop, Step


class RLConfig(SessionConfig):
    """Knobs of the RL recipes."""

    env: str = Field("arithmetic", description="environment: arithmetic | math (kitchen.envs)")
    env_options: dict[str, Any] = Field(
        default_factory=dict, description="options of the environment (e.g. max_digits)"
    )
    steps: int = Field(100, ge=1, description="rollout iterations (one policy update each)")
    groups_per_batch: int = Field(32, ge=1, description="problems per rollout")
    group_size: int = Field(8, ge=2, description="completions per problem (a GRPO group)")
    max_new_tokens: int = Field(8, ge=1, description="completion length limit")
    temperature: float = Field(1.0, ge=0, description="sampling temperature of the rollouts")
    top_p: float = Field(1.0, gt=0, le=1, description="nucleus sampling of the rollouts")
    loss: Literal["ppo", "importance_sampling"] = Field(
        "ppo", description="ppo: clipped ratio; importance_sampling: unclipped (Tinker's)"
    )
    clip_low: float = Field(0.2, ge=0, description="PPO clip ε below 1")
    clip_high: float = Field(0.2, ge=0, description="PPO clip ε above 1 (DAPO's clip-higher)")
    ppo_epochs: int = Field(2, ge=1, description="updates per rollout batch")
    kl_coef: float = Field(0.0, ge=0, description="KL penalty to the starting model (0: none)")
    kl_estimator: Literal["k1", "k3"] = Field("k3", description="KL estimator (Schulman 2020)")
    advantage_estimator: Literal["grpo", "gae"] = Field(
        "grpo",
        description="grpo: reward minus the group's mean; gae: GAE over a learned value head",
    )
    gamma: float = Field(1.0, ge=0, le=1, description="gae: discount per token")
    gae_lambda: float = Field(0.95, ge=0, le=1, description="gae: λ of the estimator")
    value_coef: float = Field(0.5, ge=0, description="gae: weight of the value loss")
    normalize_advantages: bool = Field(
        False, description="divide advantages by the group std (GRPO); off: Dr. GRPO's unbiased"
    )
    drop_constant_groups: bool = Field(True, description="skip groups whose rewards are equal")
    learning_rate: float = Field(1e-4, gt=0, le=1.0, description="peak learning rate")
    warmup_steps: int = Field(0, ge=0, description="linear warm-up steps")
    lr_schedule: Literal["constant", "linear", "cosine"] = Field("constant", description="decay")
    save_every: int = Field(10, ge=0, description="checkpoint every N rollouts (0: never)")
    eval_every: int = Field(0, ge=0, description="evaluate every N rollouts (0: only at the end)")
    eval_samples: int = Field(200, ge=0, description="held-out problems to score")
    eval_temperature: float = Field(
        0.0, ge=0, description="held-out sampling: 0 greedy; 1 scores the policy as it samples"
    )


class MathRLConfig(RLConfig):
    """Knobs of ``rl_math``: defaults for a real instruct model (it must be on the hub or in the
    hub cache); the tiny model runs it too but cannot solve word problems."""

    env: str = Field("math", description="environment: math | arithmetic (kitchen.envs)")
    model: str = Field(
        "Qwen/Qwen2.5-0.5B-Instruct",
        description="kitchen/tiny, models:/NAME[@ALIAS|/VERSION], a local folder or a hub id",
    )
    max_new_tokens: int = Field(512, ge=1, description="completion length limit")
    groups_per_batch: int = Field(8, ge=1, description="problems per rollout")
    steps: int = Field(200, ge=1, description="rollout iterations (one policy update each)")
    ppo_epochs: int = Field(1, ge=1, description="updates per rollout batch")
    learning_rate: float = Field(1e-6, gt=0, le=1.0, description="peak learning rate")
    chat_template: Literal["auto", "llama3", "qwen", "plain"] = Field("auto")


def rl_loss(config: Any) -> LossSpec:
    """The policy objective the config asks for."""
    if config.loss == "importance_sampling":
        return LossSpec(
            "importance_sampling",
            {"kl_coef": config.kl_coef, "kl_estimator": config.kl_estimator},
        )
    return LossSpec(
        "ppo",
        {
            "clip_low": config.clip_low,
            "clip_high": config.clip_high,
            "kl_coef": config.kl_coef,
            "kl_estimator": config.kl_estimator,
            "value_coef": config.value_coef if config.advantage_estimator == "gae" else 0.0,
        },
    )


def _has_batch(ctx: Any) -> int:
    # The inner update loop runs ppo_epochs times, or not at all when no group had a signal.
    return int(ctx.config.ppo_epochs) if ctx.state.current_batch else 0


def _workflow(relation: str) -> Any:
    evaluate = EvaluateEnv()
    return (
        Step(BuildEnvGroup()),
        Step(InitSession()),
        Step(InitTokenizer()),
        Step(InitReference(when=lambda cfg: cfg.kl_coef > 0)),
        Step(EvaluateEnv(name="evaluate_baseline", baseline=True)),
        with_eval_task(EvaluateTask(name="evaluate_task_baseline", baseline=True)),
        Loop(
            "rollouts",
            lambda ctx: ctx.config.steps,
            (
                Step(DoRollout()),
                Step(ComputeAdvantages()),
                Step(AssembleRLBatch()),
                Loop(
                    "updates",
                    _has_batch,
                    (Step(ForwardBackward(rl_loss)), Step(OptimStep())),
                    pausable=False,  # the batch lives only until the rollout's end
                ),
                Step(LogRLMetrics()),
                Branch(
                    "should_checkpoint",
                    every_n_iterations("save_every", "rollouts"),
                    (Step(SaveCheckpoint()),),
                ),
                Branch(
                    "should_evaluate",
                    every_n_iterations("eval_every", "rollouts", not_last=True),
                    (Step(evaluate),),
                ),
            ),
        ),
        Step(SaveFinal()),
        Step(evaluate),
        with_eval_task(EvaluateTask()),
        Step(RegisterModel(relation=relation)),
        Step(Cleanup()),
    )


ARITH = Recipe(
    name="rl_arith",
    description="GRPO-style RL on the addition environment (start from an SFT model)",
    config_type=RLConfig,
    workflow=_workflow("rl_trained_from"),
)

MATH = Recipe(
    name="rl_math",
    description="GRPO-style RL on math word problems checked with math-verify",
    config_type=MathRLConfig,
    workflow=_workflow("rl_trained_from"),
)
