"""Evaluators: implementations of the evaluator port that score generated answers."""

from kitchen.evaluators.exact_match import ExactMatchEvaluator, normalize_answer

__all__ = ["ExactMatchEvaluator", "normalize_answer"]
