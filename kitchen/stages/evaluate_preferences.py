"""Score held-out preference pairs: does the model prefer the chosen reply?"""

from __future__ import annotations

from typing import Any

from kitchen.context import RunContext
from kitchen.stages.held_out import HeldOutEvaluation

CHUNK = 64


def _number(value: float | tuple[float, ...]) -> float:
    return float(value) if isinstance(value, int | float) else float(sum(value))


class EvaluatePreferences(HeldOutEvaluation):
    """Held-out preference metrics of the current weights.

    - ``preference_accuracy``: the share of pairs where the policy gives the chosen reply a
      higher log-probability than the rejected one (meaningful before training too);
    - ``reward_accuracy`` and ``reward_margin``: DPO's implicit reward β·(log π − log π_ref),
      chosen minus rejected (0 before training, by construction).
    """

    requires = ("session", "eval_data")
    reads = ("beta", "baseline_eval")

    default_name = "evaluate_preferences"

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        cfg = ctx.config
        if self.skipped(ctx):
            return ctx
        data = ctx.state.need("eval_data")
        if not data:
            ctx.log("no held-out pairs: skipping evaluation", level="warning", stage=self.name)
            return ctx
        session = ctx.state.need("session")
        sums: list[float] = []
        for start in range(0, len(data), CHUNK):
            sums += [sum(row) for row in session.logprobs(data[start : start + CHUNK])]
        refs = [_number(d.extras.get("ref_logprob", 0.0)) for d in data]
        pairs = len(data) // 2
        prefer = margins = wins = 0.0
        rows = []
        for i in range(pairs):
            chosen, rejected = sums[2 * i], sums[2 * i + 1]
            margin = cfg.beta * ((chosen - refs[2 * i]) - (rejected - refs[2 * i + 1]))
            prefer += chosen > rejected
            wins += margin > 0
            margins += margin
            rows.append(
                {
                    "sample_id": str(i),
                    "input": f"preference pair {i}",
                    "target": "chosen",
                    "output": "chosen" if chosen > rejected else "rejected",
                    "score": float(chosen > rejected),
                    "scores": {"chosen": chosen, "rejected": rejected, "margin": margin},
                }
            )
        metrics = {
            "preference_accuracy": prefer / pairs,
            "reward_accuracy": wins / pairs,
            "reward_margin": margins / pairs,
            "n": float(pairs),
        }
        summary = (
            f"on {pairs} pairs: preference accuracy {metrics['preference_accuracy']:.3f}, "
            f"reward margin {metrics['reward_margin']:.3f}"
        )
        return self.report(ctx, metrics, summary=summary, rows=rows, artifact="preferences")
