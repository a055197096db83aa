"""Scorers for evaluation: compare a model's output with its target and aggregate the scores.

``get_scorer(name, **options)`` builds a registered scorer; :func:`scorer_names` lists them:
``exact_match``, ``includes``, ``regex``, ``numeric``, ``math_verify``, ``choice``, ``f1``,
``bleu``, ``rouge_l``, ``perplexity``, ``humaneval``. Aggregates: :func:`pass_at_k`,
:func:`mean_pass_at_k`, :func:`accuracy_with_stderr`. Untrusted code runs through
:func:`kitchen.scorers.sandbox.run_python`. No torch here.
"""

from __future__ import annotations

from kitchen.scorers._base import Score, Scorer, get_scorer, register, scorer_names
from kitchen.scorers.metrics import accuracy_with_stderr, mean_pass_at_k, pass_at_k, perplexity
from kitchen.scorers.numeric import extract_choice, extract_number
from kitchen.scorers.overlap import corpus_bleu, rouge_l, sentence_bleu
from kitchen.scorers.sandbox import SandboxResult, check_humaneval, run_python
from kitchen.scorers.text import normalize_text, token_f1

__all__ = [
    "SandboxResult",
    "Score",
    "Scorer",
    "accuracy_with_stderr",
    "check_humaneval",
    "corpus_bleu",
    "extract_choice",
    "extract_number",
    "get_scorer",
    "mean_pass_at_k",
    "normalize_text",
    "pass_at_k",
    "perplexity",
    "register",
    "rouge_l",
    "run_python",
    "scorer_names",
    "sentence_bleu",
    "token_f1",
]
