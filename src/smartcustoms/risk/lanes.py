"""From scores and fired rules to lanes, vectorised (the assessor's single declaration is a
batch of one). Pure: no database.

Order: rules' ``score_add`` adjusts the fraud score; the calibrated thresholds (AEO-aware) give
the lane; forced lanes raise it; ``random_check`` rules and the exploration share send to red
with a probability, the draw fixed by the declaration id (reproducible; a trader cannot resubmit
until green). Without a model the budget's red/yellow shares are drawn at random.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from smartcustoms.declarations.lanes import uniform_draw
from smartcustoms.risk.budget import LaneBudget, LanePolicy, Thresholds
from smartcustoms.risk.rules import ActiveRule

NAMES = ("green", "yellow", "red")
EXPLORATION_SEED = "risk-exploration"


def _opt(value: float) -> float | None:
    return value if math.isfinite(value) else None  # JSON has no infinity


def policy_to_dict(policy: LanePolicy) -> dict[str, Any]:
    return {
        "regular": {"red": _opt(policy.regular.red), "yellow": _opt(policy.regular.yellow)},
        "aeo": {"red": _opt(policy.aeo.red), "yellow": _opt(policy.aeo.yellow)},
        "exploration": policy.exploration,
    }


def policy_from_dict(raw: dict[str, Any]) -> LanePolicy:
    def th(d: dict[str, Any]) -> Thresholds:
        inf = float("inf")
        return Thresholds(
            red=inf if d.get("red") is None else float(d["red"]),
            yellow=inf if d.get("yellow") is None else float(d["yellow"]),
        )

    return LanePolicy(th(raw["regular"]), th(raw["aeo"]), float(raw.get("exploration", 0.0)))


@dataclass(frozen=True, slots=True)
class BatchDecision:
    lanes: np.ndarray  # 0 green, 1 yellow, 2 red
    scores: np.ndarray | None  # adjusted fraud scores (None without a model)
    explored: np.ndarray  # sent to red by the exploration draw
    random_checked: np.ndarray  # sent to red by a rule's random check


def draws(declaration_ids: Sequence[str], seed: str) -> np.ndarray:
    return np.fromiter(
        (uniform_draw(seed, i) for i in declaration_ids), np.float64, count=len(declaration_ids)
    )


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
        exploration = policy.exploration
    else:
        # No model: the budget's shares at random (AEOs at the reduced rate).
        f = np.where(trusted, budget.aeo_factor, 1.0)
        pick = draws(declaration_ids, "risk-budget")
        lanes = np.where(
            pick < budget.red * f, 2, np.where(pick < (budget.red + budget.yellow) * f, 1, 0)
        )
        exploration = 0.0
    for j, rule in enumerate(rules):
        if rule.definition.action.lane is not None:
            forced = NAMES.index(rule.definition.action.lane)
            lanes = np.where(fired[:, j], np.maximum(lanes, forced), lanes)
    random_checked = np.zeros(n, bool)
    for j, rule in enumerate(rules):
        share = rule.definition.action.random_check
        if share > 0:
            hit = fired[:, j] & (draws(declaration_ids, f"rule:{rule.id}") < share)
            random_checked |= hit & (lanes < 2)
            lanes = np.where(hit, 2, lanes)
    explored = (explore_draw < exploration) & (lanes < 2)
    lanes = np.where(explored, 2, lanes)
    return BatchDecision(lanes.astype(np.int64), adjusted, explored, random_checked)


def shares(lanes: np.ndarray) -> dict[str, float]:
    n = max(len(lanes), 1)
    return {name: float((np.asarray(lanes) == i).sum() / n) for i, name in enumerate(NAMES)}
