"""Text classification: fine-tune MiniLM (shipped offline) on labelled texts and register it,
so each version can be attacked (``attack`` recipe) and explained; robustness is then tracked
per version. The defaults train on the shipped sentiment set in about a minute of CPU, then
score the model on its template-generated test split (``eval/accuracy``) and on its 240
hand-written challenge reviews (``eval/challenge/accuracy`` and per phenomenon
``eval/challenge/<kind>/accuracy``: negation, sarcasm, contrast, ...).

    kitchen run classify                          # 1 epoch on 1,600 reviews
    kitchen run classify limit=256 max_steps=16   # the test-sized run (< 60 s)
    kitchen run classify challenge=false          # skip the challenge split
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from kitchen.recipes.base import Recipe
from kitchen.stages.classify_train import SHIPPED_ENCODER, TrainClassifier
from kitchen.stages.register_model import RegisterModel
from kitchen.workflow import Step


class ClassifyConfig(BaseModel):
    """Knobs of the ``classify`` recipe.

    ``challenge`` (on by default) also scores the model on the challenge split of a shipped
    set that has one: ``kitchen/sentiment`` ships 240 hand-written reviews (120 per label)
    labelled by phenomenon, which its template-generated test split does not cover. They are
    logged as ``eval/challenge/accuracy`` and ``eval/challenge/<kind>/accuracy``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str = Field(
        SHIPPED_ENCODER, description="the encoder: the shipped MiniLM or a BERT-style folder"
    )
    data: str = Field(
        "kitchen/sentiment",
        description="kitchen/NAME (shipped NAME_train.jsonl and NAME_test.jsonl) or a .jsonl "
        "file of {id, text, label} rows",
    )
    eval_data: str = Field(
        "", description="the test .jsonl ('' : the test split of a shipped set in data)"
    )
    labels: tuple[str, ...] = Field(("negative", "positive"), description="class names, in order")
    limit: int = Field(0, ge=0, description="train on the first N texts (0: all)")
    eval_limit: int = Field(0, ge=0, description="evaluate on the first N test texts (0: all)")
    challenge: bool = Field(
        True,
        description="also score the challenge split of the shipped set in data (kitchen/"
        "sentiment: 240 hand-written reviews by phenomenon) as eval/challenge/accuracy and "
        "eval/challenge/<kind>/accuracy; skipped when data has none",
    )
    epochs: int = Field(1, ge=1, description="passes over the training texts")
    max_steps: int = Field(0, ge=0, description="stop after N updates (0: all epochs)")
    batch_size: int = Field(32, ge=1, description="texts per update")
    learning_rate: float = Field(1e-4, gt=0, description="peak AdamW learning rate")
    max_length: int = Field(64, ge=8, le=512, description="tokens per text at most")
    seed: int = Field(0, description="head initialisation, shuffling and dropout")
    threads: int = Field(0, ge=0, description="CPU threads for torch (0: torch's default)")
    register_as: str = Field("sentiment-minilm", description="registry name of the new version")
    experiment: str = Field("default", description="experiment the run belongs to")
    name: str = Field("", description="run name ('' derives one)")


RECIPE = Recipe(
    name="classify",
    description="Fine-tune the MiniLM text classifier and register it",
    config_type=ClassifyConfig,
    workflow=(Step(TrainClassifier()), Step(RegisterModel())),
)
