"""GRPO group advantages and GAE against straightforward float64 references."""

from __future__ import annotations

import math

import pytest
import torch

from kitchen.losses import constant_groups, gae, group_advantages


def _rewards(groups: int, samples: int, seed: int) -> torch.Tensor:
    """Binary-ish rewards with one constant group and one continuous group."""
    g = torch.Generator().manual_seed(seed)
    rewards = (torch.rand(groups, samples, generator=g) < 0.5).double()
    rewards[0] = 1.0
    if groups > 1:
        rewards[1] = torch.randn(samples, generator=g, dtype=torch.float64)
    return rewards


def ref_group_advantages(rewards: list[list[float]], normalize_std: bool, eps: float) -> list:
    out = []
    for group in rewards:
        n = len(group)
        mean = sum(group) / n
        centred = [0.0 if len(set(group)) == 1 else r - mean for r in group]
        if normalize_std:
            # Sample std (divisor n - 1), as in TRL's GRPOTrainer.
            std = math.sqrt(sum((r - mean) ** 2 for r in group) / (n - 1)) if n > 1 else 0.0
            centred = [c / (std + eps) for c in centred]
        out.append(centred)
    return out


@pytest.mark.parametrize(("groups", "samples"), [(4, 8), (3, 5), (2, 2), (3, 1)])
@pytest.mark.parametrize("normalize_std", [False, True])
def test_group_advantages_match_reference(groups: int, samples: int, normalize_std: bool) -> None:
    rewards = _rewards(groups, samples, seed=groups * 10 + samples)
    expected = ref_group_advantages(rewards.tolist(), normalize_std, 1e-6)
    got = group_advantages(rewards, normalize_std=normalize_std)
    torch.testing.assert_close(got, torch.tensor(expected, dtype=torch.float64), atol=1e-6, rtol=0)
    # Zero mean within every group; constant groups exactly zero.
    assert got.mean(dim=1).abs().max() < 1e-9
    assert (got[constant_groups(rewards)] == 0).all()
    got32 = group_advantages(rewards.float(), normalize_std=normalize_std)
    assert got32.dtype == torch.float32
    torch.testing.assert_close(
        got32.double(), torch.tensor(expected, dtype=torch.float64), atol=1e-5, rtol=1e-5
    )


def test_normalised_advantages_have_unit_sample_std() -> None:
    rewards = torch.randn(5, 16, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    got = group_advantages(rewards, normalize_std=True, eps=0.0)
    torch.testing.assert_close(got.std(dim=1), torch.ones(5, dtype=torch.float64))


def test_constant_groups_match_reference() -> None:
    rewards = torch.tensor([[1.0, 1.0, 1.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.5], [0.0, 0.0, 1e-9]])
    expected = [len(set(group)) == 1 for group in rewards.tolist()]
    assert constant_groups(rewards).tolist() == expected
    assert constant_groups(torch.tensor([[3.0], [1.0]])).tolist() == [True, True]


def test_group_shapes_are_checked() -> None:
    with pytest.raises(ValueError, match="groups"):
        group_advantages(torch.zeros(8), normalize_std=False)
    with pytest.raises(ValueError, match="groups"):
        constant_groups(torch.zeros(2, 0))


def _episode(batch: int, length: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Rewards, values with a bootstrap column, and a mask with holes, trailing padding and an
    empty row."""
    g = torch.Generator().manual_seed(seed)
    rewards = torch.randn(batch, length, generator=g, dtype=torch.float64)
    values = torch.randn(batch, length + 1, generator=g, dtype=torch.float64)
    mask = torch.rand(batch, length, generator=g) < 0.75
    mask[0, length // 2 :] = False
    mask[-1] = False
    return rewards, values, mask


def ref_gae(
    rewards: list[float],
    values: list[float],
    mask: list[bool],
    gamma: float,
    lam: float,
    bootstrap: float,
) -> tuple[list[float], list[float]]:
    """Eq. 16 of Schulman et al. 2015 as an explicit sum, on the row's masked steps only."""
    steps = [t for t, keep in enumerate(mask) if keep]
    v = [values[t] for t in steps] + [bootstrap]
    r = [rewards[t] for t in steps]
    deltas = [r[k] + gamma * v[k + 1] - v[k] for k in range(len(steps))]
    advantages = [0.0] * len(mask)
    returns = [0.0] * len(mask)
    for k, t in enumerate(steps):
        advantages[t] = sum((gamma * lam) ** j * deltas[k + j] for j in range(len(steps) - k))
        returns[t] = advantages[t] + v[k]
    return advantages, returns


@pytest.mark.parametrize(("batch", "length"), [(3, 7), (4, 12), (2, 1)])
@pytest.mark.parametrize(("gamma", "lam"), [(1.0, 1.0), (0.99, 0.95), (0.9, 0.0), (0.5, 0.7)])
@pytest.mark.parametrize("bootstrap", [True, False])
def test_gae_matches_reference(
    batch: int, length: int, gamma: float, lam: float, bootstrap: bool
) -> None:
    rewards, values, mask = _episode(batch, length, seed=batch + length)
    if not bootstrap:
        values = values[:, :length]
    got = gae(rewards, values, mask, gamma=gamma, lam=lam)
    for b in range(batch):
        tail = values[b, length].item() if bootstrap else 0.0
        advantages, returns = ref_gae(
            rewards[b].tolist(), values[b].tolist(), mask[b].tolist(), gamma, lam, tail
        )
        torch.testing.assert_close(
            got.advantages[b], torch.tensor(advantages, dtype=torch.float64), atol=1e-6, rtol=0
        )
        torch.testing.assert_close(
            got.returns[b], torch.tensor(returns, dtype=torch.float64), atol=1e-6, rtol=0
        )
    assert (got.advantages[~mask] == 0).all() and (got.returns[~mask] == 0).all()


def test_gae_with_unit_gamma_and_lambda_is_reward_to_go_minus_value() -> None:
    rewards, values, mask = _episode(4, 10, seed=7)
    values = values[:, :10]
    got = gae(rewards, values, mask, gamma=1.0, lam=1.0)
    for b in range(4):
        for t in range(10):
            if mask[b, t]:
                to_go = sum(rewards[b, u].item() for u in range(t, 10) if mask[b, u])
                assert abs(got.advantages[b, t].item() - (to_go - values[b, t].item())) < 1e-6
                assert abs(got.returns[b, t].item() - to_go) < 1e-6


def test_gae_without_holes_matches_the_usual_recursion() -> None:
    # The recursion of most PPO code (TRL, CleanRL) on a full mask, terminal after the last step.
    rewards, values, _ = _episode(2, 6, seed=8)
    values = values[:, :6]
    got = gae(rewards, values, torch.ones(2, 6), gamma=0.9, lam=0.8)
    for b in range(2):
        last = 0.0
        for t in reversed(range(6)):
            next_value = values[b, t + 1].item() if t < 5 else 0.0
            delta = rewards[b, t].item() + 0.9 * next_value - values[b, t].item()
            last = delta + 0.9 * 0.8 * last
            assert abs(got.advantages[b, t].item() - last) < 1e-6


def test_gae_checks_shapes_and_ranges() -> None:
    rewards = torch.zeros(2, 4)
    with pytest.raises(ValueError, match="values"):
        gae(rewards, torch.zeros(2, 6), torch.ones(2, 4), gamma=1.0, lam=1.0)
    with pytest.raises(ValueError, match="gamma"):
        gae(rewards, torch.zeros(2, 4), torch.ones(2, 4), gamma=1.5, lam=1.0)
