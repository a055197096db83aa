"""N-gram overlap scorers: BLEU-4 (sacreBLEU's defaults) and ROUGE-L (``rouge-score``'s).

BLEU follows sacreBLEU 2.x: the ``13a`` tokenizer, case-sensitive, n-grams up to 4, counts
clipped by the largest count in any reference, the closest reference length (ties: the
shorter) for the brevity penalty, and ``exp`` smoothing (each zero-match order counts as
``1 / (2^k * total)``). Sentence BLEU uses the effective order (orders the hypothesis is too
short to have are skipped), as ``sacrebleu.sentence_bleu`` does; corpus BLEU does not, as
``sacrebleu.corpus_bleu`` does not. Values are on a 0–1 scale (sacreBLEU reports 0–100).

ROUGE-L is the longest-common-subsequence F1 over lower-cased alphanumeric tokens, as
``rouge_score.rouge_scorer.RougeScorer(["rougeL"])`` without stemming, the best over the
references. Unlike rouge-score, non-ASCII letters and digits are kept as token characters
(rouge-score drops them, so it scores all-non-ASCII text as empty).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kitchen.scorers._base import Score, Target, register, targets_of

__all__ = [
    "Bleu",
    "RougeL",
    "corpus_bleu",
    "rouge_l",
    "sentence_bleu",
    "tokenize_13a",
]

MAX_ORDER = 4

_13A_RULES = (
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),
    (re.compile(r"([0-9])(-)"), r"\1 \2 "),
)


def tokenize_13a(line: str) -> list[str]:
    """mteval-v13a tokenisation, as sacreBLEU's default ``13a`` tokenizer."""
    line = line.rstrip().replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in line:
        for entity, char in (("&quot;", '"'), ("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">")):
            line = line.replace(entity, char)
    line = f" {line} "
    for rule, replacement in _13A_RULES:
        line = rule.sub(replacement, line)
    return line.split()


def _ngrams(tokens: Sequence[str]) -> Counter[tuple[str, ...]]:
    return Counter(
        tuple(tokens[i : i + n])
        for n in range(1, MAX_ORDER + 1)
        for i in range(len(tokens) - n + 1)
    )


def _stats(hypothesis: str, references: Sequence[str]) -> list[int]:
    # [hyp_len, ref_len, correct_1..4, total_1..4], sacreBLEU's sufficient statistics.
    hyp = tokenize_13a(hypothesis)
    refs = [tokenize_13a(r) for r in references]
    ref_counts: Counter[tuple[str, ...]] = Counter()
    for ref in refs:
        ref_counts |= _ngrams(ref)  # `|` keeps the largest count per n-gram
    ref_len = min((len(r) for r in refs), key=lambda n: (abs(len(hyp) - n), n), default=0)
    correct, total = [0] * MAX_ORDER, [0] * MAX_ORDER
    for gram, count in _ngrams(hyp).items():
        total[len(gram) - 1] += count
        correct[len(gram) - 1] += min(count, ref_counts[gram])
    return [len(hyp), ref_len, *correct, *total]


def _bleu(stats: Sequence[int], effective_order: bool) -> float:
    sys_len, ref_len = stats[0], stats[1]
    correct, total = stats[2 : 2 + MAX_ORDER], stats[2 + MAX_ORDER :]
    if not any(correct):
        return 0.0
    brevity = 1.0 if sys_len >= ref_len else math.exp(1 - ref_len / sys_len)
    log_sum, order, smooth = 0.0, MAX_ORDER, 1.0
    for n in range(MAX_ORDER):
        if total[n] == 0:
            # Orders the hypothesis cannot have: skipped with the effective order; otherwise
            # their precision is 0, which zeroes the score as sacreBLEU's log(0) does.
            if not effective_order:
                return 0.0
            break
        if effective_order:
            order = n + 1
        if correct[n] == 0:
            smooth *= 2
            log_sum += math.log(1 / (smooth * total[n]))
        else:
            log_sum += math.log(correct[n] / total[n])
    return brevity * math.exp(log_sum / order)


def sentence_bleu(hypothesis: str, references: str | Sequence[str]) -> float:
    """BLEU-4 of one hypothesis against its references, 0–1, as ``sacrebleu.sentence_bleu``."""
    return _bleu(_stats(hypothesis, targets_of(references)), effective_order=True)


def corpus_bleu(hypotheses: Sequence[str], references: Sequence[Sequence[str]]) -> float:
    """Corpus BLEU-4, 0–1, as ``sacrebleu.corpus_bleu``.

    Args:
        hypotheses: One output per segment.
        references: The references of each segment (``references[i]`` for ``hypotheses[i]``);
            note sacreBLEU takes them transposed, one stream per reference.
    """
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} reference sets")
    summed = [0] * (2 + 2 * MAX_ORDER)
    for hyp, refs in zip(hypotheses, references, strict=True):
        summed = [a + b for a, b in zip(summed, _stats(hyp, list(refs)), strict=True)]
    return _bleu(summed, effective_order=False)


_NON_WORD = re.compile(r"[\W_]+")


def _rouge_tokens(text: str) -> list[str]:
    return _NON_WORD.sub(" ", text.lower()).split()


def _lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(prediction: str, reference: str) -> float:
    """ROUGE-L F1 (LCS-based, beta = 1) between two texts."""
    pred, ref = _rouge_tokens(prediction), _rouge_tokens(reference)
    if not pred or not ref:
        return 0.0
    lcs = _lcs_length(pred, ref)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(pred), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)


@dataclass(frozen=True)
class Bleu:
    """Sentence BLEU-4 (0–1) against all the targets as references."""

    def __call__(
        self, output: str, target: Target, *, metadata: Mapping[str, Any] | None = None
    ) -> Score:
        return Score(sentence_bleu(output, target), output, "sentence BLEU-4, 13a, exp smoothing")


@dataclass(frozen=True)
class RougeL:
    """ROUGE-L F1, the best over the targets."""

    def __call__(
        self, output: str, target: Target, *, metadata: Mapping[str, Any] | None = None
    ) -> Score:
        value = max((rouge_l(output, t) for t in targets_of(target)), default=0.0)
        return Score(value, output, "ROUGE-L F1, best over the targets")


@register("bleu")
def _bleu_scorer() -> Bleu:
    return Bleu()


@register("rouge_l")
def _rouge_scorer() -> RougeL:
    return RougeL()
