"""RiskModel: the learned risk model, a scikit-learn-compatible estimator on LightGBM.

``X`` is a declaration frame (:mod:`smartcustoms.risk.ml.frame`), not a numeric matrix: the model
owns its :class:`~smartcustoms.risk.ml.features.FeatureBuilder` because the history it learns from
(past inspection results) is part of the fitted state. Two boosters are trained, one for fraud
and one for critical fraud.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from smartcustoms import __version__
from smartcustoms.risk.ml.evaluation import evaluate_scores
from smartcustoms.risk.ml.features import Columns, FeatureBuilder
from smartcustoms.risk.ml.frame import (
    CRITICAL_FRAUD,
    DATE,
    FRAUD,
    critical_target,
    frame_fingerprint,
)

MODEL_FORMAT = 1
_FRAUD_FILE, _CRITICAL_FILE = "fraud.txt", "critical.txt"
_HISTORY_FILE, _META_FILE = "history.npz", "metadata.json"


@dataclass(frozen=True, slots=True)
class RiskScores:
    """Fraud and critical-fraud probabilities, one per declaration, in the frame's row order."""

    fraud: np.ndarray
    critical: np.ndarray


class RiskModel(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Fraud and critical-fraud probabilities for declarations.

    ``fit(frame, valid=valid_frame)`` trains on ``frame`` with early stopping on ``valid``
    (scored against the training history only, as later declarations would be); with
    ``refit_full`` the final boosters are then retrained on both with the tuned number of trees,
    so the history used for scoring includes the validation labels.
    """

    def __init__(
        self,
        n_estimators: int = 1000,
        learning_rate: float = 0.05,
        num_leaves: int = 31,
        min_child_samples: int = 20,
        subsample: float = 0.8,
        colsample_bytree: float = 0.8,
        reg_lambda: float = 0.0,
        smoothing: float = 3.0,
        exact_values: bool = True,
        early_stopping_rounds: int = 100,
        refit_full: bool = True,
        num_threads: int = 1,
        random_state: int = 0,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_lambda = reg_lambda
        self.smoothing = smoothing
        self.exact_values = exact_values
        self.early_stopping_rounds = early_stopping_rounds
        self.refit_full = refit_full
        self.num_threads = num_threads
        self.random_state = random_state

    # -- training ------------------------------------------------------------------------
    def _lgb_params(self) -> dict[str, Any]:
        return {
            "objective": "binary",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_child_samples,
            "bagging_fraction": self.subsample,
            "bagging_freq": 1 if self.subsample < 1.0 else 0,
            "feature_fraction": self.colsample_bytree,
            "lambda_l2": self.reg_lambda,
            "num_threads": self.num_threads,
            "seed": self.random_state,
            "deterministic": True,
            "verbose": -1,
        }

    def _train(
        self,
        features: np.ndarray,
        target: np.ndarray,
        names: list[str],
        rounds: int,
        valid: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> lgb.Booster:
        params = self._lgb_params()
        train_set = lgb.Dataset(features, target, feature_name=names, free_raw_data=True)
        if valid is None or valid[1].sum() == 0 or valid[1].sum() == len(valid[1]):
            return lgb.train(params, train_set, num_boost_round=rounds)
        params["metric"] = "average_precision"  # rewards the top of the ranking, like p@k
        valid_set = lgb.Dataset(valid[0], valid[1], reference=train_set)
        stop = lgb.early_stopping(self.early_stopping_rounds, verbose=False)
        return lgb.train(params, train_set, rounds, valid_sets=[valid_set], callbacks=[stop])

    def fit(
        self, X: pd.DataFrame, y: Any = None, *, valid: pd.DataFrame | None = None
    ) -> RiskModel:
        """Train on the labelled declaration frame ``X`` (``y`` overrides ``X['fraud']``)."""
        frame = _with_labels(X, y)
        builder = FeatureBuilder(smoothing=self.smoothing, exact_values=self.exact_values)
        features = builder.fit_transform(frame)
        names = builder.feature_names
        targets = {"fraud": frame[FRAUD].to_numpy(), "critical": critical_target(frame)}
        self.best_iterations_: dict[str, int] = {}
        boosters: dict[str, lgb.Booster] = {}
        if valid is not None and len(valid):
            valid = _with_labels(valid, None)
            valid_features = builder.transform(valid)
            valid_targets = {"fraud": valid[FRAUD].to_numpy(), "critical": critical_target(valid)}
            for name, target in targets.items():
                booster = self._train(
                    features,
                    target,
                    names,
                    self.n_estimators,
                    (valid_features, valid_targets[name]),
                )
                self.best_iterations_[name] = booster.best_iteration or booster.current_iteration()
                boosters[name] = booster
            # Measured before any refit: the validation labels are unseen at this point.
            valid_scores = boosters["fraud"].predict(valid_features, num_threads=self.num_threads)
            metrics = {
                "valid": evaluate_scores(
                    valid_targets["fraud"], np.asarray(valid_scores), valid_targets["critical"]
                )
            }
            if self.refit_full:
                both = pd.concat([frame, valid], ignore_index=True)
                both = both.sort_values(DATE, kind="stable").reset_index(drop=True)
                builder = FeatureBuilder(smoothing=self.smoothing, exact_values=self.exact_values)
                features = builder.fit_transform(both)
                # More data supports proportionally more trees at the same learning rate.
                scale = len(both) / len(frame)
                for name, target in (
                    ("fraud", both[FRAUD].to_numpy()),
                    ("critical", critical_target(both)),
                ):
                    rounds = max(1, round(self.best_iterations_[name] * scale))
                    boosters[name] = self._train(features, target, names, rounds)
                frame = both
            else:
                builder.update(valid)
        else:
            metrics = {}
            for name, target in targets.items():
                boosters[name] = self._train(features, target, names, self.n_estimators)
                self.best_iterations_[name] = self.n_estimators
        self.builder_ = builder
        self.fraud_booster_ = boosters["fraud"]
        self.critical_booster_ = boosters["critical"]
        self.feature_names_in_ = np.asarray(names, dtype=object)
        self.n_features_in_ = len(names)
        self.classes_ = np.array([0, 1])
        self.training_range_ = builder.date_range_
        self.fingerprint_ = frame_fingerprint(frame)
        self.n_training_rows_ = len(frame)
        self.metrics_: dict[str, Any] = metrics
        self.sources_: dict[str, str] = {}
        return self

    # -- scoring -------------------------------------------------------------------------
    def features(self, X: Columns, batch_history: bool = True) -> np.ndarray:
        """The feature matrix the boosters see for ``X`` (declarations after the history)."""
        return self.builder_.transform(X, batch_history=batch_history)

    def predict_risk(self, X: pd.DataFrame, batch_history: bool = True) -> RiskScores:
        matrix = self.features(X, batch_history=batch_history)
        return RiskScores(
            fraud=np.asarray(self.fraud_booster_.predict(matrix, num_threads=self.num_threads)),
            critical=np.asarray(
                self.critical_booster_.predict(matrix, num_threads=self.num_threads)
            ),
        )

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        fraud = self.predict_risk(X).fraud
        return np.column_stack([1.0 - fraud, fraud])

    def predict_critical_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.predict_risk(X).critical

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(np.int64)

    def own_copy(self) -> RiskModel:
        """A copy whose history can be updated (:meth:`update_history`) without touching this
        model, which may be shared (a cached registry model): the boosters are shared, the
        history's table of arrays is copied (``FeatureBuilder.update`` replaces entries, it
        never writes into an array)."""
        out = copy.copy(self)
        builder = copy.copy(self.builder_)
        builder.history_ = dict(self.builder_.history_)
        out.builder_ = builder
        return out

    def update_history(self, X: Columns) -> RiskModel:
        """Learn from new inspection results without retraining the boosters."""
        self.builder_.update(X)
        self.training_range_ = self.builder_.date_range_
        return self

    # -- persistence ---------------------------------------------------------------------
    def metadata(self) -> dict[str, Any]:
        return {
            "format": MODEL_FORMAT,
            "version": __version__,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "features": list(self.feature_names_in_),
            "training_range": list(self.training_range_),
            "training_rows": self.n_training_rows_,
            "fingerprint": self.fingerprint_,
            "parameters": self.get_params(),
            "best_iterations": self.best_iterations_,
            "metrics": self.metrics_,
            "sources": self.sources_,
        }

    def save(self, directory: str | Path) -> Path:
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        self.fraud_booster_.save_model(str(out / _FRAUD_FILE))
        self.critical_booster_.save_model(str(out / _CRITICAL_FILE))
        builder_meta, arrays = self.builder_.get_state()
        np.savez_compressed(out / _HISTORY_FILE, **arrays)  # type: ignore[arg-type]
        meta = self.metadata() | {"builder": builder_meta}
        (out / _META_FILE).write_text(json.dumps(meta, indent=2, default=str))
        return out

    @classmethod
    def load(cls, directory: str | Path) -> RiskModel:
        src = Path(directory)
        meta_path = src / _META_FILE
        if not meta_path.is_file():
            raise FileNotFoundError(f"not a risk model directory (no {_META_FILE}): {src}")
        meta = json.loads(meta_path.read_text())
        model = cls(**meta["parameters"])
        with np.load(src / _HISTORY_FILE) as npz:
            arrays = {name: npz[name] for name in npz.files}
        model.builder_ = FeatureBuilder.from_state(meta["builder"], arrays)
        model.fraud_booster_ = lgb.Booster(model_file=str(src / _FRAUD_FILE))
        model.critical_booster_ = lgb.Booster(model_file=str(src / _CRITICAL_FILE))
        model.feature_names_in_ = np.asarray(meta["features"], dtype=object)
        model.n_features_in_ = len(meta["features"])
        model.classes_ = np.array([0, 1])
        model.training_range_ = (meta["training_range"][0], meta["training_range"][1])
        model.fingerprint_ = meta["fingerprint"]
        model.n_training_rows_ = int(meta["training_rows"])
        model.best_iterations_ = dict(meta["best_iterations"])
        model.metrics_ = dict(meta["metrics"])
        model.sources_ = dict(meta.get("sources", {}))
        return model


def read_metadata(directory: str | Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((Path(directory) / _META_FILE).read_text())
    return data


def _with_labels(frame: pd.DataFrame, y: Any) -> pd.DataFrame:
    if y is None:
        if FRAUD not in frame.columns:
            raise ValueError("training frame needs a 'fraud' column (or pass y)")
        out = frame
    else:
        out = frame.copy()
        out[FRAUD] = np.asarray(y, dtype=np.int64)
    if CRITICAL_FRAUD not in out.columns:
        out = out.copy()
        out[CRITICAL_FRAUD] = out[FRAUD]  # no critical labels: nothing is critical (code 2)
    if not out[DATE].is_monotonic_increasing:
        out = out.sort_values(DATE, kind="stable").reset_index(drop=True)
    return out
