"""Recorded controls: what the lane selector chose and with what probability, the unbiased
estimates that makes possible, and the adaptive strategy's bandit.

- :func:`selection_record` / :func:`record_selections`: the learned assessor writes one
  :class:`~.tables.SelectionRow` per assessed declaration inside the lodging transaction (the
  lodgement's outcome decides whether it is stored), never when scoring without storing;
- :func:`evaluate_controls`: inverse propensity weighted estimates of the fraud rate of all
  lodged declarations from the labels of controlled ones (:mod:`.ml.online.ipw`);
- :func:`tune_exploration`: feeds the hit rate of the controls labelled since the last round to
  the discounted UCB bandit (:mod:`.ml.online.bandit`) and stores the exploration share it
  chooses next; the ``adaptive`` strategy explores at that share (:func:`adaptive_rate`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

import numpy as np

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core.clock import Clock
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.risk import service
from smartcustoms.risk.ml.budget import LaneBudget
from smartcustoms.risk.ml.online.bandit import DEFAULT_ARMS, DiscountedUCB
from smartcustoms.risk.ml.online.ipw import IpwEstimate, estimate_fraud_rate
from smartcustoms.risk.repository import RiskRepository
from smartcustoms.risk.source import declarations_frame
from smartcustoms.risk.tables import ExplorationTuningRow

__all__ = [
    "ControlsEvaluation",
    "Tuning",
    "adaptive_rate",
    "evaluate_controls",
    "record_selections",
    "selection_record",
    "tune_exploration",
]

READERS = (Role.ANALYST, Role.OFFICER)


def selection_record(
    *,
    economy: str,
    declaration_id: str,
    on: date,
    budget: LaneBudget,
    exploration_rate: float,
    lane: str,
    score: float | None,
    propensity: float,
    exploration: float,
    explored: bool,
    model_version: str | None,
    now: datetime,
) -> dict[str, Any]:
    """One row of ``risk_selections`` (plain values: the batch path inserts thousands)."""
    return {
        "declaration_id": declaration_id,
        "economy": economy,
        "declared_on": on,
        "strategy": budget.strategy,
        "exploration_rate": float(exploration_rate),
        "score": None if score is None else float(score),
        "lane": lane,
        "controlled": lane != "green",
        "propensity": float(propensity),
        "exploration": float(exploration),
        "explored": bool(explored),
        "model_version": model_version,
        "recorded_at": now,
    }


def record_selections(uow: UnitOfWork, rows: list[dict[str, Any]], *, replace: bool = True) -> None:
    """Store selection records in the caller's transaction (the lodgement's); never commits.
    ``replace=False`` when the declarations are being lodged (none has a selection yet)."""
    if rows:
        uow.repo(RiskRepository).put_selections(rows, replace=replace)


def _labels(
    uow: UnitOfWork, economy: str, since: date | None = None, until: date | None = None
) -> dict[str, float]:
    """Inspection results by declaration id: 1/0, NaN when none is recorded."""
    frame = declarations_frame(uow, economy, since=since, until=until)
    ids = frame["declaration_id"].astype(str).tolist()
    return dict(zip(ids, frame["fraud"].to_numpy(np.float64).tolist(), strict=True))


# --- unbiased estimates --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ControlsEvaluation:
    economy: str
    since: date | None
    until: date | None
    estimate: IpwEstimate
    by_strategy: dict[str, IpwEstimate]

    def to_dict(self) -> dict[str, Any]:
        return {
            "economy": self.economy,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "estimate": self.estimate.to_dict(),
            "by_strategy": {k: v.to_dict() for k, v in self.by_strategy.items()},
        }


def evaluate_controls(
    uow: UnitOfWork,
    principal: Principal,
    *,
    since: date | None = None,
    until: date | None = None,
) -> ControlsEvaluation:
    """The fraud rate of all declarations lodged in [since, until), estimated from the
    inspection results of the controlled ones weighted by ``1 / propensity``; beside it the
    naive hit rate of controls (biased towards what the selector already suspected)."""
    principal.require(*READERS)
    with uow:
        rows = uow.repo(RiskRepository).selections(principal.economy, since, until)
        labels = _labels(uow, principal.economy, since, until)
        # Read while the rows are attached (leaving the unit of work expires them).
        propensity = np.array([r.propensity for r in rows], np.float64)
        controlled = np.array([r.controlled for r in rows], bool)
        explored = np.array([r.explored for r in rows], bool)
        fraud = np.array([labels.get(r.declaration_id, np.nan) for r in rows], np.float64)
        strategies = np.array([r.strategy for r in rows], object)
    by_strategy = {
        str(s): estimate_fraud_rate(
            propensity[strategies == s],
            controlled[strategies == s],
            fraud[strategies == s],
            explored[strategies == s],
        )
        for s in sorted(set(strategies.tolist()))
    }
    return ControlsEvaluation(
        principal.economy,
        since,
        until,
        estimate_fraud_rate(propensity, controlled, fraud, explored),
        by_strategy,
    )


# --- the adaptive strategy's bandit ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tuning:
    economy: str
    share: float  # the exploration share of the inspection budget now in force
    exploration_rate: float  # the same as a share of all declarations
    rounds: int
    rewarded: int  # labelled controls that fed this round (0: nothing new)
    reward: float | None  # their hit rate
    arms: list[float]
    means: list[float | None]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rate(share: float, budget: LaneBudget) -> float:
    """An exploration share of the inspection budget as a share of all declarations (the
    exploration takes part of red, so never more than red)."""
    return float(min(budget.red, share * (budget.red + budget.yellow)))


def adaptive_rate(uow: UnitOfWork, economy: str, budget: LaneBudget) -> float:
    """The exploration rate the ``adaptive`` strategy runs at: the bandit's share, or the
    budget's exploration before the first tuning round."""
    with uow:
        row = uow.repo(RiskRepository).tuning(economy)
    return budget.exploration if row is None else _rate(row.share, budget)


