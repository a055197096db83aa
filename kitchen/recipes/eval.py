"""Evaluation: run a benchmark task (GSM8K, MMLU, HumanEval, a data file…) on a model and
store every scored sample, so any two evaluations can be compared (``kitchen compare``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from kitchen.recipes.base import Recipe
from kitchen.stages import Cleanup
from kitchen.stages.evaluate_task import EvaluateTask
from kitchen.stages.init_eval_model import InitEvalModel
from kitchen.stages.load_task import LoadTask
from kitchen.workflow import Step


class EvalConfig(BaseModel):
    """Knobs of the ``eval`` recipe (``kitchen eval TASK --model …``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    task: str = Field(
        "arithmetic",
        description="a task (see `kitchen tasks`) or a data file: data.jsonl, csv:data.csv",
    )
    task_options: dict[str, Any] = Field(
        default_factory=dict, description="the task's options (e.g. fewshot, subjects, fields)"
    )
    model: str = Field(
        "kitchen/tiny",
        description="kitchen/tiny, models:/NAME[@ALIAS|/VERSION], a folder, a hub id, "
        "or with endpoint= the name the server knows",
    )
    endpoint: str = Field("", description="OpenAI-compatible base URL (e.g. http://host/v1)")
    api_key_env: str = Field("OPENAI_API_KEY", description="environment variable with the key")
    judge: str = Field(
        "", description="grade with this model (model-graded QA); the task's scorers stay secondary"
    )
    judge_endpoint: str = Field("", description="OpenAI-compatible base URL of the judge")
    limit: int = Field(0, ge=0, description="score the first N samples (0: all)")
    epochs: int = Field(0, ge=0, description="generations per sample (0: the task's default)")
    batch_size: int = Field(32, ge=1, description="prompts generated together")
    max_new_tokens: int = Field(0, ge=0, description="generation length (0: the task's)")
    temperature: float | None = Field(
        None, ge=0.0, description="sampling temperature (unset: the task's, usually greedy)"
    )
    chat_template: Literal["auto", "llama3", "qwen", "plain"] = Field("auto")
    seed: int = Field(0, description="seed for sampling")
    device: Literal["auto", "cpu", "cuda", "mps"] = Field("auto")
    threads: int = Field(0, ge=0, description="CPU threads for torch (0: torch's default)")
    experiment: str = Field("default", description="experiment the run belongs to")
    name: str = Field("", description="run name ('' derives one)")


RECIPE = Recipe(
    name="eval",
    description="Evaluate a model on a benchmark task and store every scored sample",
    config_type=EvalConfig,
    workflow=(
        Step(LoadTask()),
        Step(InitEvalModel()),
        Step(EvaluateTask(standalone=True)),
        Step(Cleanup()),
    ),
)
