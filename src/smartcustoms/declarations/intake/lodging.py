"""The one write path of a new declaration: validate → duties → lane → store → audit.

Web lodgement, the API, ``declarations submit`` and bulk import all end here. The batch is the
general case: :func:`lodge` takes declarations already read and checked (a
:class:`Lodgement` carries the declaration, its duties and its submission hash), picks every
lane through the assessor (its batch path, in date order), and stores rows, items, inspection
results and audit entries with bulk inserts (no per-row ORM objects). A single declaration is
a batch of one (:func:`smartcustoms.declarations.service.submit`).

Two ways to lodge:

- **live** (``historical_lane`` None): as lodged now. A declaration whose goods have not
  arrived yet is pre-lodged (no lane until the arrival notice); the others are assessed and
  routed, with ``submit``, ``assess`` and ``route`` audit entries. When the lodgement carries
  an inspection label (an import file's, assessed with ``--assess``) and its lane sent it to
  control, the label is recorded as the inspection result (``record_inspection``); a green
  declaration is released uninspected, as in production.
- **historical** (``historical_lane`` given: a national file's recorded history): every
  declaration gets that lane and every label is recorded; one ``import`` audit entry each
  says so. Same rows, items and inspection results; no assessor.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from smartcustoms.accounts.model import Principal
from smartcustoms.audit.log import AuditEvent, AuditLog
from smartcustoms.core.ids import new_id
from smartcustoms.db.bulk import JSONText
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations import lifecycle
from smartcustoms.declarations.document import assessment_json, to_document
from smartcustoms.declarations.lanes import (
    Assessor,
    AssessorContext,
    BatchItem,
    Signal,
    assess_all,
)
from smartcustoms.declarations.lifecycle import Action
from smartcustoms.declarations.model import Declaration, Kind, Lane, LaneDecision, Outcome, Status
from smartcustoms.declarations.repository import DeclarationRepository
from smartcustoms.declarations.transitions import (
    ENTITY,
    SYSTEM,
    assessor_for,
    decision_columns,
    item_rows,
)
from smartcustoms.tariff.duties import DutyAssessment

__all__ = ["Label", "Lodged", "Lodgement", "lodge"]

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class Label:
    """What an inspection of the declaration found, when a file says so."""

    fraud: bool
    critical: bool
    note: str = ""


@dataclass(frozen=True, slots=True)
class Lodgement:
    """One declaration, read and checked, ready to lodge."""

    declaration: Declaration
    assessment: DutyAssessment
    digest: str
    id: str = field(default_factory=new_id)
    label: Label | None = None
    row: int | None = None
    """Its row in an import file (kept on the historical ``import`` audit entry)."""
    note: str = ""
    """Where it came from, for the historical ``import`` audit entry."""
    signals: tuple[Signal, ...] = ()
    """Risk signals raised at lodging (e.g. a description that does not fit its HS code): they
    reach the assessor and join the reasons the officer sees."""
    document: dict[str, Any] | JSONText | None = None
    """The declaration's JSON form (``to_document``) when the caller has it already (it
    hashed it), or its stored text (``json.dumps`` of it: a bulk import spools that): stored
    as is instead of being built again."""


@dataclass
class Lodged:
    """What a :func:`lodge` stored."""

    ids: list[str] = field(default_factory=list)
    lanes: Counter[str] = field(default_factory=Counter)
    inspections: int = 0
    fraud: int = 0
    critical: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)
    """The declaration rows as inserted (a JSON column may hold its text, :class:`JSONText`)."""
    events: list[AuditEvent] = field(default_factory=list)
    """The audit events appended, in order."""


def lodge(
    uow: UnitOfWork,
    principal: Principal,
    batch: Sequence[Lodgement],
    *,
    now: datetime,
    source: str,
    batch_id: str | None = None,
    assessor: Assessor | None = None,
    historical_lane: Lane | None = None,
    historical_reason: str = "",
    progress: Progress | None = None,
) -> Lodged:
    """Route and store ``batch`` (checked declarations of ``principal.economy``) inside the
    caller's transaction; the caller commits."""
    tick = progress or (lambda stage, done, total: None)
    economy = principal.economy
    today = now.date()
    pre_lodged = [
        historical_lane is None
        and g.declaration.kind is Kind.IMPORT
        and g.declaration.arrival_date is not None
        and g.declaration.arrival_date > today
        for g in batch
    ]
    decisions: list[LaneDecision | None] = [None] * len(batch)
    if historical_lane is None:
        decisions = _decide(uow, principal, batch, pre_lodged, now, assessor, tick)
    out = Lodged()
    declarations: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    inspections: list[dict[str, Any]] = []
    events: list[AuditEvent] = []
    for n, g in enumerate(batch):
        decision = decisions[n]
        if pre_lodged[n]:
            row = _row(g, principal, now, source, batch_id, None)
            row["status"] = lifecycle.after_submit(True).value
        else:
            row = _row(g, principal, now, source, batch_id, g.assessment)
        lane = historical_lane or (decision.lane if decision is not None else None)
        # Live: only declarations sent to control are inspected (a green one is released
        # uninspected, so a file's label for it is never known); historical: every label.
        inspected = g.label is not None and (
            historical_lane is not None or (lane is not None and lane is not Lane.GREEN)
        )
        outcome = None
        if lane is not None:
            out.lanes[lane.value] += 1
            row["lane"] = lane.value
            row["status"] = lifecycle.after_route(lane).value
            if decision is not None:
                row.update(decision_columns(decision, g.signals))
            else:
                row["lane_reasons"] = [historical_reason or f"recorded by {source}"]
        if historical_lane is None:
            events += _live_events(g, row, principal, now, decision)
        if inspected and g.label is not None:
            outcome = Outcome.DISCREPANCY if g.label.fraud else Outcome.NO_DISCREPANCY
            before = _state(row)
            row["status"] = lifecycle.after_inspection(outcome, hold=False).value
            out.inspections += 1
            out.fraud += int(g.label.fraud)
            out.critical += int(g.label.critical)
            inspections.append(
                {
                    "id": new_id(),
                    "declaration_id": g.id,
                    "economy": economy,
                    "outcome": outcome.value,
                    "fraud": g.label.fraud,
                    "critical": g.label.critical,
                    "revenue_adjustment": None,
                    "notes": g.label.note,
                    "recorded_by": principal.user_id,
                    "recorded_at": now,
                    "source": source,
                }
            )
            if historical_lane is None:
                events.append(
                    AuditEvent(
                        ENTITY,
                        g.id,
                        Action.RECORD_INSPECTION.value,
                        principal.user_id,
                        now,
                        before,
                        {**_state(row)} | _label_of(outcome, g.label),
                        g.label.note,
                    )
                )
        if historical_lane is not None:
            events.append(_historical_event(g, row, principal, now, batch_id, outcome))
        declarations.append(row)
        items.extend(item_rows(g.id, g.declaration, g.assessment if row["assessment"] else None))
        out.ids.append(g.id)
    tick("store", 0, len(batch))
    uow.repo(DeclarationRepository).bulk_insert(declarations, items, inspections)
    tick("store", len(batch) // 2, len(batch))
    uow.repo(AuditLog).append(economy, events)
    tick("store", len(batch), len(batch))
    out.rows, out.events = declarations, events
    return out


def _decide(
    uow: UnitOfWork,
    principal: Principal,
    batch: Sequence[Lodgement],
    pre_lodged: list[bool],
    now: datetime,
    assessor: Assessor | None,
    tick: Progress,
) -> list[LaneDecision | None]:
    """Lanes from the assessor, in date order like live lodgements; the labels go along so a
    learning assessor can use those of controlled declarations for later days."""
    todo = [n for n, pre in enumerate(pre_lodged) if not pre]
    decisions: list[LaneDecision | None] = [None] * len(batch)
    if not todo:
        return decisions
    tick("assess", 0, len(todo))
    chosen = assessor_for(uow, principal.economy, assessor)
    items = {
        n: BatchItem(
            batch[n].declaration,
            AssessorContext(
                principal.economy,
                batch[n].id,
                batch[n].declaration.date or now.date(),
                principal.user_id,
                batch[n].assessment,
                batch[n].signals,
            ),
            None if batch[n].label is None else (batch[n].label.fraud, batch[n].label.critical),  # type: ignore[union-attr]
        )
        for n in todo
    }
    order = sorted(todo, key=lambda n: items[n].context.on)
    decided = assess_all(chosen, [items[n] for n in order])
    for position, n in enumerate(order):
        decisions[n] = decided[position]
    tick("assess", len(todo), len(todo))
    return decisions


def _row(
    g: Lodgement,
    principal: Principal,
    now: datetime,
    source: str,
    batch_id: str | None,
    a: DutyAssessment | None,
) -> dict[str, Any]:
    d = g.declaration
    trader, partner = d.trader, d.partner
    return {
        "id": g.id,
        "economy": principal.economy,
        "lodged_by": principal.user_id,
        "reference": d.reference,
        "submission_hash": g.digest,
        "kind": d.kind.value,
        "status": Status.SUBMITTED.value,
        "lane": None,
        "lane_score": None,
        "lane_reasons": [],
        "lane_model_version": None,
        "lane_rules_fired": [],
        "lane_explanations": [],
        "version": 1,
        "declaration_date": d.date or now.date(),
        "office": d.office,
        "declarant_id": d.declarant.id,
        "trader_id": trader.id if trader else None,
        "partner_id": partner.id if partner else None,
        "invoice_currency": d.invoice_currency,
        "currency": a.currency if a else None,
        "customs_value": a.customs_value if a else None,
        "duty_total": a.duty_total if a else None,
        "tax_total": a.tax_total if a else None,
        "total_due": a.total if a else None,
        "document": g.document if g.document is not None else to_document(d),
        # The text json.dumps would write for assessment_to_dict(a), without the dictionaries.
        "assessment": JSONText(assessment_json(a)) if a else None,
        "source": source,
        "batch_id": batch_id,
        "created_at": now,
        "updated_at": now,
    }


def _state(row: dict[str, Any]) -> dict[str, Any]:
    return {"status": row["status"], "lane": row["lane"], "version": row["version"]}


def _label_of(outcome: Outcome, label: Label) -> dict[str, Any]:
    return {"outcome": outcome.value, "fraud": label.fraud, "critical": label.critical}


def _live_events(
    g: Lodgement,
    row: dict[str, Any],
    principal: Principal,
    now: datetime,
    decision: LaneDecision | None,
) -> list[AuditEvent]:
    """submit (and, unless pre-lodged, assess and route): the entries the live flow writes."""
    d, a = g.declaration, g.assessment
    submitted = Status.PRE_LODGED if decision is None else Status.SUBMITTED
    after_submit = {"status": submitted.value, "lane": None, "version": 1}
    events = [
        AuditEvent(
            ENTITY,
            g.id,
            Action.SUBMIT.value,
            principal.user_id,
            now,
            None,
            {**after_submit, "document_hash": g.digest, "reference": d.reference},
            g.note,
        )
    ]
    if decision is None:
        return events
    assessed = {"status": Status.ASSESSED.value, "lane": None, "version": 1}
    events.append(
        AuditEvent(
            ENTITY,
            g.id,
            Action.ASSESS.value,
            SYSTEM,
            now,
            after_submit,
            {
                **assessed,
                "customs_value": str(a.customs_value),
                "total_due": str(a.total),
                "currency": a.currency,
            },
        )
    )
    routed = {"status": row["status"], "lane": row["lane"], "version": 1}
    events.append(
        AuditEvent(
            ENTITY,
            g.id,
            Action.ROUTE.value,
            SYSTEM,
            now,
            assessed,
            {
                **routed,
                "score": decision.score,
                "reasons": list(decision.reasons),
                "rules_fired": list(decision.rules_fired),
                "model_version": decision.model_version,
                "signals": [
                    {"name": s.name, "item": s.item, "message": s.message, **s.detail}
                    for s in g.signals
                ],
            },
        )
    )
    return events


def _historical_event(
    g: Lodgement,
    row: dict[str, Any],
    principal: Principal,
    now: datetime,
    batch_id: str | None,
    outcome: Outcome | None,
) -> AuditEvent:
    after: dict[str, Any] = {
        **_state(row),
        "document_hash": g.digest,
        "batch": batch_id,
    }
    if g.row is not None:
        after["row"] = g.row
    if outcome is not None and g.label is not None:
        after |= _label_of(outcome, g.label)
    return AuditEvent(ENTITY, g.id, "import", principal.user_id, now, None, after, g.note)
