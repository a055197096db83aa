"""Run an evaluation task (GSM8K, MMLU, HumanEval, a data file…) on the run's model and store
every scored sample."""

from __future__ import annotations

import dataclasses
from typing import Any

from kitchen.context import RunContext
from kitchen.events import Progress
from kitchen.stages.held_out import HeldOutEvaluation
from kitchen.stages.init_eval_model import kitchen_model

# Greedy decoding and a fixed seed: an evaluation in a training run is comparable across epochs.
EVAL_SEED = 1234


class EvaluateTask(HeldOutEvaluation):
    """Generate in batches through the task's solvers, score, and report
    ``<prefix>/<task>/<metric>`` (accuracy, stderr, pass@k, tokens/s…) with one stored row per
    sample and epoch.

    In the ``eval`` recipe (``standalone``) the task and model come from earlier stages and
    ``limit``, ``epochs``, ``max_new_tokens`` and ``temperature`` come from the config. In a
    training recipe the task is ``eval_task`` (with ``eval_task_options``), the model is the
    session's current weights, and ``eval_samples`` caps the samples.
    """

    default_name = "evaluate_task"
    requires: tuple[str, ...] = ("session", "tokenizer", "renderer")

    def __init__(
        self, name: str | None = None, *, baseline: bool = False, standalone: bool = False
    ) -> None:
        super().__init__(name, baseline=baseline)
        self.standalone = standalone
        self.reads = (
            ("limit", "epochs", "max_new_tokens", "temperature", "batch_size")
            if standalone
            else ("eval_task", "eval_task_options", "eval_samples", "baseline_eval")
        )
        if standalone:
            self.requires = ("task", "eval_model")

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        from kitchen.tasks.run import run_task

        if self.skipped(ctx):
            return ctx
        cfg, state = ctx.config, ctx.state
        task = state.task
        changes: dict[str, Any] = {}
        if task is None:
            from kitchen.tasks.registry import get_task

            task = get_task(cfg.eval_task, **dict(cfg.eval_task_options))
            changes["task"] = task  # loaded once per run, not once per evaluation
        model = state.eval_model
        if model is None:
            session = state.need("session")
            model = kitchen_model(session, state.need("renderer"), cfg.model, EVAL_SEED, 32)
        if self.standalone:
            limit, epochs, batch = cfg.limit, cfg.epochs or None, cfg.batch_size
            task = _with_generation(task, cfg.max_new_tokens, cfg.temperature)
        else:
            limit, epochs, batch = cfg.eval_samples, None, 32
        if state.judge_model is not None:
            from kitchen.scorers.judge import model_graded_qa

            task = dataclasses.replace(
                task, scorer=(model_graded_qa(state.judge_model), *task.scorers)
            )
        run_id = ctx.meta.run_id

        def progress(done: int, total: int) -> None:
            ctx.emit(Progress(run_id, done, total, unit="sample"))

        result = run_task(
            task, model, limit=limit, epochs=epochs, batch_size=batch, on_batch=progress
        )
        metrics = {f"{task.name}/{key}": value for key, value in result.metrics.items()}
        rows = [dataclasses.asdict(sample) for sample in result.samples]
        accuracy = result.metrics.get("accuracy", float("nan"))
        stderr = result.metrics.get("stderr", float("nan"))
        summary = (
            f"{task.name} on {len(result.samples)} samples ({task.source}): "
            f"accuracy {accuracy:.3f} ± {stderr:.3f}"
        )
        key = "baseline_metrics" if self.baseline else "eval_metrics"
        earlier = dict(getattr(state, key))
        ctx = self.report(ctx, metrics, summary=summary, rows=rows, artifact=task.name, **changes)
        # Task metrics are named by task, so they join a training run's held-out metrics
        # (which the registered model version keeps) rather than replace them.
        return ctx.evolve(**{key: {**earlier, **metrics}})


def _with_generation(task: Any, max_new_tokens: int, temperature: float | None) -> Any:
    """``task`` with the run's generation settings over its own (0 / None keep the task's)."""
    changes: dict[str, Any] = {}
    if max_new_tokens:
        changes["max_new_tokens"] = max_new_tokens
    if temperature is not None:
        changes["temperature"] = temperature
    if not changes:
        return task
    return dataclasses.replace(task, config=dataclasses.replace(task.config, **changes))
