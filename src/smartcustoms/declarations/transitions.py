"""The one way a stored declaration changes state, and the steps around it.

:func:`transition` is the step every action goes through, declarants' (amend, cancel),
officers' (:mod:`.control`) and the system's (assess, route): it checks the action against
:data:`.lifecycle.TRANSITIONS` (role, ownership, from-state), claims the row (compare-and-set),
moves it to the table's target state and returns the audit event. :func:`act` is the whole use
case of an action that only moves the state (cancel, refer, release, seize). Also here: scoped
loading, duties onto the row, item rows, and assess-and-route (duties, then the lane)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.audit.log import AuditEvent, AuditLog
from smartcustoms.core.clock import Clock
from smartcustoms.db.uow import UnitOfWork, transactional
from smartcustoms.declarations import lifecycle
from smartcustoms.declarations.document import assessment_to_dict
from smartcustoms.declarations.lanes import (
    Assessor,
    AssessorContext,
    RuleBasedAssessor,
    RuleBasedConfig,
    Signal,
)
from smartcustoms.declarations.lifecycle import Action
from smartcustoms.declarations.model import (
    Declaration,
    DeclarationRecord,
    Lane,
    LaneDecision,
    Status,
)
from smartcustoms.declarations.records import record_of
from smartcustoms.declarations.repository import DeclarationRepository
from smartcustoms.declarations.tables import DeclarationRow
from smartcustoms.errors import ConcurrentChange, NotFound, PermissionDenied
from smartcustoms.tariff.duties import DutyAssessment

ENTITY = "declaration"
READERS = (Role.DECLARANT, Role.OFFICER, Role.ANALYST)
SYSTEM = "system"


def sees_all(principal: Principal) -> bool:
    return principal.has(Role.OFFICER, Role.ANALYST)


def load_row(
    repo: DeclarationRepository, principal: Principal, declaration_id: str, *, lock: bool = False
) -> DeclarationRow:
    """The row if this principal may see it; another economy's or another declarant's: 404."""
    principal.require(*READERS)
    row = repo.get(declaration_id, lock=lock)
    if (
        row is None
        or row.economy != principal.economy
        or (not sees_all(principal) and row.lodged_by != principal.user_id)
    ):
        raise NotFound(f"no declaration {declaration_id}")
    return row


def claim(repo: DeclarationRepository, row: DeclarationRow, at: Any) -> None:
    """Take the row for a state change, or raise ConcurrentChange if someone changed it since it
    was read. Call it after the checks and before the first write of a state change."""
    if not repo.claim(row, at):
        raise ConcurrentChange(
            f"declaration {row.id} was changed by someone else at the same time "
            f"(it was {row.status}, version {row.version}); reload it and try again"
        )


def check_action(action: Action, row: DeclarationRow, principal: Principal) -> None:
    lifecycle.check(action, Status(row.status), principal)
    if (
        action in lifecycle.OWNER_ONLY
        and row.lodged_by != principal.user_id
        and not principal.has(Role.ADMIN)
    ):
        raise PermissionDenied("only the declarant who lodged it may do this")


def event(
    row: DeclarationRow,
    action: str,
    actor: str,
    at: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    note: str = "",
) -> AuditEvent:
    return AuditEvent(ENTITY, row.id, action, actor, at, before, after, note)


def state_of(row: DeclarationRow) -> dict[str, Any]:
    return {"status": row.status, "lane": row.lane, "version": row.version}


def read_record(uow: UnitOfWork, row: DeclarationRow) -> DeclarationRecord:
    repo = uow.repo(DeclarationRepository)
    return record_of(row, repo.inspections(row.id), uow.repo(AuditLog).entries_for(row.id))


def transition(
    repo: DeclarationRepository,
    row: DeclarationRow,
    action: Action,
    principal: Principal | None,
    at: Any,
    *,
    to: Status | None = None,
    lane: Lane | None = None,
    change: Callable[[DeclarationRow], None] | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """Move ``row`` by ``action`` to the state the lifecycle table gives (``to`` picks one of
    several targets) and return the audit event; the caller appends it with the others of its
    use case.

    ``principal`` None is the system acting as a consequence of a requested action in the same
    transaction, which already claimed the row (or lodged it). ``change`` applies the action's
    own edits (after the claim, before the new state is read); ``before``/``after`` add details
    to the audit event's states."""
    if principal is None:
        lifecycle.check(action, Status(row.status), None)
    else:
        check_action(action, row, principal)
        claim(repo, row, at)
    was = {**state_of(row), **(before or {})}
    if change is not None:
        change(row)
    row.status = lifecycle.target(action, to).value
    if lane is not None:
        row.lane = lane.value
    row.updated_at = at
    actor = principal.user_id if principal is not None else SYSTEM
    return event(row, action.value, actor, at, was, {**state_of(row), **(after or {})}, note)


