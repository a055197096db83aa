"""The RL recipes end to end on kitchen/tiny: the GRPO workflow runs, logs what it should,
pauses and resumes exactly, and (slow) raises the reward over an SFT warm start."""

from __future__ import annotations

from pathlib import Path

import pytest

from kitchen import events as ev
from kitchen.context import CancelToken
from kitchen.launch import run
from store import open_store

pytestmark = pytest.mark.integration

SMALL = [
    "steps=4",
    "groups_per_batch=4",
    "group_size=4",
    "eval_samples=16",
    "threads=1",
    "save_every=0",
    "drop_constant_groups=false",
    "ppo_epochs=1",
]


def _paused_run(home: Path, overrides: list[str], rollout: int) -> str:
    """Run ``rl_arith`` asking it to pause once rollout ``rollout`` has been logged; its id."""
    token = CancelToken()

    def pause(event: ev.Event) -> None:
        if isinstance(event, ev.Progress) and event.info.get("rollout") == float(rollout):
            token.pause("test")

    paused = run("rl_arith", overrides=overrides, home=home, cancel=token, subscribers=(pause,))
    assert paused.status == "paused", paused.error
    return paused.run_id


def _curve(home: Path, run_id: str, key: str) -> list[float]:
    with open_store(home, read_only=True, background_flush=False) as store:
        return list(store.metric_curve(run_id, key, max_points=100_000).values)


def test_rl_arith_runs_and_logs_rewards_throughput_and_lineage(tmp_path: Path) -> None:
    outcome = run("rl_arith", overrides=SMALL, home=tmp_path)
    assert outcome.status == "succeeded", outcome.error
    assert outcome.steps == 4
    assert {"reward_mean", "correct", "n"} <= set(outcome.eval_metrics)
    with open_store(tmp_path, read_only=True, background_flush=False) as store:
        keys = set(store.metric_keys(outcome.run_id))
        version = store.get_model_version("rl_arith-kitchen-tiny", "latest")
        upstream = store.lineage("model_version", version.id).upstream
    wanted = {
        "rl/reward_mean",
        "rl/reward_std",
        "rl/reward_min",
        "rl/reward_max",
        "rl/sampling_tokens_per_s",
        "rl/training_tokens_per_s",
        "rl/entropy",
        "rl/clip_fraction",
        "env/correct",
        "train/loss",
    }
    assert wanted <= keys
    assert ("model", "kitchen/tiny", "rl_trained_from") in {
        (e.src_kind, e.src_id, e.relation) for e in upstream
    }


def test_kl_penalty_and_the_importance_sampling_loss(tmp_path: Path) -> None:
    outcome = run(
        "rl_arith",
        overrides=[*SMALL, "steps=2", "kl_coef=0.1", "kl_estimator=k1", "loss=importance_sampling"],
        home=tmp_path,
    )
    assert outcome.status == "succeeded", outcome.error
    kl = _curve(tmp_path, outcome.run_id, "rl/kl")
    assert len(kl) == 2 and kl[0] == pytest.approx(0.0, abs=1e-6)  # policy == reference


def test_a_paused_rl_run_resumes_into_the_same_rewards(tmp_path: Path) -> None:
    straight = run("rl_arith", overrides=SMALL, home=tmp_path)
    assert straight.status == "succeeded", straight.error

    paused = _paused_run(tmp_path, SMALL, rollout=2)
    resumed = run(resume=paused, home=tmp_path)
    assert resumed.status == "succeeded", resumed.error
    a = _curve(tmp_path, straight.run_id, "rl/reward_mean")
    b = _curve(tmp_path, paused, "rl/reward_mean")
    assert len(b) == 4 and b == pytest.approx(a, abs=1e-9)
    assert _curve(tmp_path, paused, "train/loss") == pytest.approx(
        _curve(tmp_path, straight.run_id, "train/loss"), rel=1e-6, abs=1e-9
    )


@pytest.mark.slow
def test_rl_raises_the_sampled_reward_over_an_sft_warm_start(tmp_path: Path) -> None:
    # Measured (seed 0, ~90 s of CPU): a 700-step SFT warm start answers 89.5% of the
    # environment's held-out additions greedily but only ~56% when sampling at temperature 1;
    # 100 rollouts of GRPO (the rl_arith defaults) sharpen the policy: held-out reward at
    # temperature 1 rises by about 0.14 and the rollouts' entropy falls.
    warm = run(
        "sft",
        overrides=["max_steps=700", "epochs=6", "eval_samples=20", "save_every=0", "threads=1"],
        home=tmp_path,
    )
    assert warm.status == "succeeded", warm.error
    outcome = run(
        "rl_arith",
        overrides=["model=models:/sft-kitchen-tiny", "eval_temperature=1.0", "threads=1"],
        home=tmp_path,
    )
    assert outcome.status == "succeeded", outcome.error
    before = outcome.baseline_metrics["reward_mean"]
    after = outcome.eval_metrics["reward_mean"]
    assert after >= before + 0.08, (before, after)
    rewards = _curve(tmp_path, outcome.run_id, "rl/reward_mean")
    assert sum(rewards[-10:]) / 10 >= sum(rewards[:10]) / 10 + 0.05


def test_gae_over_a_value_head_trains_the_values_and_resumes_exactly(tmp_path: Path) -> None:
    gae = [*SMALL, "advantage_estimator=gae", "value_coef=1.0", "save_every=2"]
    straight = run("rl_arith", overrides=gae, home=tmp_path)
    assert straight.status == "succeeded", straight.error
    value_loss = _curve(tmp_path, straight.run_id, "rl/value_loss")
    assert len(value_loss) == 4 and value_loss[-1] < value_loss[0]

    paused = _paused_run(tmp_path, gae, rollout=3)
    resumed = run(resume=paused, home=tmp_path)
    assert resumed.status == "succeeded", resumed.error
    # The value head's weights and optimiser state travel in the checkpoint.
    assert _curve(tmp_path, paused, "rl/value_loss") == pytest.approx(value_loss, rel=1e-6)
