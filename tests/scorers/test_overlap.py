"""BLEU and ROUGE-L: hand-computed cases, and sacreBLEU / rouge-score where installed."""

from __future__ import annotations

import math

import pytest

from kitchen.scorers import corpus_bleu, get_scorer, rouge_l, sentence_bleu
from kitchen.scorers.overlap import tokenize_13a

HYPS = [
    "The cat sat on the mat.",
    "the cat is on the mat",
    "A quick brown fox jumps over the lazy dog!",
    "Hello",
    "It costs 1,000.5 dollars - or 3-4 euros.",
    "",
    "completely different words here",
    "Zürich is a city in Switzerland",
]
REFS = [
    ["The cat is on the mat.", "There is a cat on the mat."],
    ["the cat sat on the mat"],
    ["The quick brown fox jumped over the lazy dog."],
    ["Hello there"],
    ["It costs 1,000.5 dollars or 3-4 euros."],
    ["nothing"],
    ["the cat sat"],
    ["Zürich is a large city in Switzerland"],
]


def test_tokenize_13a() -> None:
    assert tokenize_13a("Hello, world! 1,000.5 3-4") == [
        "Hello",
        ",",
        "world",
        "!",
        "1,000.5",
        "3",
        "-",
        "4",
    ]


def test_bleu_hand_computed() -> None:
    assert sentence_bleu("the cat sat on the mat", "the cat sat on the mat") == pytest.approx(1.0)
    assert sentence_bleu("xyz", "abc") == 0.0
    # 2 tokens vs 3: p1 = 2/2, p2 = 1/1; effective order 2; BP = exp(1 - 3/2).
    assert sentence_bleu("a b", "a b c") == pytest.approx(math.exp(1 - 1.5))
    # p1 = 3/4, p2 = 1/3, p3 = 0 -> exp smoothing 1/(2*2), p4 = 0 -> 1/(4*1); no BP.
    expected = math.exp((math.log(3 / 4) + math.log(1 / 3) + math.log(1 / 4) + math.log(1 / 4)) / 4)
    assert sentence_bleu("a b x c", "a b y c") == pytest.approx(expected)
    assert get_scorer("bleu")("a b x c", ["a b y c"]).value == pytest.approx(expected)


def test_rouge_l_hand_computed() -> None:
    # LCS("a b c d", "a c d e") = 3: P = R = 3/4.
    assert rouge_l("a b c d", "a c d e") == pytest.approx(0.75)
    assert rouge_l("", "a") == 0.0
    assert rouge_l("Zürich ist schön", "zürich ist schön") == 1.0
    assert get_scorer("rouge_l")("a b", ["x", "a b"]).value == 1.0


def test_bleu_matches_sacrebleu() -> None:
    sacrebleu = pytest.importorskip("sacrebleu")
    for hyp, refs in zip(HYPS, REFS, strict=True):
        expected = sacrebleu.sentence_bleu(hyp, refs).score / 100
        assert sentence_bleu(hyp, refs) == pytest.approx(expected, abs=1e-9), hyp
    one_ref = [r[0] for r in REFS]
    expected = sacrebleu.corpus_bleu(HYPS, [one_ref]).score / 100
    assert corpus_bleu(HYPS, [[r] for r in one_ref]) == pytest.approx(expected, abs=1e-9)
    second = [r[-1] for r in REFS]
    expected = sacrebleu.corpus_bleu(HYPS, [one_ref, second]).score / 100
    pairs = [[a, b] for a, b in zip(one_ref, second, strict=True)]
    assert corpus_bleu(HYPS, pairs) == pytest.approx(expected, abs=1e-9)


def test_rouge_l_matches_rouge_score() -> None:
    rouge_scorer = pytest.importorskip("rouge_score.rouge_scorer")
    scorer = rouge_scorer.RougeScorer(["rougeL"])
    for hyp, refs in zip(HYPS[:-1], REFS[:-1], strict=True):  # ASCII only: see overlap.py
        expected = scorer.score(refs[0], hyp)["rougeL"].fmeasure
        assert rouge_l(hyp, refs[0]) == pytest.approx(expected, abs=1e-12), hyp
