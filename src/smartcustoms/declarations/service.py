"""Use cases of the declaration: validate, submit, read, list, amend, cancel.

Officer actions (arrival notice, inspection results, release, seizure) are in
:mod:`.control`; bulk import in :mod:`.intake.importing`. Every state change goes through
:func:`.transitions.transition`. Every use case owns its transaction: an
invalid declaration stores nothing, and each state change is written together with its audit
entry or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.audit.log import AuditEvent, AuditLog, body_of
from smartcustoms.core.clock import Clock
from smartcustoms.core.pagination import Page, PageRequest
from smartcustoms.db.bulk import JSONText
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations import lifecycle
from smartcustoms.declarations.document import (
    document_digest,
    document_hash,
    to_document,
)
from smartcustoms.declarations.intake.checking import Checker
from smartcustoms.declarations.intake.lodging import Lodged, Lodgement, lodge
from smartcustoms.declarations.lanes import (
    Assessor,
    RuleBasedConfig,
    Signal,
    SignalSource,
)
from smartcustoms.declarations.lifecycle import Action
from smartcustoms.declarations.model import (
    Declaration,
    DeclarationRecord,
    DeclarationSummary,
    ListFilters,
    Status,
    ValidationReport,
)
from smartcustoms.declarations.records import record_of, summary_of
from smartcustoms.declarations.repository import DeclarationRepository
from smartcustoms.declarations.tables import (
    AssessorConfigRow,
    DeclarationRow,
    DeclarationVersionRow,
)
from smartcustoms.declarations.transitions import (
    READERS,
    SYSTEM,
    act,
    apply_duties,
    assess_and_route,
    check_action,
    get_assessor_config,
    item_rows,
    load_row,
    read_record,
    sees_all,
    transition,
)
from smartcustoms.errors import ConcurrentChange, Conflict, FieldError, InvalidInput

__all__ = [
    "SubmitResult",
    "amend",
    "cancel",
    "document_hash_of",
    "get",
    "get_assessor_config",
    "list_declarations",
    "set_assessor_config",
    "status_counts",
    "submit",
    "submit_many",
    "system_principal",
    "validate",
    "versions",
]


def system_principal(economy: str, name: str = SYSTEM) -> Principal:
    """The platform acting on its own (CLI operators, demo loading): an admin of ``economy``."""
    return Principal(
        user_id=name,
        email=f"{name}@localhost",
        name="SmartCustoms system",
        economy=economy.upper(),
        roles=frozenset({Role.ADMIN}),
    )


@dataclass(frozen=True, slots=True)
class SubmitResult:
    record: DeclarationRecord
    created: bool
    """False when the same payload had been submitted before (idempotent replay)."""
    warnings: list[FieldError] = field(default_factory=list)


# --- use cases ---------------------------------------------------------------------------------


def _signals(source: SignalSource | None, decl: Declaration) -> list[Signal]:
    return list(source(decl)) if source is not None else []


def _warnings(signals: list[Signal]) -> list[FieldError]:
    return [FieldError(s.path, s.name, s.message) for s in signals]


def validate(
    uow: UnitOfWork,
    principal: Principal,
    raw: Any,
    *,
    clock: Clock | None = None,
    signals: SignalSource | None = None,
) -> ValidationReport:
    """Every problem of ``raw`` at once, and the duties it would owe; stores nothing.
    ``signals`` (a port, e.g. HS classification) adds its findings as warnings."""
    principal.require(*READERS)
    today = (clock or uow.clock).now().date()
    with uow:
        checker = Checker(uow, principal.economy, today)
        decl, errors, warnings = checker.read(raw)
        if decl is None:
            hs_errors, hs_warnings = checker.check_raw_hs(raw, errors)
            return ValidationReport(errors + hs_errors, warnings + hs_warnings)
        a, errors, more = checker.check(decl)
        more += _warnings(_signals(signals, decl)) if not errors else []
        return ValidationReport(errors, warnings + more, a)


def submit(
    uow: UnitOfWork,
    principal: Principal,
    raw: Any,
    *,
    clock: Clock | None = None,
    assessor: Assessor | None = None,
    source: str = "api",
    signals: SignalSource | None = None,
) -> SubmitResult:
    """Lodge a declaration; replaying the same payload returns the existing one.
    ``signals`` (a port) raises risk signals: warnings to the trader, inputs to the lane."""
    lifecycle.check(Action.SUBMIT, None, principal)
    now = (clock or uow.clock).now()
    with uow:
        checker = Checker(uow, principal.economy, now.date())
        decl, errors, warnings = checker.read(raw)
        if decl is None:
            hs_errors, hs_warnings = checker.check_raw_hs(raw, errors)
            raise InvalidInput(errors + hs_errors, warnings=warnings + hs_warnings)
        repo = uow.repo(DeclarationRepository)
        document = to_document(decl)
        digest = document_digest(document)
        existing = repo.by_reference(principal.economy, principal.user_id, decl.reference)
        if existing is not None:
            return _replay(uow, existing, digest, warnings)
        a, errors, more = checker.check(decl)
        if errors or a is None:
            raise InvalidInput(errors, warnings=warnings + more)
        raised = _signals(signals, decl)
        more += _warnings(raised)
        lodgement = Lodgement(decl, a, digest, signals=tuple(raised), document=document)
        uow.lock_for_write()
        try:
            # Only this insert is undone if a concurrent submission of the same reference won
            # the race (then: answer as a replay); a batch lodging it goes on.
            with uow.savepoint():
                stored = lodge(
                    uow, principal, [lodgement], now=now, source=source, assessor=assessor
                )
        except IntegrityError:
            existing = repo.by_reference(principal.economy, principal.user_id, decl.reference)
            if existing is None:
                raise
            return _replay(uow, existing, digest, warnings)
        uow.commit()
        return SubmitResult(_stored_record(stored, principal.economy), True, warnings + more)


def _stored_record(stored: Lodged, chain: str) -> DeclarationRecord:
    """The record of the one declaration :func:`lodge` has just stored, read from the row and
    audit entries it wrote instead of from the database: what :func:`get` gives
    (tests/declarations/test_submit_answer.py holds them equal), three statements fewer."""
    values = {
        k: json.loads(v.text) if isinstance(v, JSONText) else v for k, v in stored.rows[0].items()
    }
    bodies = [json.loads(body_of(chain, 0, e)) for e in stored.events]
    return record_of(DeclarationRow(**values), [], bodies)


def submit_many(
    uow: UnitOfWork,
    principal: Principal,
    documents: Sequence[Any],
    *,
    clock: Clock | None = None,
    source: str = "api",
    signals: SignalSource | None = None,
) -> list[SubmitResult]:
    """Lodge several declarations together, all or none: each goes through :func:`submit`
    inside one transaction; if any is invalid or its reference is taken, nothing is stored and
    :class:`InvalidInput` lists every problem, its path prefixed by the document's position
    (``[2].invoice_currency``, from 0)."""
    problems: list[FieldError] = []
    results: list[SubmitResult] = []
    with uow:
        for n, raw in enumerate(documents):
            try:
                results.append(
                    submit(uow, principal, raw, clock=clock, source=source, signals=signals)
                )
            except InvalidInput as exc:
                problems += [
                    FieldError(f"[{n}].{e.path}" if e.path else f"[{n}]", e.code, e.message)
                    for e in exc.errors
                ]
            except Conflict as exc:  # the reference is taken (by an earlier one, or in the file)
                problems.append(FieldError(f"[{n}].reference", "reference_conflict", exc.message))
        if problems:
            raise InvalidInput(problems)
        uow.commit()
        return results


def _replay(
    uow: UnitOfWork, existing: DeclarationRow, digest: str, warnings: list[FieldError]
) -> SubmitResult:
    if existing.submission_hash != digest:
        raise Conflict(
            f"reference '{existing.reference}' was already used for a different "
            f"declaration ({existing.id}); amend that one or use a new reference"
        )
    return SubmitResult(read_record(uow, existing), False, warnings)


def get(uow: UnitOfWork, principal: Principal, declaration_id: str) -> DeclarationRecord:
    with uow:
        row = load_row(uow.repo(DeclarationRepository), principal, declaration_id)
        return read_record(uow, row)


def list_declarations(
    uow: UnitOfWork,
    principal: Principal,
    filters: ListFilters | None = None,
    page: PageRequest | None = None,
) -> Page[DeclarationSummary]:
    """The economy's declarations (a declarant: only their own), newest first."""
    principal.require(*READERS)
    page = page or PageRequest()
    with uow:
        repo = uow.repo(DeclarationRepository)
        own = None if sees_all(principal) else principal.user_id
        rows, total = repo.search(principal.economy, own, filters or ListFilters(), page)
        codes = repo.hs_codes([r.id for r in rows])
        return Page([summary_of(r, codes[r.id]) for r in rows], total, page.page, page.size)


