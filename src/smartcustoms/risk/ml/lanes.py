"""From scores and fired rules to lanes, vectorised (the assessor's single declaration is a
batch of one). Pure: no database.

Order: rules' ``score_add`` adjusts the fraud score; the calibrated thresholds (AEO-aware) give
the lane; forced lanes raise it; ``random_check`` rules and the exploration share send to red
with a probability, the draw fixed by the declaration id (reproducible; a trader cannot resubmit
until green). Without a model the budget's red/yellow shares are drawn at random.

The exploration draw follows the budget's selection strategy (``LaneBudget.strategy``, the
simulator's strategies run one declaration at a time): ``exploit`` explores nothing, ``random``
gives every declaration the same chance, ``diverse`` and ``adaptive`` weight it by the model's
uncertainty ``p (1 - p)``. Every decision carries its **propensity**: the probability the
declaration had of being sent to control (yellow or red) before any draw, 1 when its score or a
rule sent it there for certain. Recorded with each lodgement, it makes the labels of controlled
declarations usable for unbiased estimates (inverse propensity weighting).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from smartcustoms.core.draws import uniform_draw
from smartcustoms.risk.ml.budget import LaneBudget, LanePolicy, Thresholds, uncertainty_weight
from smartcustoms.selectivity import ActiveRule

NAMES = ("green", "yellow", "red")
EXPLORATION_SEED = "risk-exploration"


def _opt(value: float) -> float | None:
    return value if math.isfinite(value) else None  # JSON has no infinity


def policy_to_dict(policy: LanePolicy) -> dict[str, Any]:
    return {
        "regular": {"red": _opt(policy.regular.red), "yellow": _opt(policy.regular.yellow)},
        "aeo": {"red": _opt(policy.aeo.red), "yellow": _opt(policy.aeo.yellow)},
        "exploration": policy.exploration,
        "uncertainty": policy.uncertainty,
    }


def policy_from_dict(raw: dict[str, Any]) -> LanePolicy:
    def th(d: dict[str, Any]) -> Thresholds:
        inf = float("inf")
        return Thresholds(
            red=inf if d.get("red") is None else float(d["red"]),
            yellow=inf if d.get("yellow") is None else float(d["yellow"]),
        )

    return LanePolicy(
        th(raw["regular"]),
        th(raw["aeo"]),
        float(raw.get("exploration", 0.0)),
        float(raw.get("uncertainty", 0.0)),
    )


@dataclass(frozen=True, slots=True)
class BatchDecision:
    lanes: np.ndarray  # 0 green, 1 yellow, 2 red
    scores: np.ndarray | None  # adjusted fraud scores (None without a model)
    explored: np.ndarray  # sent to red by the exploration draw
    random_checked: np.ndarray  # sent to red by a rule's random check
    propensity: np.ndarray  # probability of being sent to control (yellow or red), in [0, 1]
    exploration: np.ndarray  # probability of the exploration draw sending it to red


def draws(declaration_ids: Sequence[str], seed: str) -> np.ndarray:
    return np.fromiter(
        (uniform_draw(seed, i) for i in declaration_ids), np.float64, count=len(declaration_ids)
    )


def exploration_probability(
    scores: np.ndarray, strategy: str, rate: float, uncertainty: float
) -> np.ndarray:
    """Each declaration's chance of being drawn for exploration under ``strategy``.

    ``rate`` is the budget's exploration share of all declarations; ``diverse`` and
    ``adaptive`` spread it by uncertainty, divided by the recent scores' mean weight
    (``uncertainty``) so the share holds on average. Per declaration, never per batch: a
    declaration gets the same chance whether lodged alone or in a bulk file.
    """
    s = np.asarray(scores, dtype=np.float64)
    if strategy == "exploit" or rate <= 0:
        return np.zeros(len(s))
    if strategy in ("diverse", "adaptive") and uncertainty > 0:
        return np.minimum(1.0, rate * uncertainty_weight(s) / uncertainty)
    return np.full(len(s), float(rate))


def decide(
    declaration_ids: Sequence[str],
    scores: np.ndarray | None,
    fired: np.ndarray,
    rules: Sequence[ActiveRule],
    policy: LanePolicy | None,
    budget: LaneBudget,
    aeo: np.ndarray | None = None,
) -> BatchDecision:
    n = len(declaration_ids)
    trusted = np.zeros(n, bool) if aeo is None else np.asarray(aeo, bool)
    explore_draw = draws(declaration_ids, EXPLORATION_SEED)
    adjusted: np.ndarray | None = None
    if scores is not None and policy is not None:
        add = np.zeros(n)
        if rules:
            weights = np.array([r.definition.action.score_add for r in rules], np.float64)
            add = fired.astype(np.float64) @ weights
        adjusted = np.clip(np.asarray(scores, np.float64) + add, 0.0, 1.0)
        red_t = np.where(trusted, policy.aeo.red, policy.regular.red)
        yellow_t = np.where(trusted, policy.aeo.yellow, policy.regular.yellow)
        lanes = np.where(adjusted >= red_t, 2, np.where(adjusted >= yellow_t, 1, 0))
        exploration = exploration_probability(
            adjusted, budget.strategy, policy.exploration, policy.uncertainty
        )
        drawn = np.zeros(n)  # the thresholds decide; nothing is drawn for them
        certain = lanes >= 1
    else:
        # No model: the budget's shares at random (AEOs at the reduced rate).
        f = np.where(trusted, budget.aeo_factor, 1.0)
        pick = draws(declaration_ids, "risk-budget")
        lanes = np.where(
            pick < budget.red * f, 2, np.where(pick < (budget.red + budget.yellow) * f, 1, 0)
        )
        exploration = np.zeros(n)
        drawn = np.minimum((budget.red + budget.yellow) * f, 1.0).astype(np.float64)
        # A drawn lane is not certain: only what rules force below counts as certain.
        certain = np.zeros(n, bool)
    for j, rule in enumerate(rules):
        if rule.definition.action.lane is not None:
            forced = NAMES.index(rule.definition.action.lane)
            lanes = np.where(fired[:, j], np.maximum(lanes, forced), lanes)
            if forced >= 1:
                certain |= fired[:, j]
    random_checked = np.zeros(n, bool)
    missed = np.ones(n)  # probability that no random mechanism sends it to control
    for j, rule in enumerate(rules):
        share = rule.definition.action.random_check
        if share > 0:
            hit = fired[:, j] & (draws(declaration_ids, f"rule:{rule.id}") < share)
            random_checked |= hit & (lanes < 2)
            lanes = np.where(hit, 2, lanes)
            missed *= np.where(fired[:, j], 1.0 - min(share, 1.0), 1.0)
    explored = (explore_draw < exploration) & (lanes < 2)
    lanes = np.where(explored, 2, lanes)
    # The draws are independent (each its own seed), so the chances multiply.
    missed = missed * (1.0 - drawn) * (1.0 - exploration)
    propensity = np.where(certain, 1.0, 1.0 - missed)
    return BatchDecision(
        lanes.astype(np.int64), adjusted, explored, random_checked, propensity, exploration
    )


def shares(lanes: np.ndarray) -> dict[str, float]:
    n = max(len(lanes), 1)
    return {name: float((np.asarray(lanes) == i).sum() / n) for i, name in enumerate(NAMES)}
