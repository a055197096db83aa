"""PPO-clip, importance sampling and the k1/k2/k3 KL estimators against float64 references."""

from __future__ import annotations

import math

import pytest
import torch

from kitchen.losses import importance_sampling_loss, kl_estimate, ppo_clip_loss

SHAPES = [(3, 7), (5, 12), (2, 1)]


def _rollout(
    batch: int, length: int, seed: int, per_token: bool
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """New and old log-probs (ratios spread well past the clip range), advantages, and a mask
    with holes and an empty last row; padding holds garbage that must not leak."""
    g = torch.Generator().manual_seed(seed)
    logp_old = -torch.rand(batch, length, generator=g, dtype=torch.float64) * 4
    logp_new = logp_old + 0.4 * torch.randn(batch, length, generator=g, dtype=torch.float64)
    shape = (batch, length) if per_token else (batch,)
    advantages = torch.randn(shape, generator=g, dtype=torch.float64)
    mask = torch.rand(batch, length, generator=g) < 0.7
    mask[-1] = False
    logp_new = logp_new.masked_fill(~mask, 80.0)
    logp_old = logp_old.masked_fill(~mask, -80.0)
    return logp_new, logp_old, advantages, mask


def _token_advantage(advantages: list, b: int, t: int) -> float:
    row = advantages[b]
    return row[t] if isinstance(row, list) else row


def _aggregate(per_token: list[list[float]], mask: list[list[bool]], aggregation: str) -> float:
    if aggregation == "sum":
        return sum(
            v
            for row, m in zip(per_token, mask, strict=True)
            for v, k in zip(row, m, strict=True)
            if k
        )
    if aggregation == "token_mean":
        picked = [
            v
            for row, m in zip(per_token, mask, strict=True)
            for v, k in zip(row, m, strict=True)
            if k
        ]
        return sum(picked) / len(picked) if picked else 0.0
    means = []
    for row, m in zip(per_token, mask, strict=True):
        picked = [v for v, k in zip(row, m, strict=True) if k]
        if picked:
            means.append(sum(picked) / len(picked))
    return sum(means) / len(means) if means else 0.0


def _token_mean(values: list[list[float]], mask: list[list[bool]]) -> float:
    return _aggregate(values, mask, "token_mean")


def ref_ppo(
    new: list, old: list, adv: list, mask: list, low: float, high: float, aggregation: str
) -> dict[str, float]:
    """Schulman et al. 2017 eq. 7, negated, token by token."""
    losses, clipped, k3, ratios = [], [], [], []
    for b, row in enumerate(mask):
        lr, cr, kr, rr = [], [], [], []
        for t, _ in enumerate(row):
            rho = math.exp(new[b][t] - old[b][t]) if row[t] else 1.0
            a = _token_advantage(adv, b, t)
            lr.append(-min(rho * a, min(max(rho, 1 - low), 1 + high) * a))
            cr.append(1.0 if (rho < 1 - low and a < 0) or (rho > 1 + high and a > 0) else 0.0)
            kr.append(rho - 1 - math.log(rho))
            rr.append(rho)
        losses.append(lr)
        clipped.append(cr)
        k3.append(kr)
        ratios.append(rr)
    return {
        "loss": _aggregate(losses, mask, aggregation),
        "clip_fraction": _token_mean(clipped, mask),
        "approx_kl": _token_mean(k3, mask),
        "ratio_mean": _token_mean(ratios, mask),
    }


@pytest.mark.parametrize(("batch", "length"), SHAPES)
@pytest.mark.parametrize("per_token", [False, True])
@pytest.mark.parametrize("aggregation", ["token_mean", "sequence_mean", "sum"])
@pytest.mark.parametrize(("low", "high"), [(0.2, 0.2), (0.2, 0.28)])
def test_ppo_clip_matches_reference(
    batch: int, length: int, per_token: bool, aggregation: str, low: float, high: float
) -> None:
    new, old, adv, mask = _rollout(batch, length, seed=batch * length, per_token=per_token)
    expected = ref_ppo(
        new.tolist(), old.tolist(), adv.tolist(), mask.tolist(), low, high, aggregation
    )
    out = ppo_clip_loss(new, old, adv, mask, clip_low=low, clip_high=high, aggregation=aggregation)
    for name, value in expected.items():
        assert abs(float(getattr(out, name)) - value) < 1e-6, name
    out32 = ppo_clip_loss(
        new.float(),
        old.float(),
        adv.float(),
        mask,
        clip_low=low,
        clip_high=high,
        aggregation=aggregation,
    )
    assert out32.loss.dtype == torch.float32
    assert abs(float(out32.loss) - expected["loss"]) < 1e-4


def test_some_tokens_are_clipped_in_the_fixture() -> None:
    new, old, adv, mask = _rollout(5, 12, seed=60, per_token=True)
    assert 0 < float(ppo_clip_loss(new, old, adv, mask).clip_fraction) < 1


def test_ratio_one_means_no_clipping_and_no_kl() -> None:
    _, old, adv, mask = _rollout(5, 12, seed=1, per_token=False)
    new = old.clone().requires_grad_(True)
    out = ppo_clip_loss(new, old, adv, mask)
    assert float(out.clip_fraction) == 0.0
    assert float(out.approx_kl) == 0.0
    assert abs(float(out.ratio_mean) - 1.0) < 1e-12
    # At ratio 1 the surrogate is -A averaged over tokens, and its gradient is -A per token / N.
    expected = -(adv[:, None].expand_as(mask)[mask]).mean()
    assert abs(float(out.loss.detach()) - float(expected)) < 1e-9
    out.loss.backward()
    assert new.grad is not None
    torch.testing.assert_close(new.grad, (-adv[:, None] * mask / mask.sum()).expand_as(mask))


@pytest.mark.parametrize("aggregation", ["token_mean", "sequence_mean", "sum"])
def test_gradients_are_finite_and_fully_masked_batches_give_zero(aggregation: str) -> None:
    new, old, adv, mask = _rollout(5, 12, seed=2, per_token=True)
    new.requires_grad_(True)
    for loss_fn in (ppo_clip_loss, importance_sampling_loss):
        loss_fn(new, old, adv, mask, aggregation=aggregation).loss.backward()
    assert new.grad is not None and torch.isfinite(new.grad).all() and new.grad.abs().sum() > 0
    assert (new.grad[~mask] == 0).all()
    empty = torch.zeros_like(mask)
    new.grad = None
    out = ppo_clip_loss(new, old, adv, empty, aggregation=aggregation)
    out.loss.backward()
    assert float(out.loss.detach()) == 0.0 and float(out.approx_kl) == 0.0
    assert (new.grad == 0).all()


def ref_importance_sampling(
    new: list, sampler: list, adv: list, mask: list, aggregation: str
) -> float:
    per_token = [
        [
            -math.exp(new[b][t] - sampler[b][t]) * _token_advantage(adv, b, t) if k else 0.0
            for t, k in enumerate(row)
        ]
        for b, row in enumerate(mask)
    ]
    return _aggregate(per_token, mask, aggregation)


@pytest.mark.parametrize(("batch", "length"), SHAPES)
@pytest.mark.parametrize("per_token", [False, True])
@pytest.mark.parametrize("aggregation", ["token_mean", "sequence_mean", "sum"])
def test_importance_sampling_matches_reference(
    batch: int, length: int, per_token: bool, aggregation: str
) -> None:
    new, sampler, adv, mask = _rollout(batch, length, seed=100 + batch, per_token=per_token)
    expected = ref_importance_sampling(
        new.tolist(), sampler.tolist(), adv.tolist(), mask.tolist(), aggregation
    )
    out = importance_sampling_loss(new, sampler, adv, mask, aggregation=aggregation)
    assert abs(float(out.loss) - expected) < 1e-6
    assert float(out.clip_fraction) == 0.0


def ref_kl(logp: list, ref: list, mask: list, kind: str) -> tuple[list[list[float]], float]:
    """Schulman 2020, "Approximating KL divergence", with r = p_ref / p on samples from p."""
    per_token = []
    for b, row in enumerate(mask):
        values = []
        for t, keep in enumerate(row):
            log_r = ref[b][t] - logp[b][t]
            if not keep:
                values.append(0.0)
            elif kind == "k1":
                values.append(-log_r)
            elif kind == "k2":
                values.append(0.5 * log_r**2)
            else:
                values.append(math.exp(log_r) - 1 - log_r)
        per_token.append(values)
    return per_token, _token_mean(per_token, mask)


@pytest.mark.parametrize(("batch", "length"), SHAPES)
@pytest.mark.parametrize("kind", ["k1", "k2", "k3"])
def test_kl_estimates_match_reference(batch: int, length: int, kind: str) -> None:
    logp, ref, _, mask = _rollout(batch, length, seed=200 + length, per_token=False)
    expected_tokens, expected_mean = ref_kl(logp.tolist(), ref.tolist(), mask.tolist(), kind)
    got = kl_estimate(logp, ref, mask, kind=kind)
    torch.testing.assert_close(
        got.per_token, torch.tensor(expected_tokens, dtype=torch.float64), atol=1e-6, rtol=0
    )
    assert abs(float(got.mean) - expected_mean) < 1e-6
    per_token, mean = got  # unpacks like a tuple
    assert per_token is got.per_token and mean is got.mean


def test_k3_is_non_negative_and_differentiable() -> None:
    logp, ref, _, mask = _rollout(6, 20, seed=3, per_token=False)
    logp.requires_grad_(True)
    got = kl_estimate(logp, ref, mask, kind="k3")
    assert (got.per_token >= 0).all()
    got.mean.backward()
    assert logp.grad is not None and torch.isfinite(logp.grad).all()
    assert float(kl_estimate(ref, ref, mask, kind="k3").mean) == 0.0


def test_bf16_inputs_are_computed_in_fp32() -> None:
    new, old, adv, mask = _rollout(3, 7, seed=4, per_token=True)
    out = ppo_clip_loss(new.bfloat16(), old.bfloat16(), adv.bfloat16(), mask)
    assert out.loss.dtype == torch.float32
    assert kl_estimate(new.bfloat16(), old.bfloat16(), mask).mean.dtype == torch.float32


def test_bad_arguments_are_refused() -> None:
    new, old, adv, mask = _rollout(3, 7, seed=5, per_token=False)
    with pytest.raises(ValueError, match="advantages"):
        ppo_clip_loss(new, old, torch.zeros(4), mask)
    with pytest.raises(ValueError, match="clip_low"):
        ppo_clip_loss(new, old, adv, mask, clip_low=1.0)
    with pytest.raises(ValueError, match="aggregation"):
        ppo_clip_loss(new, old, adv, mask, aggregation="mean")
    with pytest.raises(ValueError, match="shapes must match"):
        importance_sampling_loss(new, old[:, :3], adv, mask)
    with pytest.raises(ValueError, match="kind"):
        kl_estimate(new, old, mask, kind="k4")
