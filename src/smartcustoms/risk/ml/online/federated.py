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

__all__ = ["ModelUpdate", "run_experiment", "split_by_office"]


@dataclass(frozen=True, slots=True)
class ModelUpdate:
    """What one economy sends its partners: a trained booster, nothing row-level."""

    economy: str
    model: str  # LightGBM's text dump of the trees
    features: tuple[str, ...]
    training_rows: int

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