def _bandit(row: ExplorationTuningRow) -> DiscountedUCB:
    bandit = DiscountedUCB(arms=tuple(row.arms), seed=row.rounds)
    bandit.counts_ = np.asarray(row.counts, np.float64)
    bandit.sums_ = np.asarray(row.sums, np.float64)
    return bandit


def tune_exploration(
    uow: UnitOfWork, principal: Principal, *, clock: Clock | None = None
) -> Tuning:
    """One bandit round: reward the arm in force with the hit rate of the controls recorded
    since the last round that have an inspection result, then choose the next arm.

    Run it on a schedule (``smartcustoms risk tune-exploration``, e.g. weekly from cron) or
    after a batch of inspection results; a round with no new labelled control changes nothing.
    """
    principal.require(Role.ANALYST)
    now = (clock or uow.clock).now()
    economy = principal.economy
    with uow:
        repo = uow.repo(RiskRepository)
        budget = service.budget_of(uow, economy)
        row = repo.tuning(economy, lock=True)
        if row is None:
            arms = list(DEFAULT_ARMS)
            start = budget.exploration / max(budget.red + budget.yellow, 1e-9)
            arm = int(np.argmin([abs(a - start) for a in arms]))
            row = ExplorationTuningRow(
                economy=economy,
                arms=arms,
                counts=[0.0] * len(arms),
                sums=[0.0] * len(arms),
                arm=arm,
                share=arms[arm],
                rounds=0,
                tuned_through=None,
                updated_at=now,
            )
            repo.add(row)
        since = row.tuned_through
        selections = [
            s
            for s in repo.selections(economy)
            if s.controlled and (since is None or s.recorded_at > since)
        ]
        labels = _labels(uow, economy)
        labelled = [s for s in selections if not np.isnan(labels.get(s.declaration_id, np.nan))]
        found = np.array([labels[s.declaration_id] for s in labelled], np.float64)
        reward = float(found.mean()) if len(found) else None
        if reward is not None:
            bandit = _bandit(row)
            bandit.update(row.arm, reward)
            chosen = bandit.choose()
            row.counts = [float(c) for c in bandit.counts_]
            row.sums = [float(s) for s in bandit.sums_]
            row.arm, row.share = chosen, float(row.arms[chosen])
            row.rounds += 1
            # The round consumes what was labelled; a control still pending and recorded
            # before the newest labelled one is not rewarded later (run rounds once results
            # have caught up, e.g. weekly).
            row.tuned_through = max(s.recorded_at for s in labelled)
            row.updated_at = now
        counts = np.asarray(row.counts, np.float64)
        sums = np.asarray(row.sums, np.float64)
        means: list[float | None] = [
            float(s / c) if c > 1e-9 else None for s, c in zip(sums, counts, strict=True)
        ]
        result = Tuning(
            economy,
            float(row.share),
            _rate(row.share, budget),
            row.rounds,
            len(found),
            reward,
            [float(a) for a in row.arms],
            means,
        )
        uow.commit()
    return result
