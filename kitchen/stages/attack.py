"""Attack the run's model (a text classifier, or an LLM on an eval task) and store the
robustness report as an ``adversary`` analysis of that model version."""

from __future__ import annotations

from typing import Any

from kitchen.context import RunContext
from kitchen.errors import ConfigError
from kitchen.events import Metrics
from kitchen.models.resolve import registered_identity
from kitchen.stage import Stage


def attacks_llm(ctx: RunContext[Any]) -> bool:
    """Whether the run attacks an LLM on a task (``task`` set) rather than a classifier."""
    return bool(ctx.config.task)


class AttackModel(Stage):
    """Run every attack at every severity, report ``adversary/…`` metrics and store the report.

    Without ``task`` the model must be a saved text classifier (``classify`` recipe) attacked
    on ``data``; with ``task`` the earlier stages have loaded the task and the LLM. The report
    is stored through the analysis port (kind ``adversary``, with this run's id) whether the
    run is embedded or in an engine worker. An LLM's sessions are closed here once the attack
    is done.
    """

    name = "attack_model"
    provides = ("eval_metrics",)
    reads = (
        "model",
        "task",
        "data",
        "split",
        "attacks",
        "severities",
        "tries",
        "limit",
        "seed",
        "batch_size",
        "threshold",
        "worst_k",
        "threads",
    )

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        from kitchen.analysis.adversary import make_attack
        from kitchen.analysis.adversary.persist import save_report

        cfg = ctx.config
        attacks = [make_attack(spec) for spec in cfg.attacks]
        if not attacks:
            raise ConfigError("attacks: name at least one attack (see kitchen attack list)")
        model_name, version = registered_identity(str(cfg.model), ctx.ports.registry)
        common: dict[str, Any] = {
            "severities": tuple(cfg.severities),
            "seed": cfg.seed,
            "tries": cfg.tries,
            "worst_k": cfg.worst_k,
            "model_name": model_name,
            "model_version": version,
        }
        if attacks_llm(ctx):
            report = self._attack_llm(ctx, attacks, common)
        else:
            report = self._attack_classifier(ctx, attacks, common)
        analysis_id = save_report(ctx.ports.analyses, report, run_id=ctx.meta.run_id)
        ctx.log(f"stored analysis {analysis_id}", stage=self.name)
        metrics = {"adversary/clean_accuracy": report.clean_accuracy}
        for result in report.attacks:
            strongest = result.strongest
            metrics[f"adversary/{result.name}/accuracy"] = strongest.accuracy
            metrics[f"adversary/{result.name}/accuracy_drop"] = strongest.accuracy_drop
            if strongest.success_rate is not None:
                metrics[f"adversary/{result.name}/success_rate"] = strongest.success_rate
        ctx.emit(Metrics(ctx.meta.run_id, 0, metrics))
        ctx.log(_describe(report), stage=self.name)
        return ctx.evolve(eval_metrics=metrics)

    def _attack_classifier(
        self, ctx: RunContext[Any], attacks: list[Any], common: dict[str, Any]
    ) -> Any:
        import torch

        from kitchen.analysis.adversary import attack_classifier
        from kitchen.analysis.classifier import TextClassifier, load_examples
        from kitchen.models.resolve import resolve_model

        cfg = ctx.config
        if cfg.threads:
            torch.set_num_threads(cfg.threads)
        folder = resolve_model(
            cfg.model,
            home=ctx.meta.home,
            hub=ctx.ports.hub,
            registry=ctx.ports.registry,
            blobs=ctx.ports.blobs,
        )
        if not TextClassifier.is_saved(folder):
            raise ConfigError(
                f"model: {cfg.model!r} is not a text classifier (no classifier.json); "
                "set task= to attack a language model on an evaluation task"
            )
        clf = TextClassifier.load(folder)
        data = load_examples(cfg.data, cfg.split, limit=cfg.limit)
        source = cfg.data if cfg.split == "test" else f"{cfg.data}:{cfg.split}"
        ctx.log(f"attacking {cfg.model} on {len(data)} texts of {source}", stage=self.name)
        return attack_classifier(
            clf,
            data.texts,
            data.labels,
            attacks,
            ids=data.ids,
            data=source,
            batch_size=cfg.batch_size,
            **common,
        )

    def _attack_llm(self, ctx: RunContext[Any], attacks: list[Any], common: dict[str, Any]) -> Any:
        from kitchen.analysis.adversary import attack_task

        cfg, state = ctx.config, ctx.state
        try:
            return attack_task(
                state.task,  # type: ignore[arg-type]
                state.eval_model,  # type: ignore[arg-type]
                attacks,
                limit=cfg.limit,
                batch_size=cfg.batch_size,
                threshold=cfg.threshold,
                **common,
            )
        finally:
            self._close(ctx)

    def _close(self, ctx: RunContext[Any]) -> None:
        for session in (ctx.state.session, ctx.state.reference):
            if session is not None:
                session.close()


def _describe(report: Any) -> str:
    worst = max(report.attacks, key=lambda a: a.strongest.accuracy_drop)
    return (
        f"clean accuracy {report.clean_accuracy:.3f} on {report.n_examples}; worst attack "
        f"{worst.name}: accuracy {worst.strongest.accuracy:.3f} "
        f"(success rate {worst.strongest.success_rate or 0:.2f})"
    )
