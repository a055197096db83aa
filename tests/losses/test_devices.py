"""Every loss on CUDA, in fp32 and bf16, agrees with the CPU fp64 result."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch

from kitchen import losses

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]


def _inputs(device: str, dtype: torch.dtype) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    logits = 2 * torch.randn(3, 9, 50, generator=g, dtype=torch.float64)
    teacher = logits + torch.randn(3, 9, 50, generator=g, dtype=torch.float64)
    labels = torch.randint(0, 50, (3, 9), generator=g)
    labels[torch.rand(3, 9, generator=g) < 0.3] = -100
    labels[-1] = -100
    logp = -torch.rand(3, 9, generator=g, dtype=torch.float64) * 3
    logp_old = logp + 0.3 * torch.randn(3, 9, generator=g, dtype=torch.float64)
    floats = {
        "logits": logits,
        "teacher": teacher,
        "logp": logp,
        "logp_old": logp_old,
        "advantages": torch.randn(3, generator=g, dtype=torch.float64),
        "rewards": torch.randn(3, 9, generator=g, dtype=torch.float64),
        "values": torch.randn(3, 10, generator=g, dtype=torch.float64),
        "pairs": -20 + 5 * torch.randn(4, 6, generator=g, dtype=torch.float64),
    }
    out = {name: t.to(device=device, dtype=dtype) for name, t in floats.items()}
    out["labels"] = labels.to(device)
    out["mask"] = (labels != -100).to(device)
    return out


CALLS: dict[str, Callable[[dict[str, torch.Tensor]], torch.Tensor]] = {
    "token_logprobs": lambda x: losses.token_logprobs(x["logits"], x["labels"]),
    "entropy": lambda x: losses.entropy(x["logits"], x["mask"]),
    "dpo": lambda x: losses.dpo_loss(*x["pairs"], beta=0.1, label_smoothing=0.1).loss,
    "ipo": lambda x: losses.dpo_loss(*x["pairs"], beta=0.1, loss_type="ipo").loss,
    "ppo": lambda x: (
        losses.ppo_clip_loss(x["logp"], x["logp_old"], x["advantages"], x["mask"]).loss
    ),
    "is": lambda x: (
        losses.importance_sampling_loss(x["logp"], x["logp_old"], x["advantages"], x["mask"]).loss
    ),
    "k3": lambda x: losses.kl_estimate(x["logp"], x["logp_old"], x["mask"]).per_token,
    "grpo": lambda x: losses.group_advantages(x["rewards"], normalize_std=True),
    "gae": lambda x: (
        losses.gae(x["rewards"], x["values"], x["mask"], gamma=0.99, lam=0.95).advantages
    ),
    "forward_kl": lambda x: losses.forward_kl(x["teacher"], x["logits"], x["mask"], 2.0).per_token,
    "reverse_kl": lambda x: losses.reverse_kl(x["teacher"], x["logits"], x["mask"]).per_token,
    "distill": lambda x: (
        losses.logit_distillation_loss(
            x["logits"], x["teacher"], x["labels"], temperature=2.0, alpha=0.5
        ).loss
    ),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_cuda_matches_cpu(name: str) -> None:
    expected = CALLS[name](_inputs("cpu", torch.float64))
    fp32 = CALLS[name](_inputs("cuda", torch.float32))
    assert fp32.dtype == torch.float32 and fp32.is_cuda
    torch.testing.assert_close(fp32.cpu().double(), expected, atol=1e-4, rtol=1e-4)
    bf16 = CALLS[name](_inputs("cuda", torch.bfloat16))
    assert bf16.dtype == torch.float32 and torch.isfinite(bf16).all()
