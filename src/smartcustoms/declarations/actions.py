"""Officer actions: arrival notice, referral to physical inspection, inspection results,
release and seizure of held goods."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from smartcustoms.accounts.model import Principal
from smartcustoms.audit.log import AuditEvent, AuditLog
from smartcustoms.core.clock import Clock, SystemClock
from smartcustoms.core.ids import new_id
from smartcustoms.db.uow import UnitOfWork, transactional
from smartcustoms.declarations import lifecycle
from smartcustoms.declarations.checking import Checker
from smartcustoms.declarations.document import dec, from_document
from smartcustoms.declarations.flow import (
    assess_and_route,
    check_action,
    claim,
    event,
    item_rows,
    load_row,
    read_record,
    state_of,
    transition,
)
from smartcustoms.declarations.lanes import Assessor
from smartcustoms.declarations.lifecycle import Action
from smartcustoms.declarations.model import DeclarationRecord, Lane, Outcome, Status
from smartcustoms.declarations.repository import DeclarationRepository
from smartcustoms.declarations.tables import InspectionResultRow
from smartcustoms.errors import FieldError, InvalidInput


@transactional
def arrival_notice(
    uow: UnitOfWork,
    principal: Principal,
    declaration_id: str,
    arrived_on: date | None = None,
    *,
    clock: Clock | None = None,
    assessor: Assessor | None = None,
) -> DeclarationRecord:
    """The goods of a pre-lodged declaration have arrived: submit, assess and route it."""
    now = (clock or SystemClock()).now()
    arrived = arrived_on or now.date()
    if arrived > now.date():
        raise InvalidInput.single("arrived_on", "in_future", "goods cannot arrive in the future")
    with uow:
        repo = uow.repo(DeclarationRepository)
        row = load_row(repo, principal, declaration_id, lock=True)
        check_action(Action.ARRIVAL_NOTICE, row, principal)
        claim(repo, row, now)
        before = state_of(row)
        row.status = Status.SUBMITTED.value
        row.updated_at = now
        events: list[AuditEvent] = [
            event(
                row,
                Action.ARRIVAL_NOTICE.value,
                principal.user_id,
                now,
                before,
                {**state_of(row), "arrived_on": arrived.isoformat()},
            )
        ]
        decl = from_document(row.document)
        a = Checker(uow, row.economy, now.date()).assess_duties(decl)
        assess_and_route(uow, row, decl, a, events, now, assessor)
        repo.set_items(row.id, item_rows(row.id, decl, a))
        uow.repo(AuditLog).append(row.economy, events)
        return read_record(uow, row)


def refer_physical(
    uow: UnitOfWork,
    principal: Principal,
    declaration_id: str,
    note: str = "",
    *,
    clock: Clock | None = None,
) -> DeclarationRecord:
    """A documentary check found reason to look at the goods: send them to the red lane."""
    return transition(
        uow,
        principal,
        declaration_id,
        Action.REFER_PHYSICAL,
        Status.PHYSICAL_INSPECTION,
        note,
        lane=Lane.RED,
        clock=clock,
    )


@transactional
def record_inspection(
    uow: UnitOfWork,
    principal: Principal,
    declaration_id: str,
    outcome: Outcome,
    *,
    notes: str = "",
    revenue_adjustment: Decimal | None = None,
    hold: bool = False,
    critical: bool = False,
    clock: Clock | None = None,
) -> DeclarationRecord:
    """Record what the check found: no discrepancy -> released; discrepancy -> released with
    the revenue adjustment (or held, when ``hold``); seizure -> seized."""
    errors = []
    if revenue_adjustment is not None and revenue_adjustment < 0:
        errors.append(
            FieldError(
                "revenue_adjustment",
                "negative",
                "a revenue adjustment is an amount owed, zero or more",
            )
        )
    if outcome is Outcome.NO_DISCREPANCY and (revenue_adjustment or hold or critical):
        errors.append(
            FieldError(
                "outcome",
                "inconsistent",
                "no discrepancy means no adjustment, no hold and nothing critical",
            )
        )
    if outcome is Outcome.SEIZURE and hold:
        errors.append(FieldError("hold", "inconsistent", "seized goods are not held"))
    if errors:
        raise InvalidInput(errors)
    now = (clock or SystemClock()).now()
    with uow:
        repo = uow.repo(DeclarationRepository)
        row = load_row(repo, principal, declaration_id, lock=True)
        check_action(Action.RECORD_INSPECTION, row, principal)
        claim(repo, row, now)
        before = state_of(row)
        row.status = lifecycle.after_inspection(outcome, hold).value
        row.updated_at = now
        fraud = outcome is not Outcome.NO_DISCREPANCY
        if revenue_adjustment:
            row.total_due = (row.total_due or Decimal(0)) + revenue_adjustment
        repo.add_inspection(
            InspectionResultRow(
                id=new_id(),
                declaration_id=row.id,
                economy=row.economy,
                outcome=outcome.value,
                fraud=fraud,
                critical=critical,
                revenue_adjustment=revenue_adjustment,
                notes=notes,
                recorded_by=principal.user_id,
                recorded_at=now,
                source="officer",
            )
        )
        uow.repo(AuditLog).append(
            row.economy,
            [
                event(
                    row,
                    Action.RECORD_INSPECTION.value,
                    principal.user_id,
                    now,
                    before,
                    {
                        **state_of(row),
                        "outcome": outcome.value,
                        "fraud": fraud,
                        "critical": critical,
                        "revenue_adjustment": None
                        if revenue_adjustment is None
                        else dec(revenue_adjustment),
                    },
                    notes,
                )
            ],
        )
        return read_record(uow, row)


def release(
    uow: UnitOfWork,
    principal: Principal,
    declaration_id: str,
    note: str = "",
    *,
    clock: Clock | None = None,
) -> DeclarationRecord:
    """Release held goods (e.g. once the revenue adjustment is paid)."""
    return transition(
        uow, principal, declaration_id, Action.RELEASE, Status.RELEASED, note, clock=clock
    )


def seize(
    uow: UnitOfWork,
    principal: Principal,
    declaration_id: str,
    note: str = "",
    *,
    clock: Clock | None = None,
) -> DeclarationRecord:
    return transition(
        uow, principal, declaration_id, Action.SEIZE, Status.SEIZED, note, clock=clock
    )
