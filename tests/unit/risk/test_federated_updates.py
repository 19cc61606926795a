"""What a model update may carry, and how a receiver combines partners' updates (pure)."""

from __future__ import annotations

import hashlib

import lightgbm as lgb
import numpy as np

from smartcustoms.risk.ml.online.federated import ModelUpdate, ensemble_predict, update_problems

FEATURES = ["te_importer", "te_hs6", "unit_value_ratio"]


def _booster(seed: int, features: list[str] = FEATURES) -> lgb.Booster:
    rng = np.random.default_rng(seed)
    x = rng.random((300, len(features)))
    y = (x[:, 0] + rng.normal(0, 0.2, 300) > 0.6).astype(int)
    params = {"objective": "binary", "num_threads": 1, "verbose": -1, "min_data_in_leaf": 10}
    return lgb.train(params, lgb.Dataset(x, y, feature_name=features), num_boost_round=5)


def _update(booster: lgb.Booster, economy: str = "KR") -> ModelUpdate:
    return ModelUpdate(economy, booster.model_to_string(), tuple(booster.feature_name()), 300)


def test_a_genuine_update_has_no_problem_and_nothing_row_level() -> None:
    body = _update(_booster(1)).body(2)
    assert update_problems(body) == []
    assert set(body) == {"round", "features", "training_rows", "model_sha256", "model"}
    assert body["model_sha256"] == hashlib.sha256(body["model"].encode()).hexdigest()


def test_every_problem_of_a_bad_update_is_named() -> None:
    body = _update(_booster(1)).body(1)
    assert [p for p, _ in update_problems(body | {"rows": [[1, 2]]})] == ["rows"]
    assert [p for p, _ in update_problems(body | {"model_sha256": "0" * 64})] == ["model_sha256"]
    assert [p for p, _ in update_problems(body | {"features": ["a", "b", "c"]})] == ["features"]
    assert [p for p, _ in update_problems(body | {"round": 0, "training_rows": True})] == [
        "round",
        "training_rows",
    ]
    broken = body | {"model": "tree\nnot a model", "model_sha256": ""}
    assert "model" in [p for p, _ in update_problems(broken)]
    assert update_problems([1, 2]) == [("body", "a model update is a JSON object")]


def test_ensemble_is_the_mean_and_skips_updates_over_other_features() -> None:
    local, partner = _booster(1), _booster(2)
    other = _booster(3, ["a", "b", "c"])
    x = np.random.default_rng(0).random((50, len(FEATURES)))
    alone = ensemble_predict(local, FEATURES, [], x)
    assert np.allclose(alone, local.predict(x))
    shared = ensemble_predict(local, FEATURES, [_update(partner), _update(other, "JP")], x)
    assert np.allclose(shared, (np.asarray(local.predict(x)) + partner.predict(x)) / 2)
    # A partner's features in another column order are matched by name.
    reordered = list(reversed(FEATURES))
    flipped = _booster(4, reordered)
    mixed = ensemble_predict(local, FEATURES, [_update(flipped)], x)
    expected = (np.asarray(local.predict(x)) + flipped.predict(x[:, ::-1])) / 2
    assert np.allclose(mixed, expected)
