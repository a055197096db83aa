"""On-policy distillation: the teacher grades each token the student sampled."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kitchen.context import RunContext
from kitchen.stage import Stage

CHUNK = 64


class TeacherLogprobs(Stage):
    """Score the student's rollouts with the teacher and make the per-token reverse KL the
    (negated) advantage: ``A_t = log p_T(x_t) - log p_S(x_t)``, the single-sample estimate of
    ``-KL(p_S || p_T)`` at each sampled token (Agarwal et al. 2024; Thinking Machines' on-policy
    distillation). Minimising it with the importance-sampling loss moves the student towards
    the teacher exactly where the student goes."""

    name = "teacher_logprobs"
    requires = ("rollouts", "reference")
    provides = ("rollouts", "rollout_stats")

    def run(self, ctx: RunContext[Any]) -> RunContext[Any]:
        teacher = ctx.state.need("reference")
        rollouts = list(ctx.state.need("rollouts"))
        datums = [r.datum for r in rollouts]
        rows: list[tuple[float, ...]] = []
        for start in range(0, len(datums), CHUNK):
            rows += teacher.logprobs(datums[start : start + CHUNK])
        total = count = 0.0
        for index, (rollout, teacher_row) in enumerate(zip(rollouts, rows, strict=True)):
            student_row = rollout.datum.extras["logprobs"]
            assert isinstance(student_row, tuple)
            mask = rollout.datum.loss_mask
            advantages = tuple(
                (t - s) if m else 0.0
                for s, t, m in zip(student_row, teacher_row, mask, strict=True)
            )
            total -= sum(advantages)
            count += sum(mask)
            datum = replace(
                rollout.datum, extras={**rollout.datum.extras, "advantages": advantages}
            )
            rollouts[index] = replace(rollout, datum=datum, advantage=0.0)
        stats = {**ctx.state.rollout_stats, "reverse_kl": total / max(count, 1.0)}
        return ctx.evolve(rollouts=tuple(rollouts), rollout_stats=stats)
