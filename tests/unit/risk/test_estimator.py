"""RiskModel follows the scikit-learn contract and survives a save/load round trip."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from risk_synth import make_frame
from sklearn.base import clone

from smartcustoms.risk.ml.estimator import RiskModel

SMALL = {"n_estimators": 30, "num_leaves": 7, "min_child_samples": 5}


def _split(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    cut = frame["date"].quantile(0.7)
    return (
        frame[frame["date"] <= cut].reset_index(drop=True),
        frame[frame["date"] > cut].reset_index(drop=True),
    )


def test_clone_and_params() -> None:
    model = RiskModel(learning_rate=0.1, smoothing=5.0)
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "builder_")


def test_fit_returns_self_and_predicts_probabilities(frame: pd.DataFrame) -> None:
    train, test = _split(frame)
    model = RiskModel(**SMALL)
    assert model.fit(train) is model
    proba = model.predict_proba(test)
    assert proba.shape == (len(test), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert model.predict(test).shape == (len(test),)
    assert model.predict_critical_proba(test).shape == (len(test),)
    assert list(model.classes_) == [0, 1]
    # The always-fraud importer must rank above the rest.
    bad = (test["importer_id"] == "BAD").to_numpy()
    assert proba[bad, 1].mean() > proba[~bad, 1].mean() + 0.3


def test_early_stopping_on_valid_and_refit() -> None:
    frame = make_frame(n=600, days=40, seed=3)
    train, valid = _split(frame)
    model = RiskModel(**{**SMALL, "n_estimators": 200, "early_stopping_rounds": 10})
    model.fit(train, valid=valid)
    assert 1 <= model.best_iterations_["fraud"] <= 200
    assert "precision@5%" in model.metrics_["valid"]
    # refit_full: the history now covers the validation period as well.
    assert model.training_range_[1] == str(valid["date"].max().date())


def test_save_load_round_trip(tmp_path: Path, frame: pd.DataFrame) -> None:
    train, test = _split(frame)
    model = RiskModel(**SMALL).fit(train)
    model.save(tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "metadata.json").read_text())
    for key in ("version", "features", "training_range", "fingerprint", "parameters", "metrics"):
        assert key in meta
    assert meta["features"] == list(model.feature_names_in_)
    assert len(meta["fingerprint"]) == 64
    loaded = RiskModel.load(tmp_path / "m")
    np.testing.assert_allclose(loaded.predict_proba(test), model.predict_proba(test))
    np.testing.assert_allclose(
        loaded.predict_critical_proba(test), model.predict_critical_proba(test)
    )
    assert loaded.get_params() == model.get_params()


def test_update_history_changes_scores_not_boosters(frame: pd.DataFrame) -> None:
    train, later = _split(frame)
    model = RiskModel(**SMALL).fit(train)
    trees = model.fraud_booster_.num_trees()
    before = model.features(later.tail(5))
    model.update_history(later.head(len(later) - 5))
    after = model.features(later.tail(5))
    assert model.fraud_booster_.num_trees() == trees
    assert not np.array_equal(before, after)
