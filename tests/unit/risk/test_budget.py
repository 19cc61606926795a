"""Lane thresholds calibrated on recent scores hold the inspection budget."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartcustoms.risk.ml.budget import (
    Lane,
    LaneBudget,
    LanePolicy,
    calibrate,
    lane_shares,
    threshold_for_rate,
)

rates = st.floats(0.0, 0.2)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(1, 3000),
    red=rates,
    yellow=rates,
    decimals=st.sampled_from([2, 3, 8]),  # coarse rounding creates many ties
)
def test_never_exceeds_budget_on_the_calibration_sample(
    seed: int, n: int, red: float, yellow: float, decimals: int
) -> None:
    scores = np.round(np.random.default_rng(seed).beta(0.5, 3.0, n), decimals)
    t = calibrate(scores, red, yellow)
    assert (scores >= t.red).sum() <= int(np.floor(red * n + 1e-9))
    assert (scores >= t.yellow).sum() <= int(np.floor((red + yellow) * n + 1e-9))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(10, 3000), rate=st.floats(0.0, 1.0))
def test_exact_share_when_scores_are_distinct(seed: int, n: int, rate: float) -> None:
    scores = np.random.default_rng(seed).permutation(n) / n
    chosen = (scores >= threshold_for_rate(scores, rate)).sum()
    assert chosen == int(np.floor(rate * n + 1e-9))


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    a=st.floats(0.2, 5.0),
    b=st.floats(0.2, 5.0),
    red=st.floats(0.01, 0.1),
    yellow=st.floats(0.01, 0.1),
)
def test_budget_holds_on_a_fresh_stream(
    seed: int, a: float, b: float, red: float, yellow: float
) -> None:
    rng = np.random.default_rng(seed)
    recent, tomorrow = rng.beta(a, b, 20_000), rng.beta(a, b, 20_000)
    policy = LanePolicy.calibrate(recent, LaneBudget(red=red, yellow=yellow, exploration=0.0))
    shares = lane_shares(policy.assign(tomorrow))

    # Sampling noise of two 20,000-draw streams; five standard deviations.
    def tol(p: float) -> float:
        return float(5 * np.sqrt(2 * p * (1 - p) / 20_000))

    assert shares["red"] == pytest.approx(red, abs=tol(red))
    assert shares["yellow"] == pytest.approx(yellow, abs=tol(yellow))


def test_exploration_and_aeo_shares() -> None:
    rng = np.random.default_rng(7)
    n = 200_000
    aeo = rng.random(n) < 0.3
    scores = np.where(aeo, rng.beta(1, 8, n), rng.beta(1, 4, n))
    budget = LaneBudget(red=0.03, yellow=0.07, exploration=0.005, aeo_factor=0.5)
    policy = LanePolicy.calibrate(scores, budget, aeo)
    fresh_aeo = rng.random(n) < 0.3
    fresh = np.where(fresh_aeo, rng.beta(1, 8, n), rng.beta(1, 4, n))
    lanes = policy.assign(fresh, fresh_aeo, rng=np.random.default_rng(1))
    red = lanes == Lane.RED
    assert red.mean() == pytest.approx(0.03, abs=0.002)
    assert (lanes == Lane.YELLOW).mean() == pytest.approx(0.07, abs=0.003)
    # Trusted traders get about half the scored red rate (plus their share of exploration).
    assert red[fresh_aeo].mean() == pytest.approx(0.5 * 0.025 + 0.005, abs=0.002)
    assert red[fresh_aeo].mean() < red[~fresh_aeo].mean()


def test_invalid_budget_is_rejected() -> None:
    with pytest.raises(ValueError):
        LaneBudget(red=0.01, exploration=0.02)
    with pytest.raises(ValueError):
        LaneBudget(red=0.8, yellow=0.5)
