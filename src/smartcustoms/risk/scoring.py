"""The learned assessor: score with the active model, apply active rules, pick the lane under
the budget, explain. Also the batch path (:func:`simulate_lanes`) and scoring without storing.

History: a declaration dated D is scored with the model's history plus the inspection results
recorded in the database for declarations dated after the training period and *before* D (the
model is updated with them, boosters unchanged), so nothing dated on or after D is used.

That history and the day's thresholds are read from the database once per day of declarations
and kept while the economy's audit chain shows nothing that changes them (:mod:`.daycache`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations.lanes import Signal
from smartcustoms.declarations.model import Declaration
from smartcustoms.exchange import queries as exchange
from smartcustoms.risk import controls, service
from smartcustoms.risk.daycache import CHAIN_READ, HISTORY, WINDOW, DayCache, Ticket
from smartcustoms.risk.ml.budget import LaneBudget, LanePolicy
from smartcustoms.risk.ml.estimator import RiskModel
from smartcustoms.risk.ml.explain import explain_rows
from smartcustoms.risk.ml.fast import FastFeatures
from smartcustoms.risk.ml.lanes import NAMES, decide, policy_from_dict, shares
from smartcustoms.risk.model import Explanation, ScoreResult
from smartcustoms.risk.registry import CalibrationSample, extend_history, history_model
from smartcustoms.risk.repository import RiskRepository
from smartcustoms.risk.rules import ActiveRule, RuleContext, UnitValueNorms, evaluate
from smartcustoms.risk.rules import fired_by_declaration as fired_by_decl
from smartcustoms.risk.source import (
    declaration_records,
    declarations_frame,
    items_frame,
)
from smartcustoms.risk.states import ScoringStates
from smartcustoms.risk.window import ScoreWindow, seed, window_before


@dataclass
class EconomyState:
    """Everything the assessor needs for one economy, rebuilt when the stamp changes."""

    stamp: tuple[Any, ...]
    version: str | None
    directory: str | None
    policy: LanePolicy | None
    budget: LaneBudget
    rules: list[ActiveRule]
    watchlists: dict[str, set[str]]
    aeo: set[str]
    activated_at: datetime | None = None
    seed: ScoreWindow | None = None  # the calibration sample's window, loaded on first use
    days: DayCache = field(default_factory=DayCache)  # history and thresholds per day

    @property
    def enabled(self) -> bool:
        return self.version is not None or bool(self.rules)


def database_key(uow: UnitOfWork) -> str:
    """Which database ``uow`` is bound to: the cache key of the per-economy scoring state."""
    with uow:
        return str(uow.session.get_bind().engine.url)


def states_of(uow: UnitOfWork) -> ScoringStates | None:
    ports = uow.ports
    found = getattr(ports, "scoring_states", None) if ports is not None else None
    return found if isinstance(found, ScoringStates) else None


def economy_state(uow: UnitOfWork, economy: str) -> EconomyState:
    cache = states_of(uow)
    key = database_key(uow)
    with uow:
        repo = uow.repo(RiskRepository)
        stamp = repo.state_stamp(economy)
        if cache is not None:
            cached: EconomyState | None = cache.get((key, economy))
            if cached is not None and cached.stamp == stamp:
                return cached
        row = repo.active_model(economy)
        budget = service.budget_of(uow, economy)
        policy = policy_from_dict(row.thresholds) if row and row.thresholds else None
        if budget.strategy == "adaptive":
            # The bandit's share replaces the budget's exploration everywhere: the thresholds
            # (recalibrated with the budget) leave it its part of red, the draws use it.
            rate = controls.adaptive_rate(uow, economy, budget)
            budget = dataclasses.replace(budget, exploration=rate)
            if policy is not None:
                policy = dataclasses.replace(policy, exploration=rate)
        state = EconomyState(
            stamp=stamp,
            version=row.version if row else None,
            directory=row.directory if row else None,
            policy=policy,
            budget=budget,
            rules=service.active_rules(uow, economy),
            watchlists=repo.watchlists(economy),
            aeo=repo.aeo_ids(economy),
            activated_at=row.activated_at if row else None,
        )
    if cache is not None:
        cache.put((key, economy), state)
    return state


def sync_days(
    uow: UnitOfWork, economy: str, state: EconomyState, limit: int = CHAIN_READ
) -> Ticket:
    """Bring the per-day values up to date with the database (once per assessment; ``limit``:
    see :meth:`.daycache.DayCache.sync`)."""
    return state.days.sync(uow, economy, limit)


def model_for_day(
    uow: UnitOfWork, economy: str, state: EconomyState, day: date, ticket: Ticket
) -> tuple[RiskModel, FastFeatures]:
    """The active model with the history as of ``day``: shared, never to be updated (copy the
    builder's history first, as :func:`.batch.assess_batch` does)."""
    assert state.directory is not None
    found: tuple[RiskModel, FastFeatures] | None = state.days.get(HISTORY, day, ticket)
    if found is None:
        earlier = state.days.latest_before(HISTORY, day, ticket)
        if earlier is None:
            model = history_model(uow, economy, state.directory, day)
        else:  # carried forward from a day still true: reads only the days in between
            model = extend_history(uow, economy, state.directory, earlier[1][0], earlier[0], day)
        model.builder_.code_maps()  # once, shared by the copies made per assessment
        found = (model, FastFeatures(model.builder_))
        state.days.put(HISTORY, day, found, ticket)
    return found


def seed_window(state: EconomyState) -> ScoreWindow:
    """The rolling window before anything was assessed with the active model (its sample)."""
    assert state.directory is not None
    if state.seed is None:
        sample = CalibrationSample.load(state.directory)
        state.seed = seed(sample, state.aeo, max(state.budget.window, 1))
    return state.seed


def window_for_day(
    uow: UnitOfWork, economy: str, state: EconomyState, day: date, ticket: Ticket
) -> tuple[ScoreWindow, LanePolicy | None]:
    """The rolling window of scores before ``day`` (the caller's own copy, to extend) and the
    thresholds for declarations dated ``day``: recalibrated on that window (see
    :mod:`.window`); the model's calibrated thresholds when the budget fixes them (window 0)
    or the window is still too small."""
    found: tuple[ScoreWindow, LanePolicy | None] | None = state.days.get(WINDOW, day, ticket)
    if found is None:
        window = window_before(uow, economy, day, seed_window(state), state.aeo, state.activated_at)
        policy = state.policy
        if state.budget.window > 0:
            policy = window.policy(state.budget) or state.policy
        found = (window, policy)
        state.days.put(WINDOW, day, found, ticket)
    window, policy = found
    return ScoreWindow(window.size, window.scores.copy(), window.trusted.copy()), policy


def policy_for_day(
    uow: UnitOfWork, economy: str, state: EconomyState, day: date, ticket: Ticket
) -> LanePolicy | None:
    """The thresholds for declarations dated ``day`` (see :func:`window_for_day`)."""
    if state.policy is None or state.directory is None or state.budget.window <= 0:
        return state.policy
    return window_for_day(uow, economy, state, day, ticket)[1]


def score_declaration(
    uow: UnitOfWork,
    economy: str,
    state: EconomyState,
    declaration: Declaration,
    declaration_id: str,
    on: date,
    explain_top: int = 3,
    signals: Sequence[Signal] = (),
) -> ScoreResult:
    """The lane of one declaration now; ``signals`` (raised at lodging, e.g. a description
    that does not fit its HS code) are matched by rules with a ``signals`` condition."""
    records = with_signals(declaration_records(declaration, declaration_id, on), signals)
    first = records[0]
    trader = first["importer_id"] or first["exporter_id"]
    is_aeo = bool(trader) and trader in state.aeo
    # A partner's AEO under an active mutual recognition arrangement gets the AEO rate too.
    mra = (
        None if is_aeo or not trader else exchange.mutually_recognised_aeo(uow, economy, trader, on)
    )
    is_aeo = is_aeo or mra is not None
    fraud = critical = None
    explanations: list[Explanation] = []
    model = None
    row = np.zeros((0, 0), np.float32)
    policy = state.policy
    if state.directory is not None and state.policy is not None:
        ticket = sync_days(uow, economy, state)
        model, fast = model_for_day(uow, economy, state, on, ticket)
        row = fast.row(first)
        threads = model.num_threads
        fraud = float(model.fraud_booster_.predict(row, num_threads=threads)[0])
        critical = float(model.critical_booster_.predict(row, num_threads=threads)[0])
        policy = policy_for_day(uow, economy, state, on, ticket)
    fired: np.ndarray = np.zeros((1, len(state.rules)), bool)
    if state.rules:
        items = pd.DataFrame(records)
        norms = UnitValueNorms.from_history(model.builder_.history_) if model else None
        ctx = RuleContext(state.watchlists, norms)
        matches = evaluate([r.definition for r in state.rules], items, ctx)
        fired = np.asarray(matches.any(axis=0), bool).reshape(1, -1)
    decision = decide(
        [declaration_id],
        None if fraud is None else np.array([fraud]),
        fired,
        state.rules,
        policy,
        state.budget,
        np.array([is_aeo]),
    )
    lane = NAMES[int(decision.lanes[0])]
    score = None if decision.scores is None else float(decision.scores[0])
    reasons: list[str] = []
    if model is not None and fraud is not None:
        values = {c: np.array([v], dtype=object) for c, v in first.items()}
        said_in = [declaration.invoice_currency]
        for r in explain_rows(model, row, values, top=explain_top, currencies=said_in)[0]:
            explanations.append(Explanation(r.feature, r.contribution, r.text))
        reasons.append(
            f"fraud probability {fraud:.0%} (critical {critical:.0%}), model {state.version}"
        )
        reasons += [e.text for e in explanations]
    fired_rules = [r for j, r in enumerate(state.rules) if fired[0, j]]
    reasons += [r.definition.describe() for r in fired_rules]
    names = [r.tag for r in fired_rules]
    if decision.explored[0]:
        reasons.append(exploration_reason(state.budget, float(decision.exploration[0])))
        names.append("random:exploration")
    if decision.random_checked[0]:
        names.append("random:rule-check")
        reasons.append("random check required by a rule")
    if is_aeo:
        reasons.append(
            mra.reason if mra else f"trusted trader (AEO) {trader}: reduced inspection rate"
        )
    if model is None:
        reasons.append("no active risk model: lanes drawn at the budget's rates")
    # What a partner's pre-arrival data says: a discrepancy sends a green declaration to yellow.
    findings = exchange.pre_arrival_findings(uow, economy, declaration, on)
    reasons += [f"pre-arrival data: {f['explanation']}" for f in findings]
    propensity = float(decision.propensity[0])
    if lane == "green" and any(f["severity"] == "discrepancy" for f in findings):
        lane = "yellow"
        names.append("exchange:pre-arrival")
        propensity = 1.0  # the partner's data sent it to control, no draw
    return ScoreResult(
        lane=lane,
        fraud_probability=fraud,
        critical_probability=critical,
        score=score,
        model_version=state.version,
        reasons=reasons,
        explanations=explanations,
        rules_fired=names,
        aeo=is_aeo,
        explored=bool(decision.explored[0]),
        propensity=propensity,
        exploration=float(decision.exploration[0]),
    )


def exploration_reason(budget: LaneBudget, chance: float) -> str:
    """The reason shown for a declaration the exploration draw sent to red."""
    if budget.strategy == "random":
        return f"random exploration ({budget.exploration:.1%} of traffic)"
    return f"{budget.strategy} exploration (drawn with probability {chance:.2%})"


@dataclass(frozen=True, slots=True)
class LaneSimulation:
    economy: str
    model_version: str | None
    since: date | None
    until: date | None
    declarations: int
    shares: dict[str, float]
    counts: dict[str, int]
    budget: dict[str, float]
    red_hit_rate: float | None  # fraud share among inspected red declarations
    lanes: dict[str, str]  # declaration id -> lane


def simulate_lanes(
    uow: UnitOfWork,
    economy: str,
    *,
    since: date | None = None,
    until: date | None = None,
) -> LaneSimulation:
    """The lanes the learned assessor gives the stored declarations of [since, until), batch-
    scored with history strictly before the period (labels inside it are never used)."""
    state = economy_state(uow, economy)
    frame = declarations_frame(uow, economy, since=since, until=until)
    ids = frame["declaration_id"].to_numpy(object)
    scores = None
    model = None
    if state.directory is not None and state.policy is not None and len(frame):
        model = history_model(uow, economy, state.directory, frame["date"].min().date())
        scores = model.predict_risk(frame.drop(columns=["fraud", "critical_fraud"])).fraud
    fired = np.zeros((len(frame), len(state.rules)), bool)
    if state.rules and len(frame):
        norms = UnitValueNorms.from_history(model.builder_.history_) if model else None
        order, per = fired_by_decl(
            [r.definition for r in state.rules],
            items_frame(uow, economy, since=since, until=until),
            RuleContext(state.watchlists, norms),
        )
        position = {d: i for i, d in enumerate(order)}
        fired = per[[position[d] for d in ids]]
    aeo = np.isin(frame["importer_id"].to_numpy(object).astype(str), list(state.aeo))
    decision = decide(list(ids), scores, fired, state.rules, state.policy, state.budget, aeo)
    lanes = decision.lanes
    fraud = frame["fraud"].to_numpy(np.float64)
    red_inspected = (lanes == 2) & ~np.isnan(fraud)
    b = state.budget
    return LaneSimulation(
        economy=economy,
        model_version=state.version,
        since=since,
        until=until,
        declarations=len(frame),
        shares=shares(lanes),
        counts={n: int((lanes == i).sum()) for i, n in enumerate(NAMES)},
        budget={
            "red": b.red,
            "yellow": b.yellow,
            "exploration": b.exploration,
            "aeo_factor": b.aeo_factor,
        },
        red_hit_rate=float(fraud[red_inspected].mean()) if red_inspected.any() else None,
        lanes={str(i): NAMES[int(v)] for i, v in zip(ids, lanes, strict=True)},
    )


def with_signals(records: list[dict[str, Any]], signals: Sequence[Signal]) -> list[dict[str, Any]]:
    """The item records with a ``signals`` column: the names of the signals raised on each
    item, for the rules' ``signals`` condition (``selectivity.evaluate``)."""
    if signals:
        for i, record in enumerate(records):
            record["signals"] = tuple(s.name for s in signals if s.item == i)
    return records
