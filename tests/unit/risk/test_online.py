"""The online simulator, its selection strategies and the exploration bandit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from risk_synth import make_frame

from smartcustoms.risk.ml.features import FeatureBuilder
from smartcustoms.risk.ml.online.bandit import DiscountedUCB
from smartcustoms.risk.ml.online.federated import run_experiment, split_by_office
from smartcustoms.risk.ml.online.simulator import OnlineConfig, inspection_rate, simulate
from smartcustoms.risk.ml.online.strategies import select

FAST = {"n_estimators": 15, "initial_days": 7, "period_days": 7}


@pytest.fixture(scope="module")
def stream() -> pd.DataFrame:
    return make_frame(n=900, days=63, seed=3)


# -- strategies -----------------------------------------------------------------------------
def test_exploit_takes_the_top_scores() -> None:
    scores = np.array([0.1, 0.9, 0.5, 0.7, 0.2])
    sel = select(scores, 2, "exploit", 0.5, np.random.default_rng(0))
    assert sorted(sel.rows.tolist()) == [1, 3]
    assert not sel.explored.any() and (sel.propensity == 1).all() and sel.share == 0


@pytest.mark.parametrize("strategy", ["random", "diverse"])
def test_exploring_strategies_keep_the_top_and_draw_the_rest(strategy: str) -> None:
    rng = np.random.default_rng(0)
    scores = rng.random(200)
    sel = select(scores, 20, strategy, 0.25, np.random.default_rng(1))
    assert len(sel.rows) == 20 and len(set(sel.rows.tolist())) == 20
    exploited = sel.rows[~sel.explored]
    assert set(exploited.tolist()) == set(np.argsort(-scores)[:15].tolist())
    assert sel.explored.sum() == 5
    assert ((sel.propensity > 0) & (sel.propensity <= 1)).all()
    again = select(scores, 20, strategy, 0.25, np.random.default_rng(1))
    assert again.rows.tolist() == sel.rows.tolist()  # deterministic given the generator


def test_diverse_spreads_draws_over_groups() -> None:
    scores = np.full(100, 0.5)
    group = np.array(["A"] * 90 + list("BCDEFGHIJK"))
    picks = [
        select(scores, 10, "diverse", 1.0, np.random.default_rng(s), groups=(group,))
        for s in range(20)
    ]
    share_a = np.mean([np.mean(group[p.rows] == "A") for p in picks])
    assert share_a < 0.6  # uniform draws would take ~90% from the big group


def test_unknown_strategy_and_budget_bounds() -> None:
    with pytest.raises(ValueError):
        select(np.zeros(3), 1, "psychic", 0.1, np.random.default_rng(0))
    assert len(select(np.zeros(3), 10, "random", 0.5, np.random.default_rng(0)).rows) == 3
    assert len(select(np.zeros(3), 0, "random", 0.5, np.random.default_rng(0)).rows) == 0


# -- bandit ---------------------------------------------------------------------------------
def test_bandit_finds_the_best_arm_on_a_stationary_stream() -> None:
    rng = np.random.default_rng(0)
    means = np.array([0.2, 0.3, 0.6, 0.3])
    bandit = DiscountedUCB(arms=(0.0, 0.05, 0.1, 0.2), discount=0.98, exploration=0.3)
    plays = np.zeros(4)
    for _ in range(400):
        arm = bandit.choose()
        plays[arm] += 1
        bandit.update(arm, float(rng.random() < means[arm]))
    assert plays.argmax() == 2 and plays[2] > 0.5 * plays.sum()
    assert bandit.share == 0.1


def test_bandit_follows_a_change_of_the_best_arm() -> None:
    rng = np.random.default_rng(1)
    bandit = DiscountedUCB(arms=(0.0, 0.3), discount=0.9, exploration=0.3)
    late = []
    for t in range(300):
        means = (0.7, 0.2) if t < 150 else (0.2, 0.7)
        arm = bandit.choose()
        bandit.update(arm, float(rng.random() < means[arm]))
        if t >= 250:
            late.append(arm)
    assert np.mean(late) > 0.7  # after the change it mostly plays the new best arm


def test_bandit_rejects_bad_settings() -> None:
    with pytest.raises(ValueError):
        DiscountedUCB(arms=())
    with pytest.raises(ValueError):
        DiscountedUCB(discount=0.0)


# -- partial labels -------------------------------------------------------------------------
def test_unlabelled_rows_count_as_lodgements_not_inspections(stream: pd.DataFrame) -> None:
    frame = stream.copy()
    frame["fraud"] = frame["fraud"].astype(float)
    hidden = np.arange(len(frame)) % 2 == 1
    frame.loc[hidden, "fraud"] = np.nan
    frame.loc[hidden, "critical_fraud"] = np.nan
    builder = FeatureBuilder()
    builder.fit(frame)
    _keys, stats = builder.history_["importer"]
    assert stats[:, 0].sum() == (~hidden).sum()  # inspected count: labelled rows only
    assert stats[:, 3].sum() == len(frame)  # lodgement count: every row
    # Changing the hidden labels changes nothing.
    other = frame.copy()
    other.loc[hidden, "fraud"] = np.nan
    np.testing.assert_array_equal(
        FeatureBuilder().fit_transform(other), builder.fit_transform(frame)
    )


# -- the simulator --------------------------------------------------------------------------
def test_schedule_decays_to_the_target_rate() -> None:
    cfg = OnlineConfig(rate=0.1, schedule="decay")
    assert [round(inspection_rate(cfg, p), 2) for p in (0, 1, 5, 9, 20)] == [1, 0.9, 0.5, 0.1, 0.1]
    assert inspection_rate(OnlineConfig(rate=0.2), 0) == 0.2


def test_config_reports_every_problem() -> None:
    with pytest.raises(ValueError, match=r"rate.*strategy"):
        OnlineConfig(rate=0.0, strategy="psychic")


@pytest.mark.parametrize("strategy", ["exploit", "random", "diverse", "adaptive"])
def test_labels_of_unselected_declarations_are_never_used(
    stream: pd.DataFrame, strategy: str
) -> None:
    cfg = OnlineConfig(strategy=strategy, rate=0.2, share=0.3, seed=5, **FAST)
    first = simulate(stream, cfg)
    # Flip every label the run never revealed (after the initial window): same decisions.
    revealed = _revealed_ids(stream, cfg)
    start = stream["date"].min() + pd.Timedelta(days=cfg.initial_days)
    flipped = stream.copy()
    hidden = (~flipped["declaration_id"].isin(revealed)) & (flipped["date"] >= start)
    flipped.loc[hidden, "fraud"] = 1 - flipped.loc[hidden, "fraud"]
    second = simulate(flipped, cfg)
    assert [w.frauds_found for w in second.weeks] == [w.frauds_found for w in first.weeks]
    assert _revealed_ids(flipped, cfg) == revealed


def _revealed_ids(frame: pd.DataFrame, cfg: OnlineConfig) -> set[str]:
    seen: set[str] = set()

    def spy(selected: np.ndarray) -> None:
        seen.update(selected.tolist())

    simulate(frame, cfg, on_select=spy)
    return seen


def test_simulation_is_deterministic_and_reports_every_week(stream: pd.DataFrame) -> None:
    cfg = OnlineConfig(strategy="adaptive", rate=0.1, seed=2, **FAST)
    a, b = simulate(stream, cfg), simulate(stream, cfg)
    assert [w.precision for w in a.weeks] == [w.precision for w in b.weeks]
    assert len(a.weeks) == 8
    for w in a.weeks:
        assert w.inspected == int(w.declarations * 0.1)
        assert 0 <= w.precision <= w.upper_bound_precision <= 1
        assert w.frauds_found <= min(w.frauds, w.inspected)
    summary = a.to_dict()["summary"]
    assert summary["weeks"] == 8 and 0 <= summary["precision"] <= 1


def test_the_model_learns_from_revealed_labels(stream: pd.DataFrame) -> None:
    """Targeting beats the share of frauds once the history has labels (importer BAD)."""
    cfg = OnlineConfig(strategy="random", rate=0.1, share=0.1, seed=0, **FAST)
    result = simulate(stream, cfg)
    base = stream["fraud"].mean()
    assert result.summary()["precision"] > base + 0.2


# -- across economies -----------------------------------------------------------------------
def test_split_by_office_is_disjoint_and_complete(stream: pd.DataFrame) -> None:
    parts = split_by_office(stream, 3)
    offices = [set(p["office"]) for p in parts.values()]
    assert sum(len(p) for p in parts.values()) == len(stream)
    assert all(not (a & b) for i, a in enumerate(offices) for b in offices[i + 1 :])


def test_shared_updates_carry_no_rows(stream: pd.DataFrame) -> None:
    cut = stream["date"].min() + pd.Timedelta(days=45)
    train, test = stream[stream["date"] < cut], stream[stream["date"] >= cut]
    result = run_experiment(train, test, economies=3, rate=0.1, trees=10)
    assert set(result["economies"]) == {"E1", "E2", "E3"}
    for sent in result["sent"]:
        assert set(sent) == {
            "type",
            "economy",
            "features",
            "training_rows",
            "model_sha256",
            "model_bytes",
        }
    text = " ".join(str(s) for s in result["sent"])
    assert "BAD" not in text and "D1" not in text
