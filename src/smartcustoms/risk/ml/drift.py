"""Drift watch: population stability index (PSI) of risk scores, week by week.

PSI = sum over bins of (a - e) * ln(a / e), with bins at the quantiles of the training-period
scores. Rule of thumb: < 0.1 stable, 0.1-0.25 worth a look, > 0.25 the population has shifted
(retrain or recalibrate the lane thresholds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_EPS = 1e-4  # keeps empty bins from producing infinite PSI


def psi(expected: np.ndarray, actual: np.ndarray, bins: int = 10) -> float:
    """PSI of ``actual`` against ``expected`` with ``bins`` quantile bins of ``expected``."""
    exp = np.asarray(expected, dtype=np.float64)
    act = np.asarray(actual, dtype=np.float64)
    if len(exp) == 0 or len(act) == 0:
        return float("nan")
    edges = np.unique(np.quantile(exp, np.linspace(0, 1, bins + 1)[1:-1]))
    e = np.bincount(np.searchsorted(edges, exp, side="right"), minlength=len(edges) + 1)
    a = np.bincount(np.searchsorted(edges, act, side="right"), minlength=len(edges) + 1)
    pe = np.clip(e / e.sum(), _EPS, None)
    pa = np.clip(a / a.sum(), _EPS, None)
    return float(np.sum((pa - pe) * np.log(pa / pe)))


@dataclass(frozen=True, slots=True)
class WeeklyPsi:
    week_start: str  # ISO date of the Monday
    n: int
    psi: float

    @property
    def status(self) -> str:
        if self.psi < 0.1:
            return "stable"
        return "watch" if self.psi < 0.25 else "shifted"


def weekly_psi(
    reference_scores: np.ndarray, scores: np.ndarray, dates: np.ndarray, bins: int = 10
) -> list[WeeklyPsi]:
    """PSI of each calendar week's scores (weeks start on Monday) against the reference period."""
    days = np.asarray(dates, dtype="datetime64[D]")
    # 1970-01-01 was a Thursday: shift by 3 days so weeks start on Monday.
    week = (days.astype(np.int64) + 3) // 7
    s = np.asarray(scores, dtype=np.float64)
    out = []
    for w in np.unique(week):
        mask = week == w
        monday = np.datetime64(int(w * 7 - 3), "D")
        out.append(WeeklyPsi(str(monday), int(mask.sum()), psi(reference_scores, s[mask], bins)))
    return out
