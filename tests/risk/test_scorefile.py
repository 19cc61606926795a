"""Budget lanes of a scored file: shares never exceeded, ties at a threshold left out."""

from __future__ import annotations

import numpy as np
import pytest

from smartcustoms.risk.ml.scorefile import budget_lanes


def test_top_shares_go_red_then_yellow() -> None:
    scores = np.linspace(0, 1, 100)
    lanes = budget_lanes(scores, red=0.03, yellow=0.07)
    assert list(lanes[-3:]) == ["red"] * 3
    assert list(lanes[-10:-3]) == ["yellow"] * 7
    assert (lanes[:-10] == "green").all()


def test_ties_at_the_threshold_stay_out() -> None:
    scores = np.array([0.9, 0.5, 0.5, 0.5, 0.1] * 20)
    lanes = budget_lanes(scores, red=0.3, yellow=0.0)
    # 30 slots, but 60 scores tie at 0.5 below the 20 at 0.9: only the 20 go red.
    assert (lanes == "red").sum() == 20
    assert (lanes[scores == 0.5] == "green").all()


def test_edges() -> None:
    assert len(budget_lanes(np.array([]))) == 0
    assert (budget_lanes(np.array([0.2, 0.4]), red=1.0, yellow=0.0) == "red").all()
    with pytest.raises(ValueError):
        budget_lanes(np.array([0.1]), red=0.7, yellow=0.7)
