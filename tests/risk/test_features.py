"""No leakage: a declaration's features never depend on data dated on or after it."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartcustoms.risk.ml.features import (
    FeatureBuilder,
    _group_keys,
    _hash_columns,
    _labels,
    _totals,
    exclusive_prefix,
)
from tests.risk.risk_synth import make_frame


def _history_columns(builder: FeatureBuilder) -> list[int]:
    """Everything but the categorical codes (their vocabulary is label-free by design)."""
    return [i for i, n in enumerate(builder.feature_names) if not n.startswith("code_")]


def test_exclusive_prefix_excludes_same_day_and_later() -> None:
    keys = np.array([1, 1, 1, 2, 1], dtype=np.uint64)
    days = np.array([0, 0, 1, 1, 2])
    weights = np.array([[1.0], [2.0], [4.0], [8.0], [16.0]])
    out = exclusive_prefix(keys, days, weights)[:, 0]
    assert out.tolist() == [0.0, 0.0, 3.0, 0.0, 7.0]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(20, 150), days=st.integers(2, 12))
def test_training_features_equal_features_from_earlier_history_only(
    seed: int, n: int, days: int
) -> None:
    frame = make_frame(n=n, days=days, seed=seed)
    builder = FeatureBuilder()
    full = builder.fit_transform(frame)
    cols = _history_columns(builder)
    cut = frame["date"].iloc[int(np.random.default_rng(seed).integers(0, n))]
    before = frame[frame["date"] < cut]
    today = frame["date"] == cut
    if len(before) == 0:
        return
    past_only = FeatureBuilder().fit(before).transform(frame[today].reset_index(drop=True))
    np.testing.assert_allclose(full[today.to_numpy()][:, cols], past_only[:, cols], rtol=1e-6)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), flip_seed=st.integers(0, 10_000))
def test_changing_later_rows_does_not_change_earlier_features(seed: int, flip_seed: int) -> None:
    frame = make_frame(n=120, days=10, seed=seed)
    cut = frame["date"].iloc[60]
    later = (frame["date"] >= cut).to_numpy()
    changed = frame.copy()
    rng = np.random.default_rng(flip_seed)
    changed.loc[later, "fraud"] = rng.integers(0, 2, later.sum())
    changed.loc[later, "critical_fraud"] = changed.loc[later, "fraud"] * 2
    changed.loc[later, "item_value"] = rng.lognormal(5, 2, later.sum())
    a = FeatureBuilder().fit_transform(frame)
    b = FeatureBuilder().fit_transform(changed)
    np.testing.assert_allclose(a[~later], b[~later], rtol=1e-6)


def test_unseen_categories_and_keys_are_handled(frame: pd.DataFrame) -> None:
    builder = FeatureBuilder().fit(frame)
    new = frame.tail(3).copy()
    new["date"] = frame["date"].max() + pd.Timedelta(days=1)
    new["importer_id"] = "NEVER-SEEN"
    new["office"] = "999"
    feats = builder.transform(new.reset_index(drop=True))
    names = builder.feature_names
    assert np.isnan(feats[:, names.index("code_office")]).all()
    # Three new declarations on one day: none has an earlier lodgement of the importer.
    assert (feats[:, names.index("n_importer")] == 0).all()
    assert (feats[:, names.index("c_importer")] == 0).all()


def test_batch_counts_use_earlier_unlabelled_rows_but_never_their_labels(
    frame: pd.DataFrame,
) -> None:
    builder = FeatureBuilder().fit(frame)
    new = frame.tail(2).copy().reset_index(drop=True)
    new["importer_id"] = "NEWCO"
    new["date"] = [frame["date"].max() + pd.Timedelta(days=d) for d in (1, 2)]
    names = builder.feature_names
    plain = builder.transform(new)
    new["fraud"] = 1  # labels of the batch must make no difference
    again = builder.transform(new)
    np.testing.assert_array_equal(plain, again)
    assert plain[1, names.index("c_importer")] == 1  # the earlier NEWCO row was lodged
    assert plain[1, names.index("n_importer")] == 0  # but its inspection result is unknown


def test_state_round_trip(frame: pd.DataFrame) -> None:
    builder = FeatureBuilder().fit(frame)
    meta, arrays = builder.get_state()
    restored = FeatureBuilder.from_state(meta, arrays)
    np.testing.assert_array_equal(builder.transform(frame), restored.transform(frame))


def test_update_adds_to_the_history_as_a_full_recount_does(frame: pd.DataFrame) -> None:
    """``update`` merges new rows into the sorted history instead of recounting it; every
    total (float sums of unit values included) must be the same number as the recount's."""
    days = sorted(frame["date"].unique())
    builder = FeatureBuilder().fit(frame[frame["date"] < days[10]].reset_index(drop=True))
    recount = dict(builder.history_)
    for day in days[10:14]:
        rows = frame[frame["date"] == day].reset_index(drop=True)
        rows.loc[rows.index % 3 == 0, "fraud"] = np.nan  # unlabelled rows count too
        before = {name: (stats, stats.copy()) for name, (_, stats) in builder.history_.items()}
        builder.update(rows)
        fraud, critical, labelled = _labels(rows)
        weights = builder._weights(rows, labelled=labelled)
        weights[:, 1], weights[:, 2] = fraud, critical
        hashes = _hash_columns(rows, builder._key_columns())
        for g in builder._stat_groups():
            keys, stats = recount[g.name]
            recount[g.name] = _totals(
                np.concatenate([keys, _group_keys(hashes, g)]), np.vstack([stats, weights])
            )
            assert np.array_equal(builder.history_[g.name][0], recount[g.name][0])
            assert np.array_equal(builder.history_[g.name][1], recount[g.name][1])
        # The previous tables are untouched (copies of a builder share them).
        assert all(np.array_equal(old, copy) for old, copy in before.values())
