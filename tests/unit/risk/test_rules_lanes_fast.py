"""Rule parsing and evaluation, lane decisions under a budget, and the fast feature path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from risk_synth import make_frame

from smartcustoms.errors import InvalidInput
from smartcustoms.risk.ml.budget import LaneBudget, LanePolicy
from smartcustoms.risk.ml.fast import FastFeatures
from smartcustoms.risk.ml.features import FeatureBuilder
from smartcustoms.risk.ml.lanes import decide, shares
from smartcustoms.risk.rules import (
    ActiveRule,
    RuleContext,
    UnitValueNorms,
    evaluate,
    fired_by_declaration,
    parse_definition,
)


def _rule(**conditions: object) -> ActiveRule:
    return ActiveRule(
        "r1",
        1,
        parse_definition({"name": "r", "conditions": conditions, "action": {"lane": "red"}}),
    )


def test_parse_reports_every_problem() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_definition(
            {
                "conditions": {
                    "hs_prefix": ["94x"],
                    "colour": "red",
                    "min_value": -1,
                    "unit_value_below_norm": 2,
                },
                "action": {"lane": "blue"},
            }
        )
    paths = {e.path for e in err.value.errors}
    assert paths >= {
        "name",
        "conditions.hs_prefix[0]",
        "conditions.colour",
        "conditions.min_value",
        "conditions.unit_value_below_norm",
        "action.lane",
    }


def test_evaluate_matches_a_direct_count(frame: pd.DataFrame) -> None:
    rules = [
        _rule(hs_prefix=["9403"], origin=["CN"]).definition,
        _rule(parties=["BAD"], max_mass=20).definition,
        _rule(watchlist="w", min_value=5000).definition,
    ]
    ctx = RuleContext({"w": {"IMP1", "S2"}})
    got = evaluate(rules, frame, ctx)
    expect = np.column_stack(
        [
            frame["hs_code"].str.startswith("9403") & (frame["origin_country"] == "CN"),
            (frame["importer_id"] == "BAD") & (frame["net_mass_kg"] <= 20),
            (frame["importer_id"].isin(["IMP1", "S2"]) | frame["seller_id"].isin(["IMP1", "S2"]))
            & (frame["item_value"] >= 5000),
        ]
    )
    assert (got == expect).all() and got.any(axis=0).all()
    assert not evaluate([_rule(watchlist="unknown").definition], frame, ctx).any()


def test_unit_value_rule_uses_hs_norms(frame: pd.DataFrame) -> None:
    norms = UnitValueNorms.from_frame(frame)
    builder = FeatureBuilder()
    builder.fit_transform(frame)
    from_history = UnitValueNorms.from_history(builder.history_)
    codes = frame["hs_code"].to_numpy(object)
    assert np.allclose(norms.norm(codes), from_history.norm(codes))
    rule = _rule(unit_value_below_norm=0.5).definition
    hit = evaluate([rule], frame, RuleContext(norms=norms))[:, 0]
    luv = np.log1p(frame["item_value"]) - np.log1p(frame["net_mass_kg"])
    assert (hit == (np.exp(luv - norms.norm(codes)) < 0.5)).all() and hit.any()


def test_fired_by_declaration_any_item() -> None:
    items = pd.DataFrame(
        {
            "declaration_id": ["a", "a", "b"],
            "hs_code": ["1000", "9403", "1000"],
            "origin_country": ["CN"] * 3,
            "departure_country": ["CN"] * 3,
            "office": ["1"] * 3,
            "item_value": [1.0] * 3,
            "net_mass_kg": [1.0] * 3,
            "importer_id": ["x"] * 3,
        }
    )
    ids, fired = fired_by_declaration([_rule(hs_prefix=["9403"]).definition], items, RuleContext())
    assert ids.tolist() == ["a", "b"] and fired[:, 0].tolist() == [True, False]


def test_lanes_hold_the_budget_on_a_synthetic_score_stream() -> None:
    rng = np.random.default_rng(7)
    budget = LaneBudget(red=0.03, yellow=0.07, exploration=0.01, aeo_factor=0.5)
    recent = rng.beta(0.5, 3, 20_000)
    aeo_recent = rng.random(20_000) < 0.2
    policy = LanePolicy.calibrate(recent, budget, aeo_recent)
    live = rng.beta(0.5, 3, 30_000)  # same distribution, new declarations
    aeo = rng.random(30_000) < 0.2
    ids = [f"D{i}" for i in range(len(live))]
    got = decide(ids, live, np.zeros((len(live), 0), bool), [], policy, budget, aeo)
    s = shares(got.lanes)
    assert abs(s["red"] - 0.03) < 0.005 and abs(s["yellow"] - 0.07) < 0.005
    controls = got.lanes > 0
    assert controls[aeo].mean() < 0.65 * controls[~aeo].mean()
    assert 0.005 < got.explored.mean() < 0.015
    forced = decide(
        ids[:10], live[:10], np.ones((10, 1), bool), [_rule(hs_prefix=["1"])], policy, budget
    )
    assert (forced.lanes == 2).all()


def test_fast_features_equal_the_batch_transform() -> None:
    frame = make_frame(n=500, days=30, seed=5)
    cut = frame["date"].iloc[380]
    train = frame[frame["date"] < cut].reset_index(drop=True)
    later = frame[frame["date"] >= cut].reset_index(drop=True)
    builder = FeatureBuilder()
    builder.fit_transform(train)
    slow = builder.transform(later, batch_history=False)
    fast = FastFeatures(builder)
    rows = np.vstack([fast.row(r) for r in later.to_dict("records")])
    assert np.array_equal(slow, rows, equal_nan=True)
