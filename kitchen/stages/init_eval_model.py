"""The model an evaluation run scores: a Kitchen model in a session, or an OpenAI-compatible
endpoint; and the judge model when the run grades with one."""

from __future__ import annotations

from typing import Any

from kitchen.chat import get_renderer
from kitchen.context import RunContext
from kitchen.stage import Stage
from kitchen.stages.init_session import session_spec


class InitEvalModel(Stage):
    """Start the evaluated model (and the judge, if any) and expose them as task models.

    ``endpoint`` set: ``model`` is the name the server knows and nothing is loaded here.
    Otherwise ``model`` is resolved like a training run's (``kitchen/tiny``, ``models:/…``, a
    folder or a hub id) and sampled in batches through the session's sampler.
    """

    name = "init_eval_model"
    provides = ("eval_model", "session", "tokenizer", "renderer")
    reads = (
        "model",
        "endpoint",
        "api_key_env",
        "judge",
        "judge_endpoint",
        "seed",
        "device",
        "threads",
        "chat_template",
        "batch_size",
    )

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        cfg = ctx.config
        if cfg.endpoint:
            from kitchen.tasks.openai_model import OpenAICompatibleModel

            model: Any = OpenAICompatibleModel(cfg.endpoint, cfg.model, api_key_env=cfg.api_key_env)
            ctx.log(f"{cfg.model} at {cfg.endpoint}", stage=self.name)
            changes: dict[str, Any] = {"eval_model": model}
        else:
            session = ctx.ports.backend.start_session(session_spec(ctx))
            ctx.log(
                f"{cfg.model}: {session.num_parameters:,} parameters on {session.device}",
                stage=self.name,
            )
            tokenizer = session.tokenizer
            renderer = get_renderer(cfg.chat_template, tokenizer)
            changes = {
                "session": session,
                "tokenizer": tokenizer,
                "renderer": renderer,
                "eval_model": kitchen_model(session, renderer, cfg.model, cfg.seed, cfg.batch_size),
            }
        if cfg.judge:
            changes.update(self._judge(ctx))
        return ctx.evolve(**changes)

    def _judge(self, ctx: RunContext[Any]) -> dict[str, Any]:
        cfg = ctx.config
        if cfg.judge_endpoint:
            from kitchen.tasks.openai_model import OpenAICompatibleModel

            judge = OpenAICompatibleModel(
                cfg.judge_endpoint, cfg.judge, api_key_env=cfg.api_key_env
            )
            ctx.log(f"judge {cfg.judge} at {cfg.judge_endpoint}", stage=self.name)
            return {"judge_model": judge}
        session = ctx.ports.backend.start_session(session_spec(ctx, model=cfg.judge))
        renderer = get_renderer(cfg.chat_template, session.tokenizer)
        ctx.log(f"judge {cfg.judge}: {session.num_parameters:,} parameters", stage=self.name)
        # The judge's session is closed with the reference model's by the cleanup stage.
        return {
            "reference": session,
            "judge_model": kitchen_model(session, renderer, cfg.judge, cfg.seed, cfg.batch_size),
        }

    def rollback(self, ctx: RunContext[Any], error: BaseException) -> None:
        for session in (ctx.state.session, ctx.state.reference):
            if session is not None:
                session.close()


def kitchen_model(session: Any, renderer: Any, name: str, seed: int, batch_size: int) -> Any:
    """A task model over a session's sampler (seeded), tokenizer and chat renderer."""
    from kitchen.tasks.kitchen_model import KitchenModel

    return KitchenModel(
        session.sampler(seed=seed), session.tokenizer, renderer, name=name, batch_size=batch_size
    )
