"""pass@k against the closed form, accuracy with standard error, perplexity, the registry."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from kitchen.scorers import (
    accuracy_with_stderr,
    get_scorer,
    mean_pass_at_k,
    pass_at_k,
    perplexity,
    scorer_names,
)

CASES = [(n, c, k) for n in (1, 2, 5, 10, 20, 50) for c in range(n + 1) for k in range(1, n + 1)]


@pytest.mark.parametrize(("n", "c", "k"), CASES[:: max(1, len(CASES) // 400)])
def test_pass_at_k_matches_the_closed_form(n: int, c: int, k: int) -> None:
    expected = 1 - math.comb(n - c, k) / math.comb(n, k)
    assert pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-12)


def test_pass_at_k_edges() -> None:
    assert pass_at_k(10, 0, 3) == 0.0
    assert pass_at_k(10, 10, 3) == 1.0
    assert pass_at_k(10, 8, 3) == 1.0  # k > n - c
    assert pass_at_k(200, 1, 1) == pytest.approx(1 / 200)
    # Large n where the binomials overflow floats: still finite and in range.
    assert 0 < pass_at_k(5000, 3, 100) < 1
    for bad in ((5, 6, 1), (5, -1, 1), (5, 2, 0), (5, 2, 6)):
        with pytest.raises(ValueError):
            pass_at_k(*bad)


def test_mean_pass_at_k() -> None:
    assert mean_pass_at_k([(10, 0), (10, 10)], 1) == 0.5
    assert mean_pass_at_k([(5, 2)], 1) == pytest.approx(0.4)
    with pytest.raises(ValueError):
        mean_pass_at_k([], 1)


def test_accuracy_with_stderr() -> None:
    mean, stderr = accuracy_with_stderr([1, 0, 1, 1])
    assert mean == 0.75
    assert stderr == pytest.approx(math.sqrt(0.75 * 0.25 / 3))
    assert accuracy_with_stderr([0.3]) == (0.3, 0.0)
    assert accuracy_with_stderr([0.5, 0.5]) == (0.5, 0.0)
    with pytest.raises(ValueError):
        accuracy_with_stderr([])


def test_perplexity() -> None:
    assert perplexity([math.log(0.5)] * 4) == pytest.approx(2.0)
    assert perplexity([0.0]) == 1.0
    scorer = get_scorer("perplexity")
    score = scorer("", "", metadata={"token_logprobs": [math.log(0.25), math.log(0.25)]})
    assert score.value == pytest.approx(4.0)
    with pytest.raises(ValueError):
        perplexity([])
    with pytest.raises(ValueError):
        perplexity([0.5])
    with pytest.raises(ValueError):
        scorer("", "")


def test_registry() -> None:
    names = scorer_names()
    for name in ("exact_match", "includes", "regex", "numeric", "math_verify", "choice", "f1"):
        assert name in names
    for name in ("bleu", "rouge_l", "perplexity", "humaneval"):
        assert name in names
    with pytest.raises(KeyError, match="known scorers"):
        get_scorer("nope")


def test_import_kitchen_does_not_import_scorers_or_torch() -> None:
    code = (
        "import sys, kitchen, kitchen.scorers as s; s.get_scorer('bleu'); "
        "print('torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
    code = "import sys, kitchen; print('kitchen.scorers' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
