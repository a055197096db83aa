"""DPO, conservative DPO and IPO against the published formulas, computed pair by pair."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from kitchen.losses import dpo_loss


def _pairs(batch: int, seed: int) -> tuple[torch.Tensor, ...]:
    """Sequence log-probs of plausible size (sums over tens of tokens)."""
    g = torch.Generator().manual_seed(seed)
    return tuple(-20 + 8 * torch.randn(batch, generator=g, dtype=torch.float64) for _ in range(4))


def _log_sigmoid(x: float) -> float:
    return -math.log1p(math.exp(-x)) if x >= 0 else x - math.log1p(math.exp(x))


def ref_dpo(
    pc: list[float],
    pr: list[float],
    rc: list[float],
    rr: list[float],
    beta: float,
    loss_type: str,
    eps: float,
) -> dict[str, object]:
    losses, chosen, rejected, accuracy, margin = [], [], [], [], []
    for a, b, c, d in zip(pc, pr, rc, rr, strict=True):
        h = (a - c) - (b - d)
        if loss_type == "sigmoid":
            # Rafailov et al. 2023 eq. 7; cDPO mixes in the flipped label with weight eps.
            losses.append(-(1 - eps) * _log_sigmoid(beta * h) - eps * _log_sigmoid(-beta * h))
        else:
            # Azar et al. 2023 eq. 17.
            losses.append((h - 1 / (2 * beta)) ** 2)
        chosen.append(beta * (a - c))
        rejected.append(beta * (b - d))
        accuracy.append(1.0 if chosen[-1] > rejected[-1] else 0.0)
        margin.append(chosen[-1] - rejected[-1])
    return {
        "loss": sum(losses) / len(losses),
        "chosen": chosen,
        "rejected": rejected,
        "accuracy": accuracy,
        "margin": margin,
    }


CASES = [
    ("sigmoid", 0.1, 0.0),
    ("sigmoid", 0.5, 0.0),
    ("sigmoid", 0.1, 0.1),
    ("sigmoid", 1.0, 0.3),
    ("ipo", 0.1, 0.0),
    ("ipo", 0.5, 0.0),
]


@pytest.mark.parametrize("batch", [1, 6, 17])
@pytest.mark.parametrize(("loss_type", "beta", "eps"), CASES)
def test_dpo_matches_reference(batch: int, loss_type: str, beta: float, eps: float) -> None:
    tensors = _pairs(batch, seed=batch)
    expected = ref_dpo(*(t.tolist() for t in tensors), beta, loss_type, eps)
    out = dpo_loss(*tensors, beta=beta, loss_type=loss_type, label_smoothing=eps)
    assert out.loss.shape == ()
    assert abs(float(out.loss) - expected["loss"]) < 1e-6
    for got, key in [
        (out.chosen_rewards, "chosen"),
        (out.rejected_rewards, "rejected"),
        (out.accuracy, "accuracy"),
        (out.margin, "margin"),
    ]:
        torch.testing.assert_close(
            got.double(), torch.tensor(expected[key], dtype=torch.float64), atol=1e-6, rtol=0
        )
    # fp32 inputs, the production path, agree to fp32 precision.
    out32 = dpo_loss(
        *(t.float() for t in tensors), beta=beta, loss_type=loss_type, label_smoothing=eps
    )
    assert out32.loss.dtype == torch.float32
    assert abs(float(out32.loss) - expected["loss"]) < 1e-4 * max(1.0, abs(expected["loss"]))


@pytest.mark.parametrize("eps", [0.0, 0.2])
def test_policy_equal_to_reference_gives_log_two_and_zero_accuracy(eps: float) -> None:
    policy_chosen, policy_rejected, _, _ = _pairs(5, seed=1)
    out = dpo_loss(
        policy_chosen,
        policy_rejected,
        policy_chosen,
        policy_rejected,
        beta=0.1,
        label_smoothing=eps,
    )
    assert abs(float(out.loss) - math.log(2)) < 1e-6
    assert float(out.accuracy.sum()) == 0.0
    assert float(out.margin.abs().sum()) == 0.0


def test_gradients_are_finite_and_reach_only_the_policy() -> None:
    policy_chosen, policy_rejected, ref_chosen, ref_rejected = (
        t.clone().requires_grad_(True) for t in _pairs(8, seed=2)
    )
    for loss_type in ("sigmoid", "ipo"):
        out = dpo_loss(
            policy_chosen, policy_rejected, ref_chosen, ref_rejected, beta=0.1, loss_type=loss_type
        )
        out.loss.backward()
    for t in (policy_chosen, policy_rejected):
        assert t.grad is not None and torch.isfinite(t.grad).all() and t.grad.abs().sum() > 0
    assert ref_chosen.grad is None and ref_rejected.grad is None
    assert not out.chosen_rewards.requires_grad


def test_extreme_margins_stay_finite() -> None:
    big = torch.tensor([1e4, -1e4], requires_grad=True)
    zero = torch.zeros(2)
    out = dpo_loss(big, -big, zero, zero, beta=1.0, label_smoothing=0.1)
    out.loss.backward()
    assert torch.isfinite(out.loss) and big.grad is not None and torch.isfinite(big.grad).all()
    # -log sigmoid(-2e4) is 2e4 for the second pair; cDPO weights it by 0.9 and 0.1.
    expected = (0.1 * 2e4 + 0.9 * 2e4) / 2
    assert abs(float(out.loss.detach()) - expected) / expected < 1e-6


def test_bf16_inputs_are_computed_in_fp32() -> None:
    tensors = _pairs(4, seed=3)
    out = dpo_loss(*(t.bfloat16() for t in tensors), beta=0.1)
    assert out.loss.dtype == torch.float32
    reference = dpo_loss(*(t.bfloat16().float() for t in tensors), beta=0.1)
    torch.testing.assert_close(out.loss, reference.loss)


def test_bad_arguments_are_refused() -> None:
    a = torch.zeros(3)
    with pytest.raises(ValueError, match="beta"):
        dpo_loss(a, a, a, a, beta=0.0)
    with pytest.raises(ValueError, match="label_smoothing"):
        dpo_loss(a, a, a, a, beta=0.1, label_smoothing=0.5)
    with pytest.raises(ValueError, match="sigmoid"):
        dpo_loss(a, a, a, a, beta=0.1, loss_type="ipo", label_smoothing=0.1)
    with pytest.raises(ValueError, match="loss_type"):
        dpo_loss(a, a, a, a, beta=0.1, loss_type="hinge")
    with pytest.raises(ValueError, match="shapes must match"):
        dpo_loss(a, torch.zeros(2), a, a, beta=0.1)
    with pytest.raises(ValueError, match="at least one"):
        dpo_loss(*(torch.zeros(0) for _ in range(4)), beta=0.1)


def _trl_dpo_source() -> Path | None:
    """TRL's dpo_trainer.py, located without importing trl (which takes seconds)."""
    spec = importlib.util.find_spec("trl")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "trainer" / "dpo_trainer.py"
    return path if path.is_file() else None


