"""Reference sketches: what a drift check keeps of a reference window instead of its rows.

A sketch is computed once per model version and stored (analysis kind ``drift_reference``);
later checks load it rather than re-read the reference window. Per feature it keeps:

- numeric: count, missing count, quantile bin edges with the counts in each bin (exact PSI
  and JS against any current window) and a seeded reservoir sample, sorted, for KS and
  Wasserstein (exact while the window fits in the reservoir);
- categorical: the frequency of each category (the most frequent ``max_categories``, the
  rest pooled under :data:`~kitchen.analysis.drift.stats.OTHER`);
- text: the MiniLM embeddings of a seeded sample of the texts, and their centroid.

Arrays travel as base64 of little-endian float64 (float32 for embeddings) inside the JSON, a
third the size of number lists and exact.
"""

from __future__ import annotations

import base64
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from kitchen.analysis.drift.stats import OTHER, FloatArray, bin_counts_sorted, quantile_edges
from kitchen.errors import ConfigError

FeatureKind = Literal["numeric", "categorical", "text"]

SKETCH_FORMAT = 1
"""Bumped when the stored layout changes; older sketches are refused with a clear message."""


def feature_rng(seed: int, feature: str) -> np.random.Generator:
    """A generator for one feature: the same seed and name always draw the same numbers,
    whatever order the features come in."""
    return np.random.default_rng([seed, zlib.crc32(feature.encode())])


class Reservoir:
    """A fixed-size uniform sample of a stream (Vitter's algorithm R), seeded.

    ``add`` takes values in chunks; after n values each has had probability k/n of being in
    the sample. Chunks are processed vectorised: item i (0-based, i ≥ k) draws j uniform in
    [0, i] and replaces slot j when j < k, later items overwriting earlier ones as in the
    sequential algorithm.
    """

    def __init__(self, size: int, rng: np.random.Generator) -> None:
        if size < 1:
            raise ConfigError(f"the reservoir size must be at least 1, got {size}")
        self.size = size
        self.seen = 0
        self._rng = rng
        self._slots = np.empty(size, dtype=np.float64)

    def add(self, values: npt.ArrayLike) -> None:
        chunk = np.asarray(values, dtype=np.float64).reshape(-1)
        fill = min(max(self.size - self.seen, 0), chunk.size)
        self._slots[self.seen : self.seen + fill] = chunk[:fill]
        rest = chunk[fill:]
        if rest.size:
            positions = np.arange(self.seen + fill, self.seen + chunk.size)
            draws = np.floor(self._rng.random(rest.size) * (positions + 1)).astype(np.int64)
            keep = draws < self.size
            # Fancy assignment keeps the last write to a repeated slot, as the loop would.
            self._slots[draws[keep]] = rest[keep]
        self.seen += chunk.size

    def sample(self) -> FloatArray:
        """The sample so far (all values while fewer than ``size`` were seen)."""
        return self._slots[: min(self.seen, self.size)].copy()


@dataclass(frozen=True)
class NumericSketch:
    """A numeric feature of the reference window."""

    n: int
    missing: int
    edges: FloatArray
    counts: npt.NDArray[np.int64]
    sample: FloatArray  # ascending
    mean: float
    std: float

    @property
    def exact(self) -> bool:
        """Whether the sample is every reference value (KS and Wasserstein are then exact)."""
        return self.sample.size == self.n


@dataclass(frozen=True)
class CategoricalSketch:
    """A categorical feature of the reference window: counts per category, most frequent
    first, with :data:`OTHER` last when rare categories were pooled."""

    n: int
    missing: int
    counts: Mapping[str, int]

    @property
    def categories(self) -> tuple[str, ...]:
        """The known categories (without the pooled :data:`OTHER`)."""
        return tuple(c for c in self.counts if c != OTHER)


@dataclass(frozen=True)
class TextSketch:
    """A text column of the reference window, as embeddings."""

    n: int
    embeddings: npt.NDArray[np.float32]
    centroid: FloatArray
    encoder: str


