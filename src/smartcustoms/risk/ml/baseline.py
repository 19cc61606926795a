"""The paper's baseline (Customs Import Declaration Datasets, arXiv 2208.02484).

Label-encoded categoricals, min-max scaled numericals and library-default LightGBM or XGBoost,
re-run in the same process as our model so the comparison shares data, machine and seeds.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from smartcustoms.risk.ml.frame import FRAUD, NUMERIC_COLUMNS, STRING_COLUMNS

BaselineKind = Literal["lightgbm", "xgboost"]


class BaselineModel(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Paper baseline on a declaration frame; ``kind`` picks the library."""

    def __init__(
        self, kind: BaselineKind = "lightgbm", random_state: int = 0, n_jobs: int = 1
    ) -> None:
        self.kind = kind
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _matrix(self, frame: pd.DataFrame) -> np.ndarray:
        columns: list[np.ndarray] = []
        for c in STRING_COLUMNS:
            codes = self.encoders_[c].get_indexer(pd.Index(frame[c].astype(str)))
            columns.append(codes.astype(np.float64))  # unseen -> -1, as a label encoder fallback
        for c in NUMERIC_COLUMNS:
            lo, hi = self.ranges_[c]
            values = frame[c].to_numpy(dtype=np.float64)
            columns.append((values - lo) / (hi - lo) if hi > lo else values * 0.0)
        return np.column_stack(columns)

    def fit(self, X: pd.DataFrame, y: Any = None) -> BaselineModel:
        target = np.asarray(X[FRAUD] if y is None else y, dtype=np.int64)
        self.encoders_ = {c: pd.Index(sorted(set(X[c].astype(str)))) for c in STRING_COLUMNS}
        self.ranges_ = {
            c: (float(np.nanmin(X[c].to_numpy())), float(np.nanmax(X[c].to_numpy())))
            for c in NUMERIC_COLUMNS
        }
        matrix = self._matrix(X)
        self.model_: Any
        if self.kind == "lightgbm":
            import lightgbm as lgb

            self.model_ = lgb.LGBMClassifier(
                random_state=self.random_state, n_jobs=self.n_jobs, verbose=-1
            )
        elif self.kind == "xgboost":
            import xgboost as xgb

            self.model_ = xgb.XGBClassifier(random_state=self.random_state, n_jobs=self.n_jobs)
        else:
            raise ValueError(f"unknown baseline kind {self.kind!r}")
        self.model_.fit(matrix, target)
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model_.predict_proba(self._matrix(X)))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(np.int64)
