"""Score a file of declarations with a saved risk model (``smartcustoms risk score-batch``).

Every declaration is scored against the model's history alone (``batch_history=False``), as it
would be if it were lodged by itself: a row's scores then do not depend on the other rows of the
file, so the file can be cut into parts and scored anywhere (:mod:`.distributed`)
with the same result. Lanes are given by the inspection budget over the file: the ``red`` share
with the highest fraud scores goes red, the next ``yellow`` share yellow, the rest green (ties
at a threshold are left out, so a lane never exceeds its share).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from smartcustoms.risk.ml.estimator import RiskModel, RiskScores
from smartcustoms.risk.ml.frame import DECLARATION_ID

__all__ = [
    "DEFAULT_RED",
    "DEFAULT_YELLOW",
    "ScoredFile",
    "budget_lanes",
    "score_file",
    "score_frame",
    "scored_frame",
    "write_scores",
]

DEFAULT_RED = 0.03
DEFAULT_YELLOW = 0.07


@dataclass(frozen=True, slots=True)
class ScoredFile:
    """Scores and lanes of a file's declarations, in the file's row order."""

    ids: np.ndarray
    scores: RiskScores
    lanes: np.ndarray


def score_frame(model: RiskModel, frame: pd.DataFrame) -> RiskScores:
    """Fraud and critical-fraud scores of ``frame``'s rows, each against the history alone."""
    return model.predict_risk(frame, batch_history=False)


def budget_lanes(
    fraud: np.ndarray, red: float = DEFAULT_RED, yellow: float = DEFAULT_YELLOW
) -> np.ndarray:
    """``red``/``yellow``/``green`` per score: the top ``red`` share red, the next ``yellow``."""
    if not (0 <= red <= 1 and 0 <= yellow <= 1 and red + yellow <= 1):
        raise ValueError("red and yellow are shares between 0 and 1 that add up to at most 1")
    n = len(fraud)
    lanes = np.full(n, "green", dtype=object)
    if n == 0:
        return lanes
    descending = np.sort(fraud)[::-1]

    def above(share: float) -> np.ndarray:
        k = int(np.floor(share * n))
        if k == 0:
            return np.zeros(n, dtype=bool)
        if k >= n:
            return np.ones(n, dtype=bool)
        # Strictly above the (k+1)-th score: ties at the threshold stay out of the lane.
        return np.asarray(fraud > descending[k])

    yellow_or_red = above(red + yellow)
    lanes[yellow_or_red] = "yellow"
    lanes[above(red)] = "red"
    return lanes


def scored_frame(ids: np.ndarray, scores: RiskScores, lanes: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            DECLARATION_ID: ids,
            "fraud_score": scores.fraud,
            "critical_score": scores.critical,
            "lane": lanes,
        }
    )


def write_scores(result: ScoredFile, out: Path) -> Path:
    """CSV with one row per declaration: id, fraud and critical scores, lane."""
    out.parent.mkdir(parents=True, exist_ok=True)
    scored_frame(result.ids, result.scores, result.lanes).to_csv(
        out, index=False, float_format="%.8g"
    )
    return out


def score_file(
    model: RiskModel,
    path: Path,
    profile: str = "kcs-cdd",
    red: float = DEFAULT_RED,
    yellow: float = DEFAULT_YELLOW,
) -> ScoredFile:
    """Scores and budget lanes for every declaration of ``path``, on this machine."""
    from smartcustoms.risk.ml.frame import read_frame

    frame = read_frame(path, profile)
    scores = score_frame(model, frame)
    return ScoredFile(
        ids=frame[DECLARATION_ID].to_numpy(),
        scores=scores,
        lanes=budget_lanes(scores.fraud, red, yellow),
    )
