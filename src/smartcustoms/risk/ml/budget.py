"""Lanes under an inspection budget.

Thresholds are calibrated on the *recent* score distribution so that the target shares hold
(e.g. 3% red, 7% yellow) whatever the model's calibration. Part of the red budget goes to a small
uniformly random exploration share, so the model keeps learning about declarations it would never
pick (and traders cannot learn to stay under a fixed threshold). Trusted traders (AEO) are held to
a lower rate; the others' thresholds absorb the difference so the overall budget still holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

SELECTION_STRATEGIES: tuple[str, ...] = ("exploit", "random", "diverse", "adaptive")
"""The selection strategies of the simulator (:mod:`.online.strategies`), as production runs
them one declaration at a time."""


class Lane(IntEnum):
    GREEN = 0
    YELLOW = 1  # documentary control
    RED = 2  # physical inspection


@dataclass(frozen=True, slots=True)
class LaneBudget:
    """Target lane shares of all declarations; ``aeo_factor`` scales them for trusted traders."""

    red: float = 0.03
    yellow: float = 0.07
    exploration: float = 0.005  # share of all declarations sent to red at random
    aeo_factor: float = 0.5
    window: int = 2000
    """Thresholds follow the most recent ``window`` scores (0: fixed at the model's
    calibration); see :mod:`smartcustoms.risk.window`."""
    strategy: str = "random"
    """How the exploration share is drawn (:data:`SELECTION_STRATEGIES`): ``exploit`` (none),
    ``random`` (uniform), ``diverse`` (weighted by the model's uncertainty), ``adaptive``
    (``diverse`` with the share a bandit tunes from observed hit rates)."""

    def __post_init__(self) -> None:
        if self.strategy not in SELECTION_STRATEGIES:
            raise ValueError(f"strategy must be one of {', '.join(SELECTION_STRATEGIES)}")
        if not (self.red >= 0 and self.yellow >= 0 and self.red + self.yellow <= 1):
            raise ValueError("red and yellow shares must be >= 0 and sum to at most 1")
        if not 0 <= self.exploration <= self.red:
            raise ValueError("exploration share must lie between 0 and the red share")
        if not 0 <= self.aeo_factor <= 1:
            raise ValueError("aeo_factor must lie between 0 and 1")
        if self.window < 0:
            raise ValueError("window must be 0 (fixed thresholds) or a number of declarations")


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Score thresholds: red if score >= red, else yellow if score >= yellow."""

    red: float
    yellow: float


def threshold_for_rate(scores: np.ndarray, rate: float) -> float:
    """Smallest threshold selecting at most ``rate`` of ``scores`` (``inf`` selects none).

    On the calibration sample itself exactly ``floor(rate * n)`` scores are selected when scores
    are distinct; ties at the threshold are all left out so the budget is never exceeded.
    """
    s = np.sort(np.asarray(scores, dtype=np.float64))[::-1]
    k = int(np.floor(rate * len(s) + 1e-9))
    if k <= 0 or len(s) == 0:
        return float("inf")
    if k >= len(s):
        return float(s[-1])
    cut = s[k - 1]
    # If the k-th score ties with the (k+1)-th, move above the tie to stay within budget.
    return float(cut) if s[k] < cut else float(np.nextafter(cut, np.inf))


def calibrate(scores: np.ndarray, red_rate: float, yellow_rate: float) -> Thresholds:
    """Thresholds that put ``red_rate`` / ``yellow_rate`` of ``scores`` in red / yellow."""
    red = threshold_for_rate(scores, red_rate)
    yellow = threshold_for_rate(scores, red_rate + yellow_rate)
    return Thresholds(red=red, yellow=min(yellow, red))


@dataclass(frozen=True, slots=True)
class LanePolicy:
    """Calibrated thresholds for ordinary traders and AEOs, plus the exploration share."""

    regular: Thresholds
    aeo: Thresholds
    exploration: float
    uncertainty: float = 0.0
    """Mean exploration weight ``p (1 - p) + 0.01`` of the recent scores: what the ``diverse``
    strategy divides by so its draws hold the exploration share on average (0: not known,
    draws are uniform)."""

    @classmethod
    def calibrate(
        cls,
        recent_scores: np.ndarray,
        budget: LaneBudget,
        recent_aeo: np.ndarray | None = None,
    ) -> LanePolicy:
        """Fit thresholds on recent scores (``recent_aeo`` marks AEO declarations among them)."""
        scores = np.asarray(recent_scores, dtype=np.float64)
        aeo = np.zeros(len(scores), bool) if recent_aeo is None else np.asarray(recent_aeo, bool)
        # Exploration takes its share of red first; the scored red share is what is left.
        red = budget.red - budget.exploration
        share_aeo = float(aeo.mean()) if len(aeo) else 0.0
        f = budget.aeo_factor
        weight = float(uncertainty_weight(scores).mean()) if len(scores) else 0.0
        if share_aeo >= 1.0:
            regular = calibrate(scores, red * f, budget.yellow * f)
            return cls(regular, regular, budget.exploration, weight)
        # Solve share_aeo * f * r + (1 - share_aeo) * r_regular = r for the regular rate.
        scale = (1 - share_aeo * f) / (1 - share_aeo)
        red_reg, yellow_reg = min(red * scale, 1.0), budget.yellow * scale
        yellow_reg = min(yellow_reg, 1.0 - red_reg)
        regular = calibrate(scores[~aeo], red_reg, yellow_reg)
        trusted = calibrate(scores[aeo], red * f, budget.yellow * f) if aeo.any() else regular
        return cls(regular, trusted, budget.exploration, weight)

    def assign(
        self,
        scores: np.ndarray,
        aeo: np.ndarray | None = None,
        rng: np.random.Generator | None = None,
    ) -> np.ndarray:
        """Lane per declaration (:class:`Lane` values), vectorised."""
        s = np.asarray(scores, dtype=np.float64)
        trusted = np.zeros(len(s), bool) if aeo is None else np.asarray(aeo, bool)
        red_t = np.where(trusted, self.aeo.red, self.regular.red)
        yellow_t = np.where(trusted, self.aeo.yellow, self.regular.yellow)
        lanes = np.where(s >= red_t, Lane.RED, np.where(s >= yellow_t, Lane.YELLOW, Lane.GREEN))
        if self.exploration > 0:
            generator = rng if rng is not None else np.random.default_rng()
            explore = generator.random(len(s)) < self.exploration
            lanes = np.where(explore, Lane.RED, lanes)
        return lanes.astype(np.int64)


def uncertainty_weight(scores: np.ndarray) -> np.ndarray:
    """How much the model would learn from a label: ``p (1 - p)``, plus a floor so every
    declaration keeps a chance of being drawn (its propensity stays positive)."""
    p = np.clip(np.asarray(scores, dtype=np.float64), 0.0, 1.0)
    return p * (1.0 - p) + 0.01


def lane_shares(lanes: np.ndarray) -> dict[str, float]:
    n = max(len(lanes), 1)
    return {lane.name.lower(): float((np.asarray(lanes) == lane).sum() / n) for lane in Lane}
