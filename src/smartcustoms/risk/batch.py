"""The learned assessor on a batch (a bulk import through the assessor): lanes for many
declarations at once, as if they had been lodged one by one in date order.

Vectorised per day of declarations: one feature matrix and one booster call per day (no
per-row pandas), then the same lane decision as a single lodgement (:func:`.ml.lanes.decide`).
Between days two things move forward, exactly as they would in production:

* **thresholds**: recalibrated from the rolling window of recent scores (:mod:`.window`), which
  takes the batch's earlier days;
* **history**: the inspection results of the batch's earlier days become history for later days
  (the model's ``update_history``; boosters unchanged), but only for declarations the lanes sent
  to control: a green declaration is released uninspected, so its label is never learned.

No leakage: a declaration's features use the history as of the batch's first day (inspection
results stored before it) plus the labels of controlled declarations dated strictly earlier.

No pandas on the way (a lodgement is a batch of one): the declarations become numpy columns
(:func:`.ml.frame.normalize_records`), the history as of the first day and its thresholds come
from the economy's per-day cache (:mod:`.daycache`), and explanations are computed for the
controlled rows of a day at once from the feature matrix already built
(:func:`.ml.explain.explain_rows`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations.lanes import BatchItem
from smartcustoms.declarations.model import Lane, LaneDecision, LaneExplanation
from smartcustoms.risk.daycache import CHAIN_READ
from smartcustoms.risk.ml.budget import LanePolicy
from smartcustoms.risk.ml.estimator import RiskModel
from smartcustoms.risk.ml.explain import explain_rows
from smartcustoms.risk.ml.frame import (
    CRITICAL_CODE,
    CRITICAL_FRAUD,
    DATE,
    DECLARATION_ID,
    FRAUD,
    normalize_records,
)
from smartcustoms.risk.ml.lanes import NAMES, decide
from smartcustoms.risk.rules import RuleContext, UnitValueNorms
from smartcustoms.risk.rules import fired_by_declaration as fired_by_decl
from smartcustoms.risk.scoring import (
    EconomyState,
    exploration_reason,
    model_for_day,
    sync_days,
    window_for_day,
    with_signals,
)
from smartcustoms.risk.source import declaration_records
from smartcustoms.risk.window import ScoreWindow

EXPLAIN_TOP = 3


def _labels(items: Sequence[BatchItem], order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    fraud = np.full(len(order), np.nan)
    critical = np.zeros(len(order), np.int64)
    for k, i in enumerate(order):
        found = items[i].inspection
        if found is not None:
            fraud[k] = float(found[0])
            critical[k] = CRITICAL_CODE if found[0] and found[1] else int(found[0])
    return fraud, critical


@dataclass(frozen=True, slots=True)
class BatchAssessment:
    """The lane decisions in the items' order, and how each was selected (same order)."""

    decisions: list[LaneDecision]
    propensity: np.ndarray  # chance of control before any draw
    exploration: np.ndarray  # chance of the exploration draw
    explored: np.ndarray  # sent to red by the exploration draw


