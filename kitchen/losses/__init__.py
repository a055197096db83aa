"""Loss functions and estimators for preference, reinforcement-learning and distillation training.

Pure torch functions: no I/O, no state. They accept any float dtype and compute in fp32 (fp64
inputs stay fp64), so "fp32" in the docstrings means "fp32, or fp64 for fp64 inputs". Every
``(batch, length)`` tensor is aligned with the labels of ``kitchen.adapters.torch.batch``:
position ``i`` is about token ``i``, predicted by the logits at ``i - 1``, and position 0 is never
scored. Masks are ``bool`` or 0/1; fully masked rows give 0, never NaN.

This package imports torch; ``kitchen`` itself does not import it.
"""

from __future__ import annotations

from kitchen.losses._advantages import GAEResult, constant_groups, gae, group_advantages
from kitchen.losses._distillation import (
    DistillationLoss,
    forward_kl,
    logit_distillation_loss,
    reverse_kl,
    sampled_reverse_kl,
)
from kitchen.losses._policy import (
    Aggregation,
    PolicyLoss,
    importance_sampling_loss,
    kl_estimate,
    ppo_clip_loss,
)
from kitchen.losses._preference import DPOOutput, dpo_loss
from kitchen.losses._tokens import (
    IGNORE_INDEX,
    TokenEstimate,
    entropy,
    masked_mean,
    sequence_logprobs,
    token_logprobs,
)

__all__ = [
    "IGNORE_INDEX",
    "Aggregation",
    "DPOOutput",
    "DistillationLoss",
    "GAEResult",
    "PolicyLoss",
    "TokenEstimate",
    "constant_groups",
    "dpo_loss",
    "entropy",
    "forward_kl",
    "gae",
    "group_advantages",
    "importance_sampling_loss",
    "kl_estimate",
    "logit_distillation_loss",
    "masked_mean",
    "ppo_clip_loss",
    "reverse_kl",
    "sampled_reverse_kl",
    "sequence_logprobs",
    "token_logprobs",
]
