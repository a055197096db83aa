"""Where an explanation's data and model come from, named by strings a config can hold.

Data:
    ``sklearn:breast_cancer`` / ``sklearn:diabetes`` (bundled with scikit-learn, offline),
    ``synthetic:classification`` / ``synthetic:regression`` (seeded ``make_*``),
    ``csv:PATH`` (numeric columns; ``target_column`` names the label),
    ``texts:PATH`` (one text per line, or JSONL with a ``text`` field), ``builtin:reviews``,
    ``sentiment:train`` / ``sentiment:test`` (the classifier's shipped sentiment set).
Models:
    ``sklearn:random_forest`` / ``sklearn:gradient_boosting`` / ``sklearn:logistic`` /
    ``sklearn:linear`` (fitted here on the data's training split, seeded, so the same name and
    seed rebuild the same model), ``joblib:PATH`` (a fitted estimator),
    ``tiny-bert`` (a random tiny BERT: a workload for tests and benchmarks),
    ``classifier:PATH`` (a saved :class:`kitchen.analysis.classifier.TextClassifier`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kitchen.errors import ConfigError, DataError

REVIEWS = (
    "a wonderful film with a moving story and great acting",
    "the plot was dull and the dialogue painfully bad",
    "i loved every minute, the music is beautiful",
    "boring, slow and far too long",
    "an excellent cast makes this a joy to watch",
    "terrible pacing and a weak ending ruined it",
    "funny, clever and surprisingly warm",
    "i want my two hours back, awful",
    "not great but not bad either",
    "the best movie i have seen this year",
    "a mess of clichés with no heart",
    "charming and well made, recommended",
)


@dataclass(frozen=True, slots=True)
class TabularData:
    """A train/test split of a numeric table."""

    x_train: np.ndarray
    x_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]
    task: str  # "classification" | "regression"


def load_tabular(
    source: str, *, target_column: str = "target", seed: int = 0, test_fraction: float = 0.2
) -> TabularData:
    """Load ``source`` and split it (stratified for classification) with ``seed``.

    Raises:
        ConfigError: an unknown source.
        DataError: a CSV without the target column or with non-numeric features.
    """
    from sklearn import datasets
    from sklearn.model_selection import train_test_split

    kind, _, arg = source.partition(":")
    if source == "sklearn:breast_cancer":
        bunch = datasets.load_breast_cancer()
        x, y, names, task = bunch.data, bunch.target, bunch.feature_names, "classification"
    elif source == "sklearn:diabetes":
        bunch = datasets.load_diabetes()
        x, y, names, task = bunch.data, bunch.target, bunch.feature_names, "regression"
    elif source == "synthetic:classification":
        x, y = datasets.make_classification(
            n_samples=400, n_features=8, n_informative=4, random_state=seed
        )
        names, task = [f"x{i}" for i in range(8)], "classification"
    elif source == "synthetic:regression":
        x, y = datasets.make_regression(
            n_samples=400, n_features=8, n_informative=4, noise=1.0, random_state=seed
        )
        names, task = [f"x{i}" for i in range(8)], "regression"
    elif kind == "csv" and arg:
        x, y, names, task = _read_csv(Path(arg), target_column)
    else:
        raise ConfigError(
            f"unknown tabular data {source!r}: use sklearn:breast_cancer, sklearn:diabetes, "
            "synthetic:classification, synthetic:regression or csv:PATH"
        )
    stratify = y if task == "classification" else None
    x_train, x_test, y_train, y_test = train_test_split(
        np.asarray(x, dtype=np.float64),
        np.asarray(y),
        test_size=test_fraction,
        random_state=seed,
        stratify=stratify,
    )
    return TabularData(x_train, x_test, y_train, y_test, tuple(str(n) for n in names), task)


def _read_csv(path: Path, target: str) -> tuple[np.ndarray, np.ndarray, list[str], str]:
    import pandas as pd

    if not path.is_file():
        raise DataError(f"no CSV file at {path}")
    frame = pd.read_csv(path)
    if target not in frame.columns:
        raise DataError(f"{path}: no target column {target!r} (columns: {list(frame.columns)})")
    features = frame.drop(columns=[target])
    bad = [c for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])]
    if bad:
        raise DataError(f"{path}: explain numeric features only; not numeric: {bad}")
    y = frame[target].to_numpy()
    integral = pd.api.types.is_integer_dtype(frame[target]) or not pd.api.types.is_numeric_dtype(
        frame[target]
    )
    task = "classification" if integral and len(np.unique(y)) <= 20 else "regression"
    return features.to_numpy(), y, [str(c) for c in features.columns], task


def load_texts(source: str) -> list[str]:
    """Texts from ``texts:PATH`` (lines, or JSONL with ``text``) or ``builtin:reviews``.

    Raises:
        ConfigError: an unknown source. DataError: a missing or empty file.
    """
    if source == "builtin:reviews":
        return list(REVIEWS)
    if source.startswith("sentiment:"):
        from kitchen.analysis.classifier.data import load_examples

        return list(load_examples("kitchen/sentiment", source.partition(":")[2]).texts)
    kind, _, arg = source.partition(":")
    if kind != "texts" or not arg:
        raise ConfigError(
            f"unknown text data {source!r}: use texts:PATH, builtin:reviews or sentiment:SPLIT"
        )
    path = Path(arg)
    if not path.is_file():
        raise DataError(f"no texts file at {path}")
    texts = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        if path.suffix == ".jsonl":
            try:
                texts.append(str(json.loads(line)["text"]))
            except (ValueError, KeyError, TypeError):
                raise DataError(f"{path}:{number}: expected a JSON object with 'text'") from None
        else:
            texts.append(line.strip())
    if not texts:
        raise DataError(f"{path} holds no texts")
    return texts


SKLEARN_MODELS = ("random_forest", "gradient_boosting", "logistic", "linear")


def fit_sklearn(name: str, data: TabularData, *, seed: int = 0) -> Any:
    """Fit ``sklearn:<name>`` on the training split, seeded.

    Raises:
        ConfigError: an unknown model, or one that does not fit the task.
    """
    from sklearn.ensemble import (
        GradientBoostingClassifier,
        GradientBoostingRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    from sklearn.linear_model import LinearRegression, LogisticRegression

    classify = data.task == "classification"
    model: Any
    if name == "random_forest":
        cls = RandomForestClassifier if classify else RandomForestRegressor
        model = cls(n_estimators=50, max_depth=6, random_state=seed, n_jobs=1)
    elif name == "gradient_boosting":
        cls2 = GradientBoostingClassifier if classify else GradientBoostingRegressor
        model = cls2(n_estimators=50, max_depth=3, random_state=seed)
    elif name == "logistic":
        if not classify:
            raise ConfigError("sklearn:logistic is a classifier; use sklearn:linear to regress")
        # No scaler pipeline: LinearExplainer needs the bare coefficients, so a larger
        # max_iter copes with the raw feature scales instead.
        model = LogisticRegression(max_iter=5000, random_state=seed)
    elif name == "linear":
        if classify:
            raise ConfigError("sklearn:linear is a regressor; use sklearn:logistic to classify")
        model = LinearRegression()
    else:
        raise ConfigError(f"unknown sklearn model {name!r}; known: {', '.join(SKLEARN_MODELS)}")
    return model.fit(data.x_train, data.y_train)


def load_model(ref: str, *, data: TabularData | None = None, seed: int = 0) -> Any:
    """The model ``ref`` names (see the module docstring).

    Raises:
        ConfigError: an unknown reference, or an sklearn model without data to fit on.
    """
    kind, _, arg = ref.partition(":")
    if kind == "sklearn":
        if data is None:
            raise ConfigError(f"{ref} is fitted on tabular data; give tabular data")
        return fit_sklearn(arg, data, seed=seed)
    if kind == "joblib" and arg:
        import joblib

        path = Path(arg)
        if not path.is_file():
            raise DataError(f"no fitted model at {path}")
        return joblib.load(path)
    if ref == "tiny-bert":
        from kitchen.analysis.xai.hf import tiny_bert

        return tiny_bert(seed=seed)
    if kind == "classifier" and arg:
        return _load_classifier(Path(arg))
    raise ConfigError(
        f"unknown model {ref!r}: use sklearn:<{'|'.join(SKLEARN_MODELS)}>, joblib:PATH, "
        "tiny-bert or classifier:PATH"
    )


def _load_classifier(path: Path) -> Any:
    try:
        from kitchen.analysis.classifier.model import TextClassifier
    except ImportError as error:
        raise ConfigError(
            f"classifier:{path} needs kitchen.analysis.classifier, which is not available"
        ) from error
    return TextClassifier.load(path)
