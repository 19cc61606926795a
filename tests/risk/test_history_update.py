"""The day-by-day history update on the real KCS declarations gives the same history, priors and
features, bit for bit, as the update it replaced (kept here as the reference): every table
copied with the day's new keys inserted, each row's weights added in row order."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from smartcustoms.risk.ml import features
from smartcustoms.risk.ml.features import (
    FeatureBuilder,
    _group_keys,
    _hash_columns,
    _labels,
    _running_prior,
    _totals,
)
from smartcustoms.risk.ml.frame import read_frame

DATA = os.environ.get("SMARTCUSTOMS_DATA_DIR")
pytestmark = pytest.mark.skipif(not DATA, reason="SMARTCUSTOMS_DATA_DIR is not set")
_N, _S, _K = 0, 1, 2

History = dict[str, tuple[np.ndarray, np.ndarray]]


def _add_totals(
    keys: np.ndarray, totals: np.ndarray, new_keys: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The previous ``features._add_totals``, verbatim."""
    width = weights.shape[1]
    if len(keys) == 0:
        return _totals(new_keys, weights.reshape(len(new_keys), width))
    distinct = np.unique(new_keys)
    at = np.searchsorted(keys, distinct)
    seen = (at < len(keys)) & (keys[np.minimum(at, len(keys) - 1)] == distinct)
    merged = np.insert(keys, at[~seen], distinct[~seen])
    out = np.insert(totals.reshape(len(keys), width), at[~seen], 0.0, axis=0)
    np.add.at(out, np.searchsorted(merged, new_keys), weights)
    return merged, out


def _reference_update(
    builder: FeatureBuilder, history: History, frame: pd.DataFrame
) -> tuple[History, float, float]:
    """The previous ``FeatureBuilder.update`` on ``history``: (history, prior, critical prior)."""
    fraud, critical, labelled = _labels(frame)
    weights = builder._weights(frame, labelled=labelled)
    weights[:, _S], weights[:, _K] = fraud, critical
    hashes = _hash_columns(frame, builder._key_columns())
    hs6_stats = history["hs6"][1]
    inspected = hs6_stats[:, _N].sum() + labelled.sum()
    frauds = hs6_stats[:, _S].sum() + weights[:, _S].sum()
    criticals = hs6_stats[:, _K].sum() + weights[:, _K].sum()
    prior = _running_prior(np.array([frauds]), np.array([inspected]))[0]
    critical_prior = _running_prior(np.array([criticals]), np.array([inspected]))[0]
    out = dict(history)
    for g in builder._stat_groups():
        keys, stats = out[g.name]
        out[g.name] = _add_totals(keys, stats, _group_keys(hashes, g), weights)
    return out, float(prior), float(critical_prior)


def _bits(values: np.ndarray) -> bytes:
    return np.ascontiguousarray(values).tobytes()


@pytest.fixture(scope="module")
def kcs() -> tuple[pd.DataFrame, pd.DataFrame]:
    base = Path(str(DATA)) / "customs-declarations"
    return read_frame(base / "df_syn_train_eng.csv"), read_frame(base / "df_syn_test_eng.csv")


@pytest.mark.parametrize("small_tails", [False, True])
def test_day_by_day_update_equals_the_previous_update(
    kcs: tuple[pd.DataFrame, pd.DataFrame], small_tails: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default sizes keep every tail apart from its table for the whole quarter; tails of
    at most 50 keys join their tables every few days: both must give the reference's numbers."""
    n_days = 91
    if small_tails:
        monkeypatch.setattr(features, "_TAIL_MIN", 50)
        monkeypatch.setattr(features, "_TAIL_SHARE", 10**9)
        n_days = 30
    train, test = kcs
    builder = FeatureBuilder().fit(train)
    reference = FeatureBuilder.from_state(*builder.get_state())
    history = dict(builder.history_)
    fitted = {name: (keys.copy(), stats.copy()) for name, (keys, stats) in history.items()}
    shared = dict(history)  # the fitted arrays themselves
    days = sorted(test["date"].unique())[:n_days]
    rng = np.random.default_rng(7)
    for k, day in enumerate(days):
        rows = test[test["date"] == day].reset_index(drop=True)
        # Scored before it is learned from: lookups through the tails give the same features.
        reference.history_ = history
        reference.prior_, reference.critical_prior_ = builder.prior_, builder.critical_prior_
        for batch_history in (False, True):
            assert _bits(builder.transform(rows, batch_history)) == _bits(
                reference.transform(rows, batch_history)
            )
        # About one in ten controlled (a bulk import learns those), a few without labels.
        learned = rows[rng.random(len(rows)) < 0.1].reset_index(drop=True)
        learned.loc[learned.index % 4 == 0, "fraud"] = np.nan
        if len(learned) == 0:
            continue
        history, prior, critical_prior = _reference_update(builder, history, learned)
        builder.update(learned)
        assert (builder.prior_, builder.critical_prior_) == (prior, critical_prior)
        if k % 10 == 0 or k == len(days) - 1:
            # The tables with their tails, as ``history_`` would merge them (it keeps them).
            tables, tails = builder._history()
            merged = {n: features._overlay(t, tails.get(n)) for n, t in tables.items()}
            assert merged.keys() == history.keys()
            for name, (keys, stats) in history.items():
                assert np.array_equal(merged[name][0], keys)
                assert _bits(merged[name][1]) == _bits(stats)
    joined = [n for n, table in builder._history()[0].items() if table[0] is not shared[n][0]]
    assert bool(joined) == small_tails
    assert builder.history_.keys() == history.keys()
    for name, (keys, stats) in history.items():
        assert np.array_equal(builder.history_[name][0], keys)
        assert _bits(builder.history_[name][1]) == _bits(stats)
    # The fitted tables were never written to (copies of the builder share them).
    for name, (keys, stats) in shared.items():
        assert np.array_equal(keys, fitted[name][0]) and _bits(stats) == _bits(fitted[name][1])
