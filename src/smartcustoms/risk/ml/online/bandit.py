"""A discounted UCB bandit that tunes the exploration share from observed hit rates.

Each arm is an exploration share (0%, 2%, 5%, ...). After every week the arm that was played
gets the week's reward (the inspected set's hit rate); older rewards fade by ``discount`` so the
bandit follows drift, in the spirit of the adaptive exploration of ADAPT (Kim et al., 2021).
Database-free and deterministic given its seed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["DEFAULT_ARMS", "DiscountedUCB"]

DEFAULT_ARMS: tuple[float, ...] = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3)


@dataclass
class DiscountedUCB:
    """Discounted UCB1 (Garivier & Moulines, 2011) over a fixed set of arms."""

    arms: Sequence[float] = DEFAULT_ARMS
    discount: float = 0.9
    exploration: float = 0.5  # width of the confidence bonus, in reward units
    seed: int = 0
    counts_: np.ndarray = field(init=False)
    sums_: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        if not self.arms:
            raise ValueError("a bandit needs at least one arm")
        if not 0.0 < self.discount <= 1.0:
            raise ValueError("discount must be in (0, 1]")
        self.counts_ = np.zeros(len(self.arms))
        self.sums_ = np.zeros(len(self.arms))
        self._rng = np.random.default_rng(self.seed)

    def choose(self) -> int:
        """Index of the arm to play next (every arm once first, then the highest bound)."""
        unplayed = np.flatnonzero(self.counts_ < 1e-9)
        if len(unplayed):
            return int(unplayed[0])
        total = self.counts_.sum()
        means = self.sums_ / self.counts_
        bonus = self.exploration * np.sqrt(2.0 * math.log(max(total, 1.0)) / self.counts_)
        bound = means + bonus
        best = np.flatnonzero(bound >= bound.max() - 1e-12)
        return int(self._rng.choice(best))

    def update(self, arm: int, reward: float) -> None:
        self.counts_ *= self.discount
        self.sums_ *= self.discount
        self.counts_[arm] += 1.0
        self.sums_[arm] += reward

    @property
    def share(self) -> float:
        """The exploration share the bandit currently believes best (highest mean)."""
        played = self.counts_ > 1e-9
        if not played.any():
            return float(self.arms[0])
        means = np.where(played, self.sums_ / np.where(played, self.counts_, 1.0), -np.inf)
        return float(self.arms[int(np.argmax(means))])