@dataclass(frozen=True)
class ReferenceSketch:
    """Everything a drift check needs of one reference window."""

    n_events: int
    numeric: Mapping[str, NumericSketch] = field(default_factory=dict)
    categorical: Mapping[str, CategoricalSketch] = field(default_factory=dict)
    text: Mapping[str, TextSketch] = field(default_factory=dict)
    seed: int = 0
    sample_size: int = 0
    bins: int = 10

    def kind_of(self, name: str) -> FeatureKind | None:
        """The feature's kind, or None when the reference has no such feature."""
        if name in self.numeric:
            return "numeric"
        if name in self.categorical:
            return "categorical"
        if name in self.text:
            return "text"
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (what the store keeps as the analysis result)."""
        return {
            "format": SKETCH_FORMAT,
            "n_events": self.n_events,
            "seed": self.seed,
            "sample_size": self.sample_size,
            "bins": self.bins,
            "numeric": {
                name: {
                    "n": s.n,
                    "missing": s.missing,
                    "edges": _b64(s.edges, np.float64),
                    "counts": [int(c) for c in s.counts],
                    "sample": _b64(s.sample, np.float64),
                    "mean": _num(s.mean),
                    "std": _num(s.std),
                }
                for name, s in self.numeric.items()
            },
            "categorical": {
                name: {"n": s.n, "missing": s.missing, "counts": dict(s.counts)}
                for name, s in self.categorical.items()
            },
            "text": {
                name: {
                    "n": s.n,
                    "encoder": s.encoder,
                    "dimensions": int(s.embeddings.shape[1]),
                    "embeddings": _b64(s.embeddings, np.float32),
                    "centroid": _b64(s.centroid, np.float64),
                }
                for name, s in self.text.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReferenceSketch:
        """Rebuild a sketch from :meth:`to_dict`'s output.

        Raises:
            ConfigError: a sketch of another format (recompute it with `kitchen drift
                reference`).
        """
        if data.get("format") != SKETCH_FORMAT:
            raise ConfigError(
                f"the stored drift reference has format {data.get('format')!r}, this Kitchen "
                f"reads {SKETCH_FORMAT}; compute it again with `kitchen drift reference`"
            )
        numeric = {
            name: NumericSketch(
                n=int(s["n"]),
                missing=int(s["missing"]),
                edges=_unb64(s["edges"], np.float64),
                counts=np.asarray(s["counts"], dtype=np.int64),
                sample=_unb64(s["sample"], np.float64),
                mean=_float(s["mean"]),
                std=_float(s["std"]),
            )
            for name, s in data["numeric"].items()
        }
        categorical = {
            name: CategoricalSketch(int(s["n"]), int(s["missing"]), dict(s["counts"]))
            for name, s in data["categorical"].items()
        }
        text = {
            name: TextSketch(
                n=int(s["n"]),
                embeddings=_unb64(s["embeddings"], np.float32).reshape(-1, int(s["dimensions"])),
                centroid=_unb64(s["centroid"], np.float64),
                encoder=str(s["encoder"]),
            )
            for name, s in data["text"].items()
        }
        return cls(
            n_events=int(data["n_events"]),
            numeric=numeric,
            categorical=categorical,
            text=text,
            seed=int(data["seed"]),
            sample_size=int(data["sample_size"]),
            bins=int(data["bins"]),
        )


def sketch_numeric(
    values: npt.ArrayLike, *, name: str, sample_size: int | None, bins: int, seed: int
) -> NumericSketch:
    """The sketch of one numeric feature; NaN marks a missing value.

    ``sample_size=None`` keeps every value (the exact sketch a raw reference window gets).
    """
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    present = array[np.isfinite(array)]
    missing = int(array.size - present.size)
    if present.size == 0:
        empty = np.zeros(0)
        return NumericSketch(0, missing, empty, np.zeros(1, np.int64), empty, 0.0, 0.0)
    ordered = np.sort(present)
    edges = quantile_edges(ordered, bins)
    if sample_size is None or present.size <= sample_size:
        sample = ordered
    else:
        reservoir = Reservoir(sample_size, feature_rng(seed, name))
        reservoir.add(present)
        sample = np.sort(reservoir.sample())
    return NumericSketch(
        n=int(present.size),
        missing=missing,
        edges=edges,
        counts=bin_counts_sorted(ordered, edges),
        sample=sample,
        mean=float(ordered.mean()),
        std=float(ordered.std()),
    )


def sketch_categorical(values: Sequence[str | None], *, max_categories: int) -> CategoricalSketch:
    """The sketch of one categorical feature; None marks a missing value."""
    present = [v for v in values if v is not None]
    counter = Counter(present)
    ordered = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    kept = dict(ordered[:max_categories])
    pooled = sum(count for _, count in ordered[max_categories:])
    if pooled:
        kept[OTHER] = pooled
    return CategoricalSketch(len(present), len(values) - len(present), kept)


def sketch_text(embeddings: npt.NDArray[np.float32], *, n: int, encoder: str) -> TextSketch:
    """The sketch of a text column from the embeddings of its sampled texts."""
    return TextSketch(
        n=n,
        embeddings=np.asarray(embeddings, dtype=np.float32),
        centroid=np.asarray(embeddings, dtype=np.float64).mean(axis=0),
        encoder=encoder,
    )


def _b64(array: npt.ArrayLike, dtype: type[np.floating[Any]]) -> str:
    raw = np.ascontiguousarray(np.asarray(array, dtype=np.dtype(dtype).newbyteorder("<")))
    return base64.b64encode(raw.tobytes()).decode("ascii")


def _unb64(text: str, dtype: type[np.floating[Any]]) -> Any:
    raw = base64.b64decode(text.encode("ascii"))
    return np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<")).astype(dtype)


def _num(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _float(value: Any) -> float:
    return float("nan") if value is None else float(value)
