"""Analyses the engine computes and persists: drift, adversarial robustness, explainability."""