def assess_batch(
    uow: UnitOfWork, economy: str, state: EconomyState, items: Sequence[BatchItem]
) -> BatchAssessment:
    """Lane decisions for ``items``, returned in their order (processed in date order)."""
    n = len(items)
    if n == 0:
        return BatchAssessment([], np.zeros(0), np.zeros(0), np.zeros(0, bool))
    order = np.argsort([it.context.on.toordinal() for it in items], kind="stable")
    records = [
        with_signals(
            declaration_records(
                items[i].declaration, items[i].context.declaration_id, items[i].context.on
            ),
            items[i].context.signals,
        )
        for i in order
    ]
    # The whole batch as columns, normalised like a file-read frame so features hash alike
    # (already in date order, so the normalisation's stable sort keeps it).
    columns = normalize_records([r[0] for r in records])
    ids = columns[DECLARATION_ID]
    days = columns[DATE].astype("datetime64[D]")
    fraud, critical = _labels(items, order)
    columns[FRAUD], columns[CRITICAL_FRAUD] = np.nan_to_num(fraud).astype(np.int64), critical
    traders = [r[0]["importer_id"] or r[0]["exporter_id"] for r in records]
    currencies = [items[i].declaration.invoice_currency for i in order]
    aeo = np.array([bool(t) and t in state.aeo for t in traders], bool)

    first_day = date.fromisoformat(str(days[0]))
    model: RiskModel | None = None
    window: ScoreWindow | None = None
    first_policy = state.policy
    if state.directory is not None and state.policy is not None:
        # A batch reads on through the chain entries a chunk before it appended (about three
        # per declaration, plus its inspections) instead of dropping every day's values: the
        # history is then carried forward from the last day still true, not re-read whole.
        ticket = sync_days(uow, economy, state, max(CHAIN_READ, 4 * n))
        model = model_for_day(uow, economy, state, first_day, ticket)[0].own_copy()
        window, first_policy = window_for_day(uow, economy, state, first_day, ticket)
    fired = np.zeros((n, len(state.rules)), bool)
    if state.rules:
        norms = UnitValueNorms.from_history(model.builder_.history_) if model else None
        every_item = pd.DataFrame([x for r in records for x in r])
        seen, per = fired_by_decl(
            [r.definition for r in state.rules], every_item, RuleContext(state.watchlists, norms)
        )
        position = {d: k for k, d in enumerate(seen)}
        fired = per[[position[d] for d in ids]]

    lanes = np.zeros(n, np.int64)
    scores = np.full(n, np.nan)
    fraud_raw = np.full(n, np.nan)
    critical_p = np.full(n, np.nan)
    explored = np.zeros(n, bool)
    propensity = np.ones(n)
    exploration = np.zeros(n)
    checked = np.zeros(n, bool)
    why: list[list[LaneExplanation]] = [[] for _ in range(n)]
    bounds = np.flatnonzero(np.r_[True, days[1:] != days[:-1], True])
    for a, b in itertools.pairwise(bounds):
        day = {c: v[a:b] for c, v in columns.items()}
        fraud_p = None
        policy: LanePolicy | None = state.policy
        if model is not None and window is not None:
            if a == 0:
                policy = first_policy  # the window before the first day: as cached
            elif state.budget.window > 0:
                policy = window.policy(state.budget) or state.policy
            matrix = model.builder_.transform(day, batch_history=False)
            threads = model.num_threads
            fraud_p = np.asarray(model.fraud_booster_.predict(matrix, num_threads=threads))
            fraud_raw[a:b] = fraud_p
            critical_p[a:b] = model.critical_booster_.predict(matrix, num_threads=threads)
        decision = decide(
            list(ids[a:b]), fraud_p, fired[a:b], state.rules, policy, state.budget, aeo[a:b]
        )
        lanes[a:b], explored[a:b], checked[a:b] = (
            decision.lanes,
            decision.explored,
            decision.random_checked,
        )
        propensity[a:b], exploration[a:b] = decision.propensity, decision.exploration
        if decision.scores is not None:
            scores[a:b] = decision.scores
            if window is not None:
                window.extend(decision.scores, aeo[a:b])
        controlled = decision.lanes >= 1
        if model is not None and fraud_p is not None and controlled.any():
            rows = np.flatnonzero(controlled)
            said_in = [currencies[a + r] for r in rows]
            for row, found in zip(
                rows,
                explain_rows(
                    model,
                    matrix[rows],
                    {c: v[rows] for c, v in day.items()},
                    top=EXPLAIN_TOP,
                    currencies=said_in,
                ),
                strict=True,
            ):
                why[a + row] = [LaneExplanation(r.feature, r.contribution, r.text) for r in found]
        # The day's inspections are known before the next day's declarations are scored.
        learned = controlled & ~np.isnan(fraud[a:b])
        if model is not None and learned.any():
            model.update_history({c: v[learned] for c, v in day.items()})

    out: list[LaneDecision | None] = [None] * n
    # Per row from plain lists (numpy scalars cost more than the work done with them); the
    # rules fired only for the rows where any did.
    fired_rules: dict[int, list[int]] = {
        int(k): np.flatnonzero(fired[k]).tolist() for k in np.flatnonzero(fired.any(axis=1))
    }
    lane_of = [Lane(name) for name in NAMES]
    row_fraud, row_critical, row_score = fraud_raw.tolist(), critical_p.tolist(), scores.tolist()
    row_explored, row_checked, row_aeo = explored.tolist(), checked.tolist(), aeo.tolist()
    row_lane, row_exploration = lanes.tolist(), exploration.tolist()
    for k, i in enumerate(order.tolist()):
        reasons: list[str] = []
        scored = not math.isnan(row_fraud[k])
        if model is not None and scored:
            reasons.append(
                f"fraud probability {row_fraud[k]:.0%} (critical {row_critical[k]:.0%}), "
                f"model {state.version}"
            )
            reasons += [e.text for e in why[k]]
        rules = fired_rules.get(k, [])
        tags = [state.rules[j].tag for j in rules]
        reasons += [state.rules[j].definition.describe() for j in rules]
        if row_explored[k]:
            reasons.append(exploration_reason(state.budget, row_exploration[k]))
            tags.append("random:exploration")
        if row_checked[k]:
            reasons.append("random check required by a rule")
            tags.append("random:rule-check")
        if row_aeo[k]:
            reasons.append(f"trusted trader (AEO) {traders[k]}: reduced inspection rate")
        if model is None:
            reasons.append("no active risk model: lanes drawn at the budget's rates")
        score = row_score[k]
        out[i] = LaneDecision(
            lane=lane_of[row_lane[k]],
            score=None if math.isnan(score) else score,
            reasons=reasons,
            rules_fired=tags,
            model_version=state.version if scored else None,
            explanations=why[k],
        )
    back = np.empty(n, np.int64)  # position in date order of each item
    back[order] = np.arange(n)
    return BatchAssessment(
        [d for d in out if d is not None],
        propensity[back],
        exploration[back],
        explored[back],
    )