def status_counts(uow: UnitOfWork, principal: Principal) -> dict[str, int]:
    principal.require(*READERS)
    with uow:
        own = None if sees_all(principal) else principal.user_id
        return uow.repo(DeclarationRepository).status_counts(principal.economy, own)


def amend(
    uow: UnitOfWork,
    principal: Principal,
    declaration_id: str,
    raw: Any,
    *,
    clock: Clock | None = None,
    assessor: Assessor | None = None,
    expected_version: int | None = None,
) -> DeclarationRecord:
    """Replace the document (keeping the old version) and re-assess; before release only.

    ``expected_version`` (the version the caller edited) makes a stale amendment a
    :class:`ConcurrentChange` instead of overwriting one made meanwhile."""
    now = (clock or uow.clock).now()
    with uow:
        repo = uow.repo(DeclarationRepository)
        row = load_row(repo, principal, declaration_id, lock=True)
        check_action(Action.AMEND, row, principal)
        checker = Checker(uow, row.economy, now.date())
        decl, a, _ = checker.full(raw)
        if decl.reference != row.reference:
            raise InvalidInput.single(
                "reference",
                "reference_changed",
                f"an amendment keeps the reference '{row.reference}'",
            )
        if decl.kind.value != row.kind:
            raise InvalidInput.single("kind", "kind_changed", "an amendment keeps the kind")
        if expected_version is not None and expected_version != row.version:
            raise ConcurrentChange(
                f"declaration {row.id} is at version {row.version}, not {expected_version}: "
                "it was amended meanwhile; reload it and try again"
            )
        new_status = lifecycle.after_amend(Status(row.status))

        def replace_document(r: DeclarationRow) -> None:
            repo.add_version(
                DeclarationVersionRow(
                    declaration_id=r.id,
                    version=r.version,
                    document=r.document,
                    assessment=r.assessment,
                    superseded_at=now,
                    superseded_by=principal.user_id,
                )
            )
            r.version += 1
            r.document = to_document(decl)
            r.declaration_date = decl.date or r.declaration_date
            r.office = decl.office
            r.declarant_id = decl.declarant.id
            r.trader_id = decl.trader.id if decl.trader else None
            r.partner_id = decl.partner.id if decl.partner else None
            r.invoice_currency = decl.invoice_currency

        events = [
            transition(
                repo,
                row,
                Action.AMEND,
                principal,
                now,
                to=new_status,
                change=replace_document,
                before={"document_hash": document_hash_of(row)},
                after={"document_hash": document_hash(decl)},
            )
        ]
        if new_status is Status.SUBMITTED:
            assess_and_route(uow, row, decl, a, events, now, assessor)
        elif new_status is not Status.PRE_LODGED:
            apply_duties(row, a)
        repo.set_items(row.id, item_rows(row.id, decl, a if row.assessment else None))
        uow.repo(AuditLog).append(row.economy, events)
        uow.commit()
        return read_record(uow, row)


