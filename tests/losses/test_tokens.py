"""Token helpers against straightforward float64 references: log-probs, sums, means, entropy."""

from __future__ import annotations

import math

import pytest
import torch

from kitchen.adapters.torch.batch import IGNORE_INDEX as BATCH_IGNORE_INDEX
from kitchen.adapters.torch.batch import summed_cross_entropy
from kitchen.losses import IGNORE_INDEX, entropy, masked_mean, sequence_logprobs, token_logprobs

SHAPES = [(2, 5, 7), (3, 9, 11), (4, 1, 5)]


def _logits(shape: tuple[int, int, int], seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return 3 * torch.randn(shape, generator=g, dtype=torch.float64)


def _labels(shape: tuple[int, int, int], seed: int) -> torch.Tensor:
    """Random ids with holes (-100), a fully unscored last row, and position 0 always unscored."""
    batch, length, vocab = shape
    g = torch.Generator().manual_seed(seed + 1)
    ids = torch.randint(0, vocab, (batch, length), generator=g)
    holes = torch.rand((batch, length), generator=g) < 0.3
    ids[holes] = -100
    ids[-1] = -100
    return ids


def _ref_log_softmax(row: list[float]) -> list[float]:
    top = max(row)
    lse = top + math.log(sum(math.exp(z - top) for z in row))
    return [z - lse for z in row]


def ref_token_logprobs(logits: list, labels: list) -> list[list[float]]:
    out = []
    for row_logits, row_labels in zip(logits, labels, strict=True):
        values = [0.0] * len(row_labels)
        for i in range(1, len(row_labels)):
            if row_labels[i] != -100:
                values[i] = _ref_log_softmax(row_logits[i - 1])[row_labels[i]]
        out.append(values)
    return out


def ref_entropy(logits: list, mask: list) -> float:
    total, count = 0.0, 0
    for row_logits, row_mask in zip(logits, mask, strict=True):
        for i in range(1, len(row_mask)):
            if row_mask[i]:
                logp = _ref_log_softmax(row_logits[i - 1])
                total -= sum(math.exp(lp) * lp for lp in logp)
                count += 1
    return total / count if count else 0.0


def test_ignore_index_matches_the_batch_layout() -> None:
    assert IGNORE_INDEX == BATCH_IGNORE_INDEX


@pytest.mark.parametrize("shape", SHAPES)
def test_token_logprobs_match_reference(shape: tuple[int, int, int]) -> None:
    logits, labels = _logits(shape, 0), _labels(shape, 0)
    expected = torch.tensor(
        ref_token_logprobs(logits.tolist(), labels.tolist()), dtype=torch.float64
    )
    got = token_logprobs(logits, labels)
    assert got.shape == labels.shape
    torch.testing.assert_close(got, expected, atol=1e-6, rtol=0)
    got32 = token_logprobs(logits.float(), labels)
    assert got32.dtype == torch.float32
    torch.testing.assert_close(got32.double(), expected, atol=1e-5, rtol=0)


def test_token_logprobs_agree_with_the_training_cross_entropy() -> None:
    logits, labels = _logits((3, 9, 11), 1), _labels((3, 9, 11), 1)
    total = token_logprobs(logits, labels).sum()
    torch.testing.assert_close(-total, summed_cross_entropy(logits, labels).double())


def test_label_at_position_zero_is_never_scored() -> None:
    logits = _logits((1, 4, 5), 2)
    labels = torch.tensor([[3, -100, 2, 1]])
    assert token_logprobs(logits, labels)[0, 0] == 0


@pytest.mark.parametrize("shape", SHAPES)
def test_sequence_logprobs_and_masked_mean_match_reference(shape: tuple[int, int, int]) -> None:
    logits, labels = _logits(shape, 3), _labels(shape, 3)
    token_logps = token_logprobs(logits, labels)
    mask = labels != -100
    values, keep = token_logps.tolist(), mask.tolist()
    sums = [
        sum(v for v, k in zip(row, mrow, strict=True) if k)
        for row, mrow in zip(values, keep, strict=True)
    ]
    torch.testing.assert_close(
        sequence_logprobs(token_logps, mask),
        torch.tensor(sums, dtype=torch.float64),
        atol=1e-6,
        rtol=0,
    )
    picked = [
        v
        for row, mrow in zip(values, keep, strict=True)
        for v, k in zip(row, mrow, strict=True)
        if k
    ]
    expected_mean = sum(picked) / len(picked) if picked else 0.0
    assert abs(float(masked_mean(token_logps, mask)) - expected_mean) < 1e-6
    rows = masked_mean(token_logps, mask.float(), dim=1)
    for row_mean, row, mrow in zip(rows.tolist(), values, keep, strict=True):
        chosen = [v for v, k in zip(row, mrow, strict=True) if k]
        assert abs(row_mean - (sum(chosen) / len(chosen) if chosen else 0.0)) < 1e-6


def test_masked_mean_ignores_non_finite_values_off_the_mask() -> None:
    values = torch.tensor([[1.0, float("nan"), 3.0], [float("inf"), 0.0, 0.0]])
    mask = torch.tensor([[True, False, True], [False, False, False]])
    assert float(masked_mean(values, mask)) == 2.0
    assert masked_mean(values, mask, dim=1).tolist() == [2.0, 0.0]


@pytest.mark.parametrize("shape", SHAPES)
def test_entropy_matches_reference(shape: tuple[int, int, int]) -> None:
    logits, labels = _logits(shape, 4), _labels(shape, 4)
    mask = labels != -100
    expected = ref_entropy(logits.tolist(), mask.tolist())
    assert abs(float(entropy(logits, mask)) - expected) < 1e-6
    assert abs(float(entropy(logits.float(), mask)) - expected) < 1e-5


def test_entropy_of_a_uniform_distribution_is_log_vocab_and_survives_minus_inf() -> None:
    logits = torch.zeros(2, 3, 8)
    mask = torch.tensor([[0, 1, 1], [0, 1, 0]])
    assert abs(float(entropy(logits, mask)) - math.log(8)) < 1e-6
    logits[..., 4:] = float("-inf")
    logits.requires_grad_(True)
    value = entropy(logits, mask)
    value.backward()
    assert abs(float(value.detach()) - math.log(4)) < 1e-6
    assert logits.grad is not None and torch.isfinite(logits.grad).all()


def test_fully_masked_batch_gives_zeros_and_finite_gradients() -> None:
    logits = _logits((2, 4, 6), 5).requires_grad_(True)
    labels = torch.full((2, 4), -100)
    logps = token_logprobs(logits, labels)
    total = sequence_logprobs(logps, labels != -100).sum() + entropy(logits, labels != -100)
    total.backward()
    assert float(total.detach()) == 0.0
    assert logits.grad is not None and torch.isfinite(logits.grad).all()


def test_gradients_are_finite() -> None:
    logits = _logits((3, 9, 11), 6).requires_grad_(True)
    labels = _labels((3, 9, 11), 6)
    (
        sequence_logprobs(token_logprobs(logits, labels), labels != -100).sum()
        + entropy(logits, labels != -100)
    ).backward()
    assert logits.grad is not None and torch.isfinite(logits.grad).all()
    assert logits.grad.abs().sum() > 0


def test_bf16_logits_are_computed_in_fp32() -> None:
    logits, labels = _logits((3, 9, 11), 7), _labels((3, 9, 11), 7)
    low = token_logprobs(logits.bfloat16(), labels)
    assert low.dtype == torch.float32
    torch.testing.assert_close(low, token_logprobs(logits.bfloat16().float(), labels))
    assert entropy(logits.bfloat16(), labels != -100).dtype == torch.float32


def test_wrong_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="mask shape"):
        token_logprobs(torch.zeros(2, 3, 4), torch.zeros(2, 4, dtype=torch.long))
    with pytest.raises(ValueError, match="batch, length, vocab"):
        entropy(torch.zeros(2, 3), torch.zeros(2, 3))
