"""Adversarial robustness: seeded text perturbations, attack runners for classifiers and LLM
tasks, and reports persisted per model version (DESIGN.md §6).

    from kitchen.analysis.adversary import make_attack, attack_classifier
    report = attack_classifier(clf, texts, labels, [make_attack("homoglyph")], seed=0)

Perturbations are pure Python; the runners need numpy (classifiers) or the task runner (LLMs).
"""

from kitchen.analysis.adversary._base import Perturbation
from kitchen.analysis.adversary.character import (
    CharacterDelete,
    CharacterInsert,
    CharacterSwap,
    Homoglyph,
    KeyboardTypo,
)
from kitchen.analysis.adversary.compose import Compose, compose
from kitchen.analysis.adversary.persist import (
    RobustnessMatrix,
    model_matrix,
    robustness_matrix,
    save_report,
)
from kitchen.analysis.adversary.prompt import Jailbreak, PromptInjection
from kitchen.analysis.adversary.registry import ATTACKS, attack_names, make_attack
from kitchen.analysis.adversary.report import (
    AttackResult,
    LevelResult,
    RobustnessReport,
    WorstExample,
)
from kitchen.analysis.adversary.runner import attack_classifier
from kitchen.analysis.adversary.task_attack import attack_task
from kitchen.analysis.adversary.word import (
    SynonymReplacement,
    WordDeletion,
    WordInsertion,
    WordShuffle,
)

__all__ = [
    "ATTACKS",
    "AttackResult",
    "CharacterDelete",
    "CharacterInsert",
    "CharacterSwap",
    "Compose",
    "Homoglyph",
    "Jailbreak",
    "KeyboardTypo",
    "LevelResult",
    "Perturbation",
    "PromptInjection",
    "RobustnessMatrix",
    "RobustnessReport",
    "SynonymReplacement",
    "WordDeletion",
    "WordInsertion",
    "WordShuffle",
    "WorstExample",
    "attack_classifier",
    "attack_names",
    "attack_task",
    "compose",
    "make_attack",
    "model_matrix",
    "robustness_matrix",
    "save_report",
]
