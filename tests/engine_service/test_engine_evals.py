"""The evaluation routes: a run's evaluations, its scored samples, and two runs compared."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.engine_service.conftest import Seeded


def _samples(seeded: Seeded, run: str, scores: list[float], step: int = 5) -> None:
    rows = [
        {
            "sample_id": f"q{i:02d}",
            "input": f"<b>question {i}</b>",
            "target": "1",
            "output": "1" if s else "0",
            "score": s,
            "scores": {"f1": s},
            "metadata": {"subject": "math"},
        }
        for i, s in enumerate(scores)
    ]
    seeded.store.log_eval_samples(run, rows, phase="eval", task="arith", step=step)


def test_evals_and_samples_of_a_run(seeded: Seeded, client: TestClient) -> None:
    _samples(seeded, seeded.a, [1, 0, 1])
    found = client.get(f"/v1/runs/{seeded.a[:12]}/evals").json()
    assert found == [
        {"phase": "eval", "task": "arith", "step": 5, "n": 3, "epochs": 1, "mean_score": 2 / 3}
    ]
    rows = client.get(f"/v1/runs/{seeded.a}/samples", params={"limit": 2, "offset": 1}).json()
    assert [r["sample_id"] for r in rows] == ["q01", "q02"]
    assert rows[0]["scores"] == {"f1": 0.0} and rows[0]["metadata"] == {"subject": "math"}
    assert client.get("/v1/runs/nope/evals").status_code == 404


def test_compare_scores_gives_a_verdict(seeded: Seeded, client: TestClient) -> None:
    # a right on 30 of 40, b on 10 of 40, disagreeing on 20 samples: McNemar is clear.
    _samples(seeded, seeded.a, [1.0] * 30 + [0.0] * 10)
    _samples(seeded, seeded.b, [1.0] * 10 + [0.0] * 30)
    found = client.get("/v1/compare/scores", params={"a": seeded.a, "b": seeded.b}).json()
    assert found["task"] == "arith" and found["n"] == 40
    assert found["discordant"] == [20, 0]
    assert found["test"]["test"].startswith("McNemar")
    assert found["test"]["p_value"] < 1e-4
    assert found["mean_a"] == 0.75 and found["mean_b"] == 0.25
    assert "better" in found["verdict"]


def test_compare_scores_errors_are_specific(seeded: Seeded, client: TestClient) -> None:
    missing = client.get("/v1/compare/scores", params={"a": seeded.a, "b": seeded.b})
    assert missing.status_code == 404
    assert "share no evaluated task" in missing.json()["detail"]
    _samples(seeded, seeded.a, [1.0])
    _samples(seeded, seeded.b, [0.0])
    too_few = client.get("/v1/compare/scores", params={"a": seeded.a, "b": seeded.b})
    assert too_few.status_code == 422
    assert "at least 2 shared samples" in too_few.json()["detail"]