def document_hash_of(row: DeclarationRow) -> str:
    from smartcustoms.declarations.document import sha256_of

    return sha256_of(row.document)


def cancel(
    uow: UnitOfWork,
    principal: Principal,
    declaration_id: str,
    reason: str = "",
    *,
    clock: Clock | None = None,
) -> DeclarationRecord:
    return act(uow, principal, declaration_id, Action.CANCEL, reason, clock=clock)


def versions(uow: UnitOfWork, principal: Principal, declaration_id: str) -> list[dict[str, Any]]:
    """Superseded versions (oldest first), each with its document and assessment."""
    with uow:
        repo = uow.repo(DeclarationRepository)
        row = load_row(repo, principal, declaration_id)
        return [
            {
                "version": v.version,
                "document": v.document,
                "assessment": v.assessment,
                "superseded_at": v.superseded_at,
                "superseded_by": v.superseded_by,
            }
            for v in repo.versions(row.id)
        ]


# --- assessor configuration --------------------------------------------------------------------
def set_assessor_config(
    uow: UnitOfWork, principal: Principal, raw: dict[str, Any], *, clock: Clock | None = None
) -> RuleBasedConfig:
    """Replace the rule-based assessor's rules and random rates (analysts, admins)."""
    principal.require(Role.ANALYST)
    config = RuleBasedConfig.from_dict(raw)
    now = (clock or uow.clock).now()
    with uow:
        repo = uow.repo(DeclarationRepository)
        old = repo.assessor_config(principal.economy)
        repo.save_assessor_config(
            AssessorConfigRow(
                economy=principal.economy,
                config=config.to_dict(),
                updated_by=principal.user_id,
                updated_at=now,
            )
        )
        uow.repo(AuditLog).append(
            principal.economy,
            [
                AuditEvent(
                    "assessor_config",
                    principal.economy,
                    "configure",
                    principal.user_id,
                    now,
                    old.config if old else None,
                    config.to_dict(),
                )
            ],
        )
        uow.commit()
    return config
