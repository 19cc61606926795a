"""Selection strategies: which declarations of a batch to inspect, and with what probability.

Every strategy returns a :class:`Selection`: the chosen rows, whether each was chosen to exploit
(top scores) or to explore, and each row's inclusion probability (propensity). Propensities make
the labels of explored rows usable for unbiased evaluation and for inverse-propensity weighted
training, because uninspected declarations never get a label.

- ``exploit``: the ``k`` highest scores;
- ``random``: ``(1 - share) * k`` highest scores, the rest drawn uniformly from the others;
- ``diverse``: the exploring part drawn in proportion to the model's uncertainty ``p (1 - p)``,
  damped for declarations that look like ones already drawn (same importer or HS heading), in the
  spirit of the gATE/bATE strategies (uncertainty plus diversity), written from the published
  description, not from their code;
- ``adaptive``: ``diverse`` with the share chosen each batch by a discounted UCB bandit
  (:mod:`.bandit`) from the hit rates it observes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from smartcustoms.risk.ml.budget import SELECTION_STRATEGIES, uncertainty_weight

__all__ = ["STRATEGIES", "Selection", "select"]

# One list and one uncertainty weight for the simulator and the production lane selector
# (:func:`smartcustoms.risk.ml.lanes.decide` runs the same strategies one declaration at a time).
STRATEGIES: tuple[str, ...] = SELECTION_STRATEGIES
_PROPENSITY_FLOOR = 1e-3


@dataclass(frozen=True, slots=True)
class Selection:
    """Rows to inspect (positions in the batch), why, and how likely each was to be drawn."""

    rows: np.ndarray  # int positions, exploited rows first
    explored: np.ndarray  # bool per selected row
    propensity: np.ndarray  # inclusion probability per selected row, in (0, 1]
    share: float  # the exploration share used

    def __post_init__(self) -> None:
        if not (len(self.rows) == len(self.explored) == len(self.propensity)):
            raise ValueError("rows, explored and propensity must have the same length")


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    # Stable descending order: ties keep batch order, so results are deterministic.
    return np.argsort(-scores, kind="stable")[:k]


def select(
    scores: np.ndarray,
    k: int,
    strategy: str,
    share: float,
    rng: np.random.Generator,
    groups: Sequence[np.ndarray] = (),
) -> Selection:
    """Choose ``k`` of ``len(scores)`` rows by ``strategy`` with exploration ``share``.

    ``groups`` are per-row keys (e.g. importer, HS heading) that ``diverse`` spreads its draws
    over. ``adaptive`` is ``diverse`` with a share the caller (the bandit) chose.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose from {', '.join(STRATEGIES)}")
    n = len(scores)
    k = max(0, min(int(k), n))
    if strategy == "exploit":
        share = 0.0
    share = min(max(float(share), 0.0), 1.0)
    explore_k = round(k * share) if k else 0
    exploit_k = k - explore_k
    top = _top(scores, exploit_k)
    rest = np.setdiff1d(np.arange(n), top, assume_unique=False)
    if explore_k == 0 or len(rest) == 0:
        return Selection(top, np.zeros(len(top), bool), np.ones(len(top)), share)
    explore_k = min(explore_k, len(rest))
    if strategy == "random":
        drawn = rng.choice(rest, size=explore_k, replace=False)
        p = np.full(explore_k, explore_k / len(rest))
    else:
        drawn, p = _diverse(scores, rest, explore_k, rng, groups)
    rows = np.concatenate([top, drawn]).astype(np.int64)
    explored = np.concatenate([np.zeros(len(top), bool), np.ones(len(drawn), bool)])
    propensity = np.concatenate([np.ones(len(top)), np.clip(p, _PROPENSITY_FLOOR, 1.0)])
    return Selection(rows, explored, propensity, share)


def _diverse(
    scores: np.ndarray,
    rest: np.ndarray,
    m: int,
    rng: np.random.Generator,
    groups: Sequence[np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``m`` of ``rest`` by uncertainty, damping rows similar to those already drawn."""
    base = uncertainty_weight(scores[rest])  # every row keeps a chance: propensities stay > 0
    # The inclusion probability of a weighted draw of m is about min(1, m * w / sum w); damping
    # changes it little, and the estimate only has to be good enough to weight labels.
    propensity = np.minimum(1.0, m * base / base.sum())
    weights = base.copy()
    picked: list[int] = []
    seen: list[dict[object, int]] = [{} for _ in groups]
    for _ in range(m):
        total = weights.sum()
        if total <= 0:
            break
        j = int(rng.choice(len(rest), p=weights / total))
        picked.append(j)
        weights[j] = 0.0
        for g, counts in zip(groups, seen, strict=False):
            key = g[rest[j]]
            counts[key] = counts.get(key, 0) + 1
            same = g[rest] == key
            weights[same] = weights[same] / 2.0
    idx = np.asarray(picked, dtype=np.int64)
    return rest[idx], propensity[idx]
