"""Unbiased estimates from recorded controls: inverse propensity weighting (IPW).

Only controlled declarations get a label, and the lane selector controls what it already
suspects, so the hit rate of controls says little about the fraud rate of all declarations.
Each lodgement records its **propensity**: the probability it had of being sent to control
before any draw (1 when its score or a rule sent it there for certain). Every declaration is
drawn independently (a per-declaration draw, a Poisson sampling design), so weighting each
label by ``1 / propensity`` estimates a total over *all* lodged declarations without bias
(Horvitz and Thompson, 1952), as long as every declaration had a positive chance of control.

Two estimates of the fraud rate among lodged declarations:

- ``horvitz_thompson``: ``sum(y / p) / N`` over the labelled controls: unbiased;
- ``hajek``: ``sum(y / p) / sum(1 / p)``: self-normalised, slightly biased but with a smaller
  variance, and unaffected by controls whose result is still pending.

Declarations with propensity 0 (strategy ``exploit``: never explored) cannot be estimated; the
estimate says how many there were (``unreachable``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

__all__ = ["IpwEstimate", "estimate_fraud_rate"]


@dataclass(frozen=True, slots=True)
class IpwEstimate:
    lodged: int  # declarations with a recorded propensity
    controlled: int  # sent to control (yellow or red)
    labelled: int  # controlled with a recorded inspection result
    pending: int  # controlled, result not recorded yet
    explored: int  # sent to red by the exploration draw
    unreachable: int  # propensity 0: never had a chance of control
    frauds: int  # frauds found by the labelled controls
    hit_rate: float | None  # frauds / labelled: the naive (biased) figure
    horvitz_thompson: float | None  # unbiased estimate of the fraud rate of all declarations
    horvitz_thompson_se: float | None
    hajek: float | None  # self-normalised estimate
    hajek_se: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def estimate_fraud_rate(
    propensity: np.ndarray,
    controlled: np.ndarray,
    fraud: np.ndarray,
    explored: np.ndarray | None = None,
) -> IpwEstimate:
    """IPW estimates of the fraud rate among all declarations from the labelled controls.

    ``propensity``: per lodged declaration, its chance of control; ``controlled``: whether it
    was sent to control; ``fraud``: 1/0 for an inspection result, NaN when none is recorded.
    Standard errors use the Poisson-sampling variance (independent draws per declaration).
    """
    p = np.asarray(propensity, dtype=np.float64)
    c = np.asarray(controlled, dtype=bool)
    y = np.asarray(fraud, dtype=np.float64)
    if not (len(p) == len(c) == len(y)):
        raise ValueError("propensity, controlled and fraud must have the same length")
    n = len(p)
    labelled = c & ~np.isnan(y) & (p > 0)
    ys, ps = y[labelled], p[labelled]
    frauds = int(ys.sum())
    ht = ht_se = hajek = hajek_se = None
    if n and len(ys):
        w = 1.0 / ps
        ht = float((ys * w).sum() / n)
        # Var(sum y/p) = sum (1 - p) / p^2 * y^2 under independent draws, estimated on the sample.
        ht_se = float(math.sqrt(((1.0 - ps) * w * w * ys * ys).sum()) / n)
        total = float(w.sum())
        hajek = float((ys * w).sum() / total)
        hajek_se = float(math.sqrt(((1.0 - ps) * w * w * (ys - hajek) ** 2).sum()) / total)
    return IpwEstimate(
        lodged=n,
        controlled=int(c.sum()),
        labelled=int(labelled.sum()),
        pending=int((c & np.isnan(y)).sum()),
        explored=int(np.asarray(explored, bool).sum()) if explored is not None else 0,
        unreachable=int((p <= 0).sum()),
        frauds=frauds,
        hit_rate=float(ys.mean()) if len(ys) else None,
        horvitz_thompson=ht,
        horvitz_thompson_se=ht_se,
        hajek=hajek,
        hajek_se=hajek_se,
    )
