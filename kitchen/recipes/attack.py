"""Adversarial robustness: attack a registered model version with seeded perturbations and store
the report as an ``adversary`` analysis, so robustness is tracked version by version.

A text classifier (``classify`` recipe) is attacked on labelled texts; with ``task`` set, an LLM
is attacked on an evaluation task (each sample's input perturbed, scores compared).

    kitchen run attack model=models:/sentiment-minilm limit=200
    kitchen run attack model=models:/sft-kitchen-tiny task=arithmetic \\
        'attacks=[prompt_injection, keyboard_typo]' limit=50
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from kitchen.recipes.base import Recipe
from kitchen.stages.attack import AttackModel, attacks_llm
from kitchen.stages.init_eval_model import InitEvalModel
from kitchen.stages.load_task import LoadTask
from kitchen.workflow import Branch, Step

DEFAULT_ATTACKS: tuple[str, ...] = (
    "character_swap",
    "character_delete",
    "character_insert",
    "homoglyph",
    "keyboard_typo",
    "word_deletion",
    "word_insertion",
    "synonym_replacement",
    "word_shuffle",
    "prompt_injection",
)


class AttackConfig(BaseModel):
    """Knobs of the ``attack`` recipe (``kitchen attack run``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str = Field(
        "models:/sentiment-minilm",
        description="models:/NAME[@ALIAS|/VERSION] (a classifier, or an LLM with task=), a "
        "folder, kitchen/tiny or a hub id",
    )
    task: str = Field("", description="attack an LLM on this eval task ('' : a classifier)")
    task_options: dict[str, Any] = Field(default_factory=dict, description="the task's options")
    data: str = Field(
        "kitchen/sentiment",
        description="a classifier's labelled texts: kitchen/NAME (see split) or a .jsonl",
    )
    split: str = Field(
        "test",
        description="the split of a shipped set to attack: test, or challenge for "
        "kitchen/sentiment's 240 hand-written reviews",
    )
    attacks: tuple[str | dict[str, Any], ...] = Field(
        DEFAULT_ATTACKS,
        description="attack names (a+b composes), or {type: NAME, param: value} mappings",
    )
    severities: tuple[float, ...] = Field(
        (0.05, 0.1, 0.2), min_length=1, description="rates swept by edit attacks"
    )
    tries: int = Field(1, ge=1, description="variants per example and severity at most")
    limit: int = Field(200, ge=0, description="attack the first N examples (0: all)")
    seed: int = Field(0, description="every perturbation derives from it")
    batch_size: int = Field(32, ge=1, description="texts scored / prompts generated together")
    threshold: float = Field(1.0, description="an LLM sample is correct at this score")
    worst_k: int = Field(5, ge=0, description="worst examples kept per attack")
    endpoint: str = Field("", description="LLM at an OpenAI-compatible base URL")
    api_key_env: str = Field("OPENAI_API_KEY", description="environment variable with the key")
    judge: str = Field("", description="grade the task with this model")
    judge_endpoint: str = Field("", description="OpenAI-compatible base URL of the judge")

    @field_validator("split")
    @classmethod
    def _split_exists(cls, split: str, info: ValidationInfo) -> str:
        from kitchen.analysis.classifier import has_split

        data, task = info.data.get("data", ""), info.data.get("task", "")
        if not task and split != "test" and not has_split(data, split):
            raise ValueError(
                f"{data!r} has no {split!r} split (only shipped sets have splits; "
                "kitchen/sentiment has test and challenge)"
            )
        return split

    chat_template: Literal["auto", "llama3", "qwen", "plain"] = Field("auto")
    device: Literal["auto", "cpu", "cuda", "mps"] = Field("auto")
    threads: int = Field(0, ge=0, description="CPU threads for torch (0: torch's default)")
    experiment: str = Field("default", description="experiment the run belongs to")
    name: str = Field("", description="run name ('' derives one)")


RECIPE = Recipe(
    name="attack",
    description="Attack a model with seeded perturbations and store its robustness per version",
    config_type=AttackConfig,
    workflow=(
        Branch("llm", attacks_llm, (Step(LoadTask()), Step(InitEvalModel()))),
        Step(AttackModel()),
    ),
)