@pytest.mark.parametrize(("loss_type", "eps"), [("sigmoid", 0.0), ("sigmoid", 0.1), ("ipo", 0.0)])
def test_matches_trl_dpo_loss_when_callable_without_a_model(loss_type: str, eps: float) -> None:
    source = _trl_dpo_source()
    if source is None:
        pytest.skip("trl is not installed")
    if "def dpo_loss(" not in source.read_text(encoding="utf-8"):
        # TRL >= 1.0 computes the loss inline in DPOTrainer._compute_loss, from a model forward.
        pytest.skip("this trl has no standalone DPOTrainer.dpo_loss to call without a model")
    from trl import DPOTrainer

    tensors = _pairs(6, seed=4)
    fake_trainer = SimpleNamespace(
        beta=0.1,
        label_smoothing=eps,
        loss_type=loss_type,
        f_divergence_type="reverse_kl",
        f_divergence_params={},
        reference_free=False,
        use_weighting=False,
        accelerator=SimpleNamespace(device=torch.device("cpu")),
    )
    try:
        trl_losses, trl_chosen, trl_rejected = DPOTrainer.dpo_loss(fake_trainer, *tensors)[:3]
    except (AttributeError, TypeError) as error:
        pytest.skip(f"trl's dpo_loss needs more trainer state: {error}")
    ours = dpo_loss(*tensors, beta=0.1, loss_type=loss_type, label_smoothing=eps)
    assert abs(float(ours.loss) - float(trl_losses.mean())) < 1e-6
    torch.testing.assert_close(ours.chosen_rewards, trl_chosen.to(ours.chosen_rewards.dtype))
    torch.testing.assert_close(ours.rejected_rewards, trl_rejected.to(ours.rejected_rewards.dtype))
