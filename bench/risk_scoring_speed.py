"""Scoring speed of the risk model: one declaration at a time and vectorised batches.

Trains on the KCS train split (+ valid for early stopping), then times scoring test declarations.
"Model time" is the boosters' prediction; "end to end" adds feature building from the history.
"Fast path" builds the single declaration's features from a plain dict (risk.ml.fast.FastFeatures,
what the learned assessor uses) instead of a one-row DataFrame.

    SMARTCUSTOMS_DATA_DIR=../shared/data python bench/risk_scoring_speed.py
"""

from __future__ import annotations

import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from smartcustoms.risk.ml.estimator import RiskModel
from smartcustoms.risk.ml.fast import FastFeatures
from smartcustoms.risk.ml.frame import read_frame


def _median_us(samples: list[float]) -> float:
    return float(np.median(samples) * 1e6)


def main() -> None:
    base = Path(os.environ.get("SMARTCUSTOMS_DATA_DIR", "../shared/data")) / "customs-declarations"
    train = read_frame(base / "df_syn_train_eng.csv")
    valid = read_frame(base / "df_syn_valid_eng.csv")
    test = read_frame(base / "df_syn_test_eng.csv")
    model = RiskModel().fit(train, valid=valid)
    booster = model.fraud_booster_
    print(
        f"date {datetime.now(UTC).isoformat(timespec='seconds')}  {platform.platform()}  "
        f"cpus {os.cpu_count()}  trees fraud={booster.num_trees()} "
        f"critical={model.critical_booster_.num_trees()}  features {model.n_features_in_}"
    )

    rows = [test.iloc[[i]].reset_index(drop=True) for i in range(500)]
    matrices = [model.features(r) for r in rows]
    for m in matrices[:20]:  # warm-up
        booster.predict(m, num_threads=1)
    model_time, feature_time, end_to_end = [], [], []
    for r, m in zip(rows, matrices, strict=True):
        t0 = time.perf_counter()
        booster.predict(m, num_threads=1)
        t1 = time.perf_counter()
        model.features(r)
        t2 = time.perf_counter()
        model.predict_risk(r)
        t3 = time.perf_counter()
        model_time.append(t1 - t0)
        feature_time.append(t2 - t1)
        end_to_end.append(t3 - t2)
    print(
        f"single declaration: model (fraud booster) median {_median_us(model_time):.0f} us, "
        f"features {_median_us(feature_time):.0f} us, "
        f"end to end (features + both boosters) {_median_us(end_to_end):.0f} us"
    )

    fast = FastFeatures(model.builder_)
    records = test.iloc[:500].to_dict("records")
    for rec in records[:20]:  # warm-up
        fast.row(rec)
    fast_features, fast_total = [], []
    for rec, m in zip(records, matrices, strict=True):
        t0 = time.perf_counter()
        row = fast.row(rec)
        t1 = time.perf_counter()
        booster.predict(row, num_threads=1)
        model.critical_booster_.predict(row, num_threads=1)
        t2 = time.perf_counter()
        assert np.array_equal(row, m, equal_nan=True)  # same features as the batch path
        fast_features.append(t1 - t0)
        fast_total.append(t2 - t0)
    print(
        f"fast path (dict in, no pandas): features median {_median_us(fast_features):.0f} us, "
        f"features + both boosters {_median_us(fast_total):.0f} us"
    )

    t0 = time.perf_counter()
    matrix = model.features(test)
    t1 = time.perf_counter()
    scores = model.predict_risk(test)
    t2 = time.perf_counter()
    n = len(test)
    print(
        f"batch of {n}: features {(t1 - t0) * 1e3:.0f} ms, features + both boosters "
        f"{(t2 - t1) * 1e3:.0f} ms = {n / (t2 - t1):,.0f} declarations/s "
        f"({(t2 - t1) / n * 1e6:.1f} us each); matrix {matrix.shape}, "
        f"scores {scores.fraud.shape}"
    )


if __name__ == "__main__":
    main()
