"""A store with runs worth reporting: curves, stage timings, baseline and final per-sample
evaluations (with subjects, tokens, latency and a hostile input), lineage, a model version,
secrets in the params, a run without evaluations, and a second run to compare with."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from store import Store, open_store

HOSTILE = "<script>alert('x')</script> & what is 2+2?"
SECRET_VALUE = "sk-live-0123456789abcdefSECRET"


@dataclass(frozen=True)
class Seeded:
    """The seeded store and the ids and inputs the tests check against."""

    store: Store
    home: Path
    full: str  # curves, stages, baseline + final evals, lineage, model version, secrets
    bare: str  # metrics only, no evaluation
    other: str  # a second run evaluated on the same task (for --compare)
    final_scores: list[float]
    baseline_scores: list[float]
    other_scores: list[float]
    sweep: dict[str, list[float]]  # batch experiment "sweep": condition -> values by seed


def eval_rows(scores: list[float], *, seed: int) -> list[dict[str, object]]:
    """Rows of one evaluation: sample i has score ``scores[i]`` and a subject."""
    rng = random.Random(seed)
    return [
        {
            "sample_id": f"q{i:03d}",
            "input": HOSTILE if i == 0 else f"What is {i} + {i}? " + "Explain. " * 40,
            "target": str(2 * i),
            "output": str(2 * i) if s else str(2 * i + 1),
            "score": s,
            "input_tokens": 20 + i % 7,
            "output_tokens": 3 + i % 3,
            "latency_s": 0.05 + rng.random() / 20,
            "metadata": {"subject": "algebra" if i % 2 else "arithmetic"},
        }
        for i, s in enumerate(scores)
    ]


def _bernoulli(n: int, p: float, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [1.0 if rng.random() < p else 0.0 for _ in range(n)]


def seed_store(store: Store, home: Path) -> Seeded:
    """Fill ``store``; see :class:`Seeded`."""
    config = {
        "model": "tiny-llama",
        "dataset": "kitchen/arithmetic",
        "learning_rate": 0.001,
        "api_key": "plain-secret-value",
        "hub": {"token": "hf_abcdefghijklmnop"},
        "note": SECRET_VALUE,
        "pad_token": "<pad>",
    }
    full = store.create_run(
        recipe="sft",
        experiment="arith",
        name="sft-tiny",
        config=config,
        seed=7,
        git_commit="abc1234",
    )
    store.set_run_status(full.id, "running")
    store.log_params(full.id, config)
    for step in range(1, 121):
        store.log_metrics(
            full.id, step, {"train/loss": 3.0 / step**0.5, "train/lr": 1e-3 * (1 - step / 121)}
        )
    store.log_metrics(full.id, 0, {"baseline/exact_match": 0.3})
    for step, value in ((40, 0.45), (80, 0.6), (120, 0.7)):
        store.log_metrics(full.id, step, {"eval/exact_match": value})
    for path, stage, seconds in (
        ("load", "load_data", 0.4),
        ("train", "train_epoch", 12.5),
        ("eval", "evaluate", 3.25),
    ):
        store.log_stage_event(full.id, path, stage, "started")
        store.log_stage_event(full.id, path, stage, "finished", duration_s=seconds)
    n = 60
    baseline = _bernoulli(n, 0.3, 1)
    final = _bernoulli(n, 0.75, 2)
    store.log_eval_samples(
        full.id, eval_rows(baseline, seed=3), phase="baseline", task="arith", step=0
    )
    store.log_eval_samples(
        full.id, eval_rows(_bernoulli(n, 0.5, 9), seed=4), phase="eval", task="arith", step=40
    )
    store.log_eval_samples(full.id, eval_rows(final, seed=5), phase="eval", task="arith", step=120)
    store.link("dataset", "kitchen/arithmetic", "run", full.id, "trained_on")
    artifact = store.log_artifact_bytes(full.id, b"weights", name="model.safetensors", kind="model")
    store.create_model("tiny")
    store.register_model_version("tiny", run_id=full.id, artifact_id=artifact.id)
    store.set_alias("tiny", "champion", 1)
    store.set_run_status(full.id, "succeeded")

    bare = store.create_run(
        recipe="sft", experiment="arith", name="no-eval", config={"model": "tiny-llama"}
    )
    store.set_run_status(bare.id, "running")
    for step in range(1, 11):
        store.log_metrics(bare.id, step, {"train/loss": 2.0 / step})
    store.set_run_status(bare.id, "failed", error_type="TrainingError", error_message="NaN loss")

    other = store.create_run(
        recipe="sft", experiment="arith", name="sft-other", config={"model": "tiny-llama"}
    )
    other_scores = _bernoulli(n, 0.5, 6)
    store.log_eval_samples(
        other.id, eval_rows(other_scores, seed=7), phase="eval", task="arith", step=50
    )
    sweep = seed_sweep(store, home)
    store.flush()
    return Seeded(store, home, full.id, bare.id, other.id, final, baseline, other_scores, sweep)


SWEEP = {
    "low": [0.52, 0.55, 0.5, 0.54],
    "mid": [0.61, 0.66, 0.63, 0.6],
    "high": [0.7, 0.74, 0.77, 0.72],
}


def seed_sweep(store: Store, home: Path) -> dict[str, list[float]]:
    """A batch experiment as ``kitchen experiment run`` leaves it: a saved spec and runs named
    ``condition@sSEED#ATTEMPT``; seed 4 of ``high`` failed on both of its attempts."""
    from kitchen.experiments.records import SpecRecord, save_record
    from kitchen.experiments.spec import parse_spec

    spec = parse_spec(
        {
            "name": "sweep",
            "recipe": "sft",
            "description": "Learning-rate sweep on arithmetic",
            "conditions": [
                {"name": "low", "learning_rate": 1e-4},
                {"name": "mid", "learning_rate": 1e-3},
                {"name": "high", "learning_rate": 3e-3},
            ],
            "seeds": [0, 1, 2, 3, 4],
            "retries": 1,
        }
    )
    save_record(home, SpecRecord(spec, str(home), "sweep.yaml"))
    for condition, values in SWEEP.items():
        for seed, value in enumerate(values):
            run = store.create_run(
                recipe="sft", experiment="sweep", name=f"{condition}@s{seed}#1", seed=seed
            )
            store.set_run_status(run.id, "running")
            store.log_metrics(run.id, 10, {"eval/exact_match": value, "train/loss": 1 - value})
            store.set_run_status(run.id, "succeeded")
        for attempt in (1, 2) if condition == "high" else ():
            run = store.create_run(
                recipe="sft", experiment="sweep", name=f"{condition}@s4#{attempt}", seed=4
            )
            store.set_run_status(run.id, "running")
            store.set_run_status(
                run.id, "failed", error_type="TrainingError", error_message="NaN loss"
            )
    return SWEEP


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """A seeded store shared by a module's tests (read only by them), open read-write."""
    home = tmp_path_factory.mktemp("report") / "home"
    with open_store(home, background_flush=False, flush_interval_s=None) as store:
        yield seed_store(store, home)


@pytest.fixture
def closed_home(_isolated_home: Path) -> tuple[Path, Seeded]:
    """A seeded store in the test's home, closed again (for the CLI, which opens it itself)."""
    with open_store(_isolated_home, background_flush=False, flush_interval_s=None) as store:
        found = seed_store(store, _isolated_home)
    return _isolated_home, found
