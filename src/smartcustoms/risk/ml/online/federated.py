"""Learning across economies without sharing declarations: exchanged model updates.

Each administration trains its risk booster on its own declarations. What it shares is a
:class:`ModelUpdate`: the booster's trees (split features, thresholds, leaf values), the feature
names and the number of training rows — aggregates, never a row. A receiving administration
scores its own declarations, with its own history features, by the mean of its own booster and
the partners' boosters (an ensemble: the tree-model form of federated averaging, since trees
cannot be averaged parameter by parameter).

:func:`split_by_office` simulates several economies from one dataset by giving each a disjoint set
of customs offices; :func:`run_experiment` measures each economy's precision with local-only
training and with shared updates, on the later period of its own data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from smartcustoms.risk.ml.evaluation import precision_at
from smartcustoms.risk.ml.features import FeatureBuilder
from smartcustoms.risk.ml.frame import DATE, FRAUD

__all__ = [
    "ModelUpdate",
    "booster_of",
    "ensemble_predict",
    "run_experiment",
    "split_by_office",
    "update_problems",
]

UPDATE_KEYS = frozenset({"round", "features", "training_rows", "model_sha256", "model"})
"""The only keys an update body may carry: anything else (a row, an identifier) is refused."""
MAX_MODEL_CHARS = 1_500_000


@dataclass(frozen=True, slots=True)
class ModelUpdate:
    """What one economy sends its partners: a trained booster, nothing row-level."""

    economy: str
    model: str  # LightGBM's text dump of the trees
    features: tuple[str, ...]
    training_rows: int

    def body(self, round_: int = 1) -> dict[str, Any]:
        """The body of the signed exchange message ``risk_model_update`` (the sender is the
        envelope's, vouched for by its signature)."""
        return {
            "round": round_,
            "features": list(self.features),
            "training_rows": self.training_rows,
            "model_sha256": hashlib.sha256(self.model.encode()).hexdigest(),
            "model": self.model,
        }

    def payload(self) -> dict[str, Any]:
        """The document that is signed and sent (see ``docs/risk-online.md``)."""
        return {
            "type": "risk.model_update",
            "economy": self.economy,
            "features": list(self.features),
            "training_rows": self.training_rows,
            "model_sha256": hashlib.sha256(self.model.encode()).hexdigest(),
            "model": self.model,
        }


def booster_of(model: str) -> Any:
    """The booster a model text describes (raises ValueError when it is not one)."""
    import lightgbm as lgb

    try:
        return lgb.Booster(model_str=model)
    except lgb.basic.LightGBMError as exc:
        raise ValueError(f"not a LightGBM model: {exc}") from exc


def update_problems(raw: Any) -> list[tuple[str, str]]:
    """Every problem of a received update body, as (field, sentence); empty when valid.

    Valid means: only :data:`UPDATE_KEYS`; a model text that parses as a booster whose
    feature names are the ``features`` listed and whose SHA-256 is ``model_sha256``.
    """
    if not isinstance(raw, dict):
        return [("body", "a model update is a JSON object")]
    problems: list[tuple[str, str]] = []
    extra = sorted(set(raw) - UPDATE_KEYS)
    if extra:
        problems.append((extra[0], f"not part of a model update: {', '.join(extra)}"))
    r, rows = raw.get("round"), raw.get("training_rows")
    if isinstance(r, bool) or not isinstance(r, int) or r < 1:
        problems.append(("round", "a round number from 1"))
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
        problems.append(("training_rows", "a positive number of training rows"))
    features = raw.get("features")
    if not (
        isinstance(features, list)
        and features
        and all(isinstance(f, str) and f.isidentifier() for f in features)
    ):
        problems.append(("features", "a list of feature names"))
        features = None
    model = raw.get("model")
    if not isinstance(model, str) or not model or len(model) > MAX_MODEL_CHARS:
        return [*problems, ("model", "the booster's model text")]
    if raw.get("model_sha256") != hashlib.sha256(model.encode()).hexdigest():
        problems.append(("model_sha256", "does not match the model text"))
    try:
        booster = booster_of(model)
    except ValueError as exc:
        return [*problems, ("model", str(exc))]
    if features is not None and list(booster.feature_name()) != features:
        problems.append(("features", "differ from the model's feature names"))
    return problems


def ensemble_predict(
    local: Any, features: list[str], partners: list[ModelUpdate], matrix: np.ndarray
) -> np.ndarray:
    """Fraud scores of ``matrix`` (columns ``features``) by the mean of the local booster and
    the partners' boosters; a partner model is applied to its own feature names, so an update
    over other features than the local ones is left out."""
    scores = [np.asarray(local.predict(matrix, num_threads=1), np.float64)]
    position = {f: i for i, f in enumerate(features)}
    for update in partners:
        if not all(f in position for f in update.features):
            continue
        columns = [position[f] for f in update.features]
        booster = booster_of(update.model)
        scores.append(np.asarray(booster.predict(matrix[:, columns], num_threads=1), np.float64))
    return np.asarray(np.mean(scores, axis=0), np.float64)


def split_by_office(frame: pd.DataFrame, economies: int = 3) -> dict[str, pd.DataFrame]:
    """Disjoint office sets of similar volume (largest office first, to the smallest economy)."""
    sizes = frame["office"].value_counts()
    loads = [0] * economies
    owner: dict[str, int] = {}
    for office, count in sizes.items():
        target = int(np.argmin(loads))
        owner[str(office)] = target
        loads[target] += int(count)
    assigned = frame["office"].astype(str).map(owner)
    return {f"E{i + 1}": frame.loc[assigned == i].reset_index(drop=True) for i in range(economies)}


def _train(frame: pd.DataFrame, exact_values: bool, trees: int, seed: int) -> tuple[Any, Any]:
    import lightgbm as lgb

    builder = FeatureBuilder(exact_values=exact_values)
    features = builder.fit_transform(frame)
    params = {
        "objective": "binary",
        "learning_rate": 0.05,
        "num_leaves": 31,
        "min_data_in_leaf": 20,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "feature_fraction": 0.8,
        "num_threads": 1,
        "seed": seed,
        "deterministic": True,
        "verbose": -1,
    }
    data = lgb.Dataset(features, frame[FRAUD].to_numpy(), feature_name=builder.feature_names)
    return builder, lgb.train(params, data, num_boost_round=trees)


def run_experiment(
    train: pd.DataFrame,
    test: pd.DataFrame,
    economies: int = 3,
    rate: float = 0.10,
    exact_values: bool = True,
    trees: int = 300,
    seed: int = 0,
) -> dict[str, Any]:
    """Precision@rate per economy: local-only vs local + partners' shared boosters."""
    import lightgbm as lgb

    offices = split_by_office(pd.concat([train, test], ignore_index=True), economies)
    cut = test[DATE].min()
    models: dict[str, tuple[Any, Any]] = {}
    updates: list[ModelUpdate] = []
    for name, frame in offices.items():
        local_train = frame.loc[frame[DATE] < cut].sort_values(DATE, kind="stable")
        builder, booster = _train(local_train.reset_index(drop=True), exact_values, trees, seed)
        models[name] = (builder, booster)
        updates.append(
            ModelUpdate(
                name, booster.model_to_string(), tuple(builder.feature_names), len(local_train)
            )
        )
    # Receivers rebuild each partner's booster from the text they were sent, nothing else.
    received = {u.economy: lgb.Booster(model_str=u.model) for u in updates}
    results: dict[str, Any] = {}
    for name, frame in offices.items():
        builder, booster = models[name]
        local_test = frame.loc[frame[DATE] >= cut].sort_values(DATE, kind="stable")
        matrix = builder.transform(local_test.reset_index(drop=True))
        y = local_test[FRAUD].to_numpy()
        local = np.asarray(booster.predict(matrix))
        shared = np.mean([np.asarray(b.predict(matrix)) for b in received.values()], axis=0)
        results[name] = {
            "offices": sorted(frame["office"].astype(str).unique().tolist()),
            "training_rows": len(frame.loc[frame[DATE] < cut]),
            "test_rows": len(local_test),
            "local_precision": precision_at(y, local, rate),
            "shared_precision": precision_at(y, shared, rate),
        }
        results[name]["gain"] = results[name]["shared_precision"] - results[name]["local_precision"]
    return {
        "rate": rate,
        "exact_values": exact_values,
        "economies": results,
        "every_economy_gains": all(r["gain"] >= 0 for r in results.values()),
        "sent": [
            {k: v for k, v in u.payload().items() if k != "model"} | {"model_bytes": len(u.model)}
            for u in updates
        ],
    }