@transactional
def act(
    uow: UnitOfWork,
    principal: Principal,
    declaration_id: str,
    action: Action,
    note: str = "",
    *,
    lane: Lane | None = None,
    clock: Clock | None = None,
) -> DeclarationRecord:
    """The use case of an action with nothing else to compute: load, transition, audit."""
    now = (clock or uow.clock).now()
    with uow:
        repo = uow.repo(DeclarationRepository)
        row = load_row(repo, principal, declaration_id, lock=True)
        done = transition(repo, row, action, principal, now, lane=lane, note=note)
        uow.repo(AuditLog).append(row.economy, [done])
        return read_record(uow, row)


def apply_duties(row: DeclarationRow, a: DutyAssessment | None) -> None:
    row.assessment = assessment_to_dict(a) if a else None
    row.currency = a.currency if a else None
    row.customs_value = a.customs_value if a else None
    row.duty_total = a.duty_total if a else None
    row.tax_total = a.tax_total if a else None
    row.total_due = a.total if a else None


def item_rows(
    declaration_id: str, decl: Declaration, a: DutyAssessment | None
) -> list[dict[str, Any]]:
    duty: dict[int, Any] = {}
    if a is not None:
        for ln in a.lines:
            if ln.tax != "vat":
                duty[ln.item] = duty.get(ln.item, 0) + ln.amount
    return [
        {
            "declaration_id": declaration_id,
            "line_no": i + 1,
            "hs_code": it.hs_code,
            "origin_country": it.origin_country,
            "preference": it.preference,
            "net_mass_kg": it.net_mass_kg,
            "invoice_value": it.invoice_value,
            "customs_value": a.valuation[i].customs_value if a else None,
            "duty": duty.get(i + 1) if a else None,
        }
        for i, it in enumerate(decl.items)
    ]


def assessor_for(uow: UnitOfWork, economy: str, given: Assessor | None) -> Assessor:
    if given is not None:
        return given
    selector = uow.ports.lane_selector if uow.ports is not None else None
    chosen: Assessor | None = selector(uow, economy) if selector is not None else None
    if chosen is not None:
        return chosen
    return RuleBasedAssessor(get_assessor_config(uow, economy))


def assess_and_route(
    uow: UnitOfWork,
    row: DeclarationRow,
    decl: Declaration,
    a: DutyAssessment,
    events: list[AuditEvent],
    at: Any,
    assessor: Assessor | None,
    signals: Sequence[Signal] = (),
) -> None:
    """submitted -> assessed -> released | documentary_check | physical_inspection.

    ``signals`` (raised at lodging) reach the assessor and join the reasons the officer sees."""
    repo = uow.repo(DeclarationRepository)
    events.append(
        transition(
            repo,
            row,
            Action.ASSESS,
            None,
            at,
            change=lambda r: apply_duties(r, a),
            after={
                "customs_value": str(a.customs_value),
                "total_due": str(a.total),
                "currency": a.currency,
            },
        )
    )
    chosen = assessor_for(uow, row.economy, assessor)
    decision = chosen.assess(
        decl,
        AssessorContext(
            row.economy, row.id, row.declaration_date, row.lodged_by, a, tuple(signals)
        ),
    )

    def set_decision(r: DeclarationRow) -> None:
        for column, value in decision_columns(decision, signals).items():
            setattr(r, column, value)

    events.append(
        transition(
            repo,
            row,
            Action.ROUTE,
            None,
            at,
            to=lifecycle.after_route(decision.lane),
            change=set_decision,
            after={
                "score": decision.score,
                "reasons": list(decision.reasons),
                "rules_fired": list(decision.rules_fired),
                "model_version": decision.model_version,
                "signals": [
                    {"name": s.name, "item": s.item, "message": s.message, **s.detail}
                    for s in signals
                ],
            },
        )
    )


def decision_columns(decision: LaneDecision, signals: Sequence[Signal] = ()) -> dict[str, Any]:
    """A lane decision as the declaration's columns: one mapping for the row-by-row path
    (:func:`assess_and_route`) and the bulk one (:mod:`.intake.lodging`)."""
    return {
        "lane": decision.lane.value,
        "lane_score": decision.score,
        "lane_reasons": list(decision.reasons) + [f"risk signal: {s.message}" for s in signals],
        "lane_model_version": decision.model_version,
        "lane_rules_fired": list(decision.rules_fired),
        "lane_explanations": [e.to_dict() for e in decision.explanations],
    }


def get_assessor_config(uow: UnitOfWork, economy: str) -> RuleBasedConfig:
    with uow:
        row = uow.repo(DeclarationRepository).assessor_config(economy)
        return RuleBasedConfig.from_dict(row.config) if row else RuleBasedConfig()
