"""Officer control: arrival notice, referral to physical inspection, inspection results,
release and seizure of held goods. Each goes through :func:`.transitions.transition`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from smartcustoms.accounts.model import Principal
from smartcustoms.audit.log import AuditEvent, AuditLog
from smartcustoms.core.clock import Clock
from smartcustoms.core.ids import new_id
from smartcustoms.db.uow import UnitOfWork, transactional
from smartcustoms.declarations import lifecycle
from smartcustoms.declarations.document import dec, from_document
from smartcustoms.declarations.intake.checking import Checker
from smartcustoms.declarations.lanes import Assessor
from smartcustoms.declarations.lifecycle import Action
from smartcustoms.declarations.model import DeclarationRecord, Lane, Outcome
from smartcustoms.declarations.repository import DeclarationRepository
from smartcustoms.declarations.tables import InspectionResultRow
from smartcustoms.declarations.transitions import (
    act,
    assess_and_route,
    item_rows,
    load_row,
    read_record,
    transition,
)
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
    now = (clock or uow.clock).now()
    arrived = arrived_on or now.date()
    if arrived > now.date():
        raise InvalidInput.single("arrived_on", "in_future", "goods cannot arrive in the future")
    with uow:
        repo = uow.repo(DeclarationRepository)
        row = load_row(repo, principal, declaration_id, lock=True)
        events: list[AuditEvent] = [
            transition(
                repo,
                row,
                Action.ARRIVAL_NOTICE,
                principal,
                now,
                after={"arrived_on": arrived.isoformat()},
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
    return act(
        uow, principal, declaration_id, Action.REFER_PHYSICAL, note, lane=Lane.RED, clock=clock
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
    now = (clock or uow.clock).now()
    with uow:
        repo = uow.repo(DeclarationRepository)
        row = load_row(repo, principal, declaration_id, lock=True)
        fraud = outcome is not Outcome.NO_DISCREPANCY
        done = transition(
            repo,
            row,
            Action.RECORD_INSPECTION,
            principal,
            now,
            to=lifecycle.after_inspection(outcome, hold),
            after={
                "outcome": outcome.value,
                "fraud": fraud,
                "critical": critical,
                "revenue_adjustment": None
                if revenue_adjustment is None
                else dec(revenue_adjustment),
            },
            note=notes,
        )
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
        uow.repo(AuditLog).append(row.economy, [done])
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
    return act(uow, principal, declaration_id, Action.RELEASE, note, clock=clock)


def seize(
    uow: UnitOfWork,
    principal: Principal,
    declaration_id: str,
    note: str = "",
    *,
    clock: Clock | None = None,
) -> DeclarationRecord:
    return act(uow, principal, declaration_id, Action.SEIZE, note, clock=clock)
