"""Distillation losses against full-vocabulary float64 references, token by token."""

from __future__ import annotations

import math

import pytest
import torch

from kitchen.losses import (
    forward_kl,
    logit_distillation_loss,
    reverse_kl,
    sampled_reverse_kl,
    token_logprobs,
)

SHAPES = [(2, 5, 7), (3, 9, 11), (2, 1, 4)]


def _pair(
    shape: tuple[int, int, int], seed: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Teacher logits, student logits and labels with holes and an empty last row."""
    g = torch.Generator().manual_seed(seed)
    teacher = 2 * torch.randn(shape, generator=g, dtype=torch.float64)
    student = teacher + torch.randn(shape, generator=g, dtype=torch.float64)
    labels = torch.randint(0, shape[2], shape[:2], generator=g)
    labels[torch.rand(shape[:2], generator=g) < 0.3] = -100
    labels[-1] = -100
    return teacher, student, labels


def _softmax(row: list[float], temperature: float) -> list[float]:
    scaled = [z / temperature for z in row]
    top = max(scaled)
    exps = [math.exp(z - top) for z in scaled]
    total = sum(exps)
    return [e / total for e in exps]


def _kl(p: list[float], q: list[float]) -> float:
    return sum(pi * math.log(pi / qi) for pi, qi in zip(p, q, strict=True) if pi > 0)


def ref_kl(
    teacher: list, student: list, mask: list, temperature: float, reverse: bool
) -> tuple[list, float]:
    per_token, picked = [], []
    for b, row in enumerate(mask):
        values = [0.0] * len(row)
        for i in range(1, len(row)):
            if row[i]:
                p_t = _softmax(teacher[b][i - 1], temperature)
                p_s = _softmax(student[b][i - 1], temperature)
                values[i] = _kl(p_s, p_t) if reverse else _kl(p_t, p_s)
                picked.append(values[i])
        per_token.append(values)
    return per_token, (sum(picked) / len(picked) if picked else 0.0)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("temperature", [1.0, 2.0, 0.5])
@pytest.mark.parametrize("reverse", [False, True])
def test_full_vocabulary_kl_matches_reference(
    shape: tuple[int, int, int], temperature: float, reverse: bool
) -> None:
    teacher, student, labels = _pair(shape, seed=sum(shape))
    mask = labels != -100
    expected_tokens, expected_mean = ref_kl(
        teacher.tolist(), student.tolist(), mask.tolist(), temperature, reverse
    )
    fn = reverse_kl if reverse else forward_kl
    got = fn(teacher, student, mask, temperature)
    torch.testing.assert_close(
        got.per_token, torch.tensor(expected_tokens, dtype=torch.float64), atol=1e-6, rtol=0
    )
    assert abs(float(got.mean) - expected_mean) < 1e-6
    got32 = fn(teacher.float(), student.float(), mask, temperature)
    assert got32.mean.dtype == torch.float32
    assert abs(float(got32.mean) - expected_mean) < 1e-5


def test_kl_is_zero_for_identical_models_and_non_negative() -> None:
    teacher, student, labels = _pair((3, 9, 11), seed=1)
    mask = labels != -100
    assert float(forward_kl(teacher, teacher, mask).mean) == pytest.approx(0.0, abs=1e-12)
    assert (forward_kl(teacher, student, mask).per_token >= 0).all()
    assert (reverse_kl(teacher, student, mask).per_token >= 0).all()


def test_sampled_reverse_kl_matches_reference_and_is_unbiased_in_expectation() -> None:
    teacher, student, labels = _pair((3, 9, 11), seed=2)
    mask = labels != -100
    s_logps, t_logps = token_logprobs(student, labels), token_logprobs(teacher, labels)
    got = sampled_reverse_kl(s_logps, t_logps, mask)
    s, t, m = s_logps.tolist(), t_logps.tolist(), mask.tolist()
    expected = [[s[b][i] - t[b][i] if m[b][i] else 0.0 for i in range(9)] for b in range(3)]
    torch.testing.assert_close(
        got.per_token, torch.tensor(expected, dtype=torch.float64), atol=1e-6, rtol=0
    )
    picked = [
        v
        for row, mrow in zip(expected, m, strict=True)
        for v, k in zip(row, mrow, strict=True)
        if k
    ]
    assert abs(float(got.mean) - sum(picked) / len(picked)) < 1e-6
    # Summing the estimate over every token weighted by the student's probability gives the
    # full reverse KL: the estimator is exact in expectation.
    student_logp = torch.log_softmax(student[0, 0], -1)
    teacher_logp = torch.log_softmax(teacher[0, 0], -1)
    expectation = (student_logp.exp() * (student_logp - teacher_logp)).sum()
    full = reverse_kl(teacher[:1, :2], student[:1, :2], torch.tensor([[False, True]]))
    assert abs(float(full.mean) - float(expectation)) < 1e-9


def ref_distillation(
    student: list, teacher: list, labels: list, temperature: float, alpha: float
) -> float:
    kls, nlls = [], []
    for b, row in enumerate(labels):
        for i in range(1, len(row)):
            if row[i] != -100:
                p_t = _softmax(teacher[b][i - 1], temperature)
                p_s = _softmax(student[b][i - 1], temperature)
                kls.append(_kl(p_t, p_s))
                nlls.append(-math.log(_softmax(student[b][i - 1], 1.0)[row[i]]))
    if not kls:
        return 0.0
    # Hinton et al. 2015: soft targets scaled by T^2, plus the hard-label cross-entropy.
    return temperature**2 * sum(kls) / len(kls) + alpha * sum(nlls) / len(nlls)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(("temperature", "alpha"), [(1.0, 0.0), (2.0, 0.5), (4.0, 1.0)])
def test_logit_distillation_matches_reference(
    shape: tuple[int, int, int], temperature: float, alpha: float
) -> None:
    teacher, student, labels = _pair(shape, seed=3 + sum(shape))
    expected = ref_distillation(
        student.tolist(), teacher.tolist(), labels.tolist(), temperature, alpha
    )
    got = logit_distillation_loss(student, teacher, labels, temperature=temperature, alpha=alpha)
    assert abs(float(got.loss) - expected) < 1e-6
    torch.testing.assert_close(
        got.kl, forward_kl(teacher, student, labels != -100, temperature).mean
    )


def test_gradients_are_finite_and_reach_only_the_student() -> None:
    teacher, student, labels = _pair((3, 9, 11), seed=4)
    teacher.requires_grad_(True)
    student.requires_grad_(True)
    logit_distillation_loss(student, teacher, labels, temperature=2.0, alpha=0.5).loss.backward()
    assert student.grad is not None and torch.isfinite(student.grad).all()
    assert student.grad.abs().sum() > 0
    assert teacher.grad is None
    student.grad = None
    reverse_kl(teacher, student, labels != -100).mean.backward()
    assert student.grad is not None and torch.isfinite(student.grad).all()


def test_fully_masked_and_minus_inf_logits_stay_finite() -> None:
    teacher, student, _ = _pair((2, 4, 6), seed=5)
    teacher[..., :2] = float("-inf")  # a teacher that rules tokens out
    student.requires_grad_(True)
    got = forward_kl(teacher, student, torch.tensor([[0, 1, 1, 0], [0, 0, 0, 0]]))
    got.mean.backward()
    assert torch.isfinite(got.per_token).all()
    assert student.grad is not None and torch.isfinite(student.grad).all()
    empty = logit_distillation_loss(
        student, teacher, torch.full((2, 4), -100), temperature=2.0, alpha=1.0
    )
    assert float(empty.loss.detach()) == 0.0


def test_bf16_logits_are_computed_in_fp32() -> None:
    teacher, student, labels = _pair((3, 9, 11), seed=6)
    got = forward_kl(teacher.bfloat16(), student.bfloat16(), labels != -100)
    assert got.mean.dtype == torch.float32
    expected = forward_kl(teacher.bfloat16().float(), student.bfloat16().float(), labels != -100)
    torch.testing.assert_close(got.mean, expected.mean)


def test_mismatched_vocabularies_and_bad_arguments_are_refused() -> None:
    teacher, student, labels = _pair((2, 5, 7), seed=7)
    wider = torch.zeros(2, 5, 9)
    with pytest.raises(ValueError, match="vocabularies differ"):
        forward_kl(wider, student, labels != -100)
    with pytest.raises(ValueError, match="vocabularies differ"):
        logit_distillation_loss(student, wider, labels, temperature=1.0, alpha=0.0)
    with pytest.raises(ValueError, match="same"):
        reverse_kl(teacher[:1], student, labels != -100)
    with pytest.raises(ValueError, match="temperature"):
        forward_kl(teacher, student, labels != -100, temperature=0.0)
    with pytest.raises(ValueError, match="alpha"):
        logit_distillation_loss(student, teacher, labels, temperature=1.0, alpha=-1.0)
