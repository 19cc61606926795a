"""Lane thresholds that follow a moving score distribution.

Thresholds calibrated once (on the model's validation period) drift away from the budget as the
traffic changes: on the KCS test split they gave 1.98% red against a 3% budget. So the assessor
recalibrates on a rolling window: the most recent ``budget.window`` scores of the economy
(default 2,000), recomputed at most once per day of declarations.

The window for day D is defined by the data, not by the process: the calibration sample stored
with the active model (oldest part first), followed by the lane scores stored on the economy's
declarations dated before D and assessed since the model was activated (older models' scores
describe another distribution), keeping the last N. Every web worker reading the same database
therefore computes the same thresholds for D, and a batch import processed in date order gets
the same thresholds as the same declarations lodged one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from smartcustoms.db.uow import UnitOfWork
from smartcustoms.risk.ml.budget import LaneBudget, LanePolicy
from smartcustoms.risk.registry import CalibrationSample
from smartcustoms.risk.source import recent_lane_scores

MIN_SCORES = 100
"""Below this many scores the window says nothing reliable about a 3% tail: keep the model's
own calibrated thresholds."""


@dataclass
class ScoreWindow:
    """The most recent ``size`` scores (oldest first) and which of them were trusted traders'."""

    size: int
    scores: np.ndarray
    trusted: np.ndarray

    @classmethod
    def empty(cls, size: int) -> ScoreWindow:
        return cls(size, np.zeros(0, np.float64), np.zeros(0, bool))

    def extend(self, scores: np.ndarray, trusted: np.ndarray) -> ScoreWindow:
        """Append newer scores, dropping the oldest beyond ``size`` (returns self)."""
        s = np.concatenate([self.scores, np.asarray(scores, np.float64)])
        t = np.concatenate([self.trusted, np.asarray(trusted, bool)])
        self.scores, self.trusted = s[-self.size :], t[-self.size :]
        return self

    def policy(self, budget: LaneBudget) -> LanePolicy | None:
        """Thresholds putting the budget's shares of the window in red / yellow, or None when
        the window is too small to say."""
        if len(self.scores) < MIN_SCORES:
            return None
        return LanePolicy.calibrate(
            self.scores, budget, self.trusted if self.trusted.any() else None
        )


def seed(sample: CalibrationSample, aeo: set[str], size: int) -> ScoreWindow:
    """The window before any declaration was assessed: the calibration sample, by date."""
    order = np.argsort(sample.dates, kind="stable")
    trusted = np.isin(sample.traders.astype(str), list(aeo)) if aeo else np.zeros(len(order), bool)
    return ScoreWindow.empty(size).extend(sample.scores[order], trusted[order])


def window_before(
    uow: UnitOfWork,
    economy: str,
    day: date,
    start: ScoreWindow,
    aeo: set[str],
    activated_at: datetime | None,
) -> ScoreWindow:
    """``start`` (the seed) followed by the stored scores of declarations dated before ``day``
    assessed since ``activated_at``, the last ``start.size`` of them."""
    scores, traders = recent_lane_scores(
        uow, economy, before=day, assessed_since=activated_at, limit=start.size
    )
    trusted = np.isin(traders.astype(str), list(aeo)) if aeo else np.zeros(len(scores), bool)
    window = ScoreWindow(start.size, start.scores.copy(), start.trusted.copy())
    return window.extend(scores, trusted)
