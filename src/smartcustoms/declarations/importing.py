"""Bulk import of a national file through a mapping profile: all or nothing.

Every row is mapped, read and checked exactly like a declaration lodged through the API (with
the profile's :class:`~.validation.Policy`); if any row is invalid nothing is stored and the
report lists row, column, field and problem for every bad row. Otherwise the whole batch goes
in with bulk inserts, in one transaction, with one audit entry per declaration.

Who is who: the file's parties (declarant, importer, seller, courier) are data of each
declaration; the *account* that lodges them (``lodged_by``, which scopes idempotency) is the
importing officer or admin, or the system actor for the CLI and the demo. Re-importing the same
file is idempotent: rows already stored with the same content are skipped; a stored reference
with different content is reported as a bad row.

Lanes: a *historical* import (the default) records the profile's lane for every row and keeps
every inspection label of the file. With ``assess=True`` the rows go through the registered
assessor (the learned one when the economy has an active model, else the rule-based one) in
date order, as if lodged one by one, and a row's label is recorded only when its lane sent it to
control (yellow or red): a green declaration is released without an inspection result, exactly
as in production.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core.clock import Clock, SystemClock
from smartcustoms.core.ids import new_id
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations import lifecycle
from smartcustoms.declarations.assessor import AssessorContext, BatchItem, assess_all
from smartcustoms.declarations.audit import AuditEvent, AuditLog
from smartcustoms.declarations.checking import Checker
from smartcustoms.declarations.document import (
    assessment_to_dict,
    document_hash,
    to_document,
)
from smartcustoms.declarations.flow import assessor_for, item_rows
from smartcustoms.declarations.mapping import MappedRow, read_records
from smartcustoms.declarations.model import Assessment, Declaration, Lane, LaneDecision, Outcome
from smartcustoms.declarations.profiles import Profile, load_profile
from smartcustoms.declarations.repository import DeclarationRepository
from smartcustoms.declarations.tables import ImportBatchRow
from smartcustoms.errors import FieldError, InvalidInput, PermissionDenied

Progress = Callable[[str, int, int], None]
"""(stage, done, total): stages are read, check, assess (with ``assess``), store."""


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str | None
    field: str
    code: str
    message: str


@dataclass
class ImportReport:
    profile: str
    file: str
    economy: str
    dry_run: bool
    rows: int = 0
    valid: int = 0
    invalid: int = 0
    stored: int = 0
    already_present: int = 0
    inspections: int = 0
    fraud: int = 0
    critical: int = 0
    batch_id: str | None = None
    assessed: bool = False
    """Lanes from the assessor (else the profile's lane, every label kept)."""
    lanes: dict[str, int] = field(default_factory=dict)
    """Lane -> how many stored declarations got it."""
    seconds: float = 0.0
    warnings: dict[str, int] = field(default_factory=dict)
    """Warning code -> how many rows had it."""
    errors: list[RowError] = field(default_factory=list)


class ImportRejected(InvalidInput):
    """The batch had invalid rows; nothing was stored. ``report`` lists them all."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        super().__init__(
            [
                FieldError(
                    f"rows[{e.row}].{e.field}", e.code, f"{e.column or e.field}: {e.message}"
                )
                for e in report.errors
            ],
            f"{report.invalid} of {report.rows} rows are invalid; nothing stored",
        )


@dataclass
class _Good:
    mapped: MappedRow
    decl: Declaration
    assessment: Assessment
    digest: str


def import_file(
    uow: UnitOfWork,
    principal: Principal,
    path: str | Path,
    profile: str | Path | Profile = "kcs-cdd",
    *,
    economy: str | None = None,
    dry_run: bool = False,
    assess: bool = False,
    progress: Progress | None = None,
    clock: Clock | None = None,
) -> ImportReport:
    """Validate every row of ``path`` and (unless ``dry_run``) store them all, or none.

    ``assess``: lanes from the registered assessor, labels kept only for controlled rows (see
    the module docstring); otherwise a historical import."""
    principal.require(Role.OFFICER)
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    target = (economy or prof.economy or principal.economy).upper()
    if target != principal.economy:
        raise PermissionDenied(f"you may only import into {principal.economy}")
    started = time.perf_counter()
    now = (clock or SystemClock()).now()
    file = Path(path)
    report = ImportReport(prof.name, str(file), target, dry_run)
    tick = progress or (lambda stage, done, total: None)
    mapped = list(read_records(file, prof))
    report.rows = len(mapped)
    tick("read", report.rows, report.rows)
    with uow:
        checker = Checker(uow, target, now.date(), policy=prof.policy)
        good = _check_all(uow, checker, prof, mapped, principal, report, tick)
        report.valid = len(good)
        report.invalid = len({e.row for e in report.errors})
        if report.errors:
            report.seconds = round(time.perf_counter() - started, 3)
            raise ImportRejected(report)
        for g in good:
            if g.mapped.fraud is not None:
                report.inspections += 1
                report.fraud += int(bool(g.mapped.fraud))
                report.critical += int(bool(g.mapped.critical))
        if not dry_run and good:
            report.batch_id = _store(
                uow, prof, file, target, principal, good, report, now, tick, assess
            )
            uow.commit()
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _check_all(
    uow: UnitOfWork,
    checker: Checker,
    prof: Profile,
    mapped: list[MappedRow],
    principal: Principal,
    report: ImportReport,
    tick: Progress,
) -> list[_Good]:
    def fail(m: MappedRow, errors: list[FieldError]) -> None:
        for e in errors:
            column = prof.column_of.get(e.path)
            report.errors.append(RowError(m.row, column, e.path, e.code, e.message))

    read: list[tuple[MappedRow, Declaration]] = []
    warn_counts: Counter[str] = Counter()
    for m in mapped:
        decl, errors, warnings = checker.read(m.document)
        warn_counts.update({w.code for w in warnings})
        if m.problems or decl is None:
            fail(m, m.problems + errors)
            continue
        read.append((m, decl))
    known = checker.known_hs({it.hs_code[:6] for _, d in read for it in d.items})
    repo = DeclarationRepository(uow.session)
    existing = repo.existing_references(
        checker.economy, principal.user_id, [d.reference for _, d in read]
    )
    good: list[_Good] = []
    seen: dict[str, int] = {}
    for n, (m, decl) in enumerate(read, start=1):
        if n % 500 == 0:
            tick("check", n, len(read))
        if decl.reference in seen:
            fail(
                m,
                [
                    FieldError(
                        "reference",
                        "duplicate_reference",
                        f"'{decl.reference}' also on row {seen[decl.reference]}",
                    )
                ],
            )
            continue
        seen[decl.reference] = m.row
        a, errors, warnings = checker.check(decl, known)
        warn_counts.update({w.code for w in warnings})
        if errors or a is None:
            fail(m, errors)
            continue
        digest = document_hash(decl)
        if decl.reference in existing:
            if existing[decl.reference][1] == digest:
                report.already_present += 1
                continue
            fail(
                m,
                [
                    FieldError(
                        "reference",
                        "reference_conflict",
                        f"'{decl.reference}' is stored already with different content "
                        f"({existing[decl.reference][0]})",
                    )
                ],
            )
            continue
        good.append(_Good(m, decl, a, digest))
    tick("check", len(read), len(read))
    report.warnings = dict(sorted(warn_counts.items()))
    return good


def _store(
    uow: UnitOfWork,
    prof: Profile,
    file: Path,
    economy: str,
    principal: Principal,
    good: list[_Good],
    report: ImportReport,
    now: Any,
    tick: Progress,
    assess: bool = False,
) -> str:
    batch_id = new_id()
    ids = [new_id() for _ in good]
    decisions = _assess(uow, economy, principal, good, ids, now, tick) if assess else None
    report.assessed = decisions is not None
    if decisions is not None:
        report.inspections = report.fraud = report.critical = 0
    lane_counts: Counter[str] = Counter()
    declarations, items, inspections = [], [], []
    events: list[AuditEvent] = []
    source = f"import:{prof.name}"
    for n, g in enumerate(good):
        d, a = g.decl, g.assessment
        decl_id = ids[n]
        decision = decisions[n] if decisions is not None else None
        lane = decision.lane if decision is not None else Lane(prof.lane)
        lane_counts[lane.value] += 1
        # Assessed: only declarations sent to control are inspected (a green one is released
        # uninspected, so the file's label for it is never known); historical: every label.
        inspected = g.mapped.fraud is not None and (decision is None or lane is not Lane.GREEN)
        outcome = None
        status = lifecycle.LANE_STATUS[lane]
        if inspected:
            outcome = Outcome.DISCREPANCY if g.mapped.fraud else Outcome.NO_DISCREPANCY
            status = lifecycle.after_inspection(outcome, hold=False)
            if decision is not None:
                report.inspections += 1
                report.fraud += int(bool(g.mapped.fraud))
                report.critical += int(bool(g.mapped.critical))
        trader, partner = d.trader, d.partner
        declarations.append(
            {
                "id": decl_id,
                "economy": economy,
                "lodged_by": principal.user_id,
                "reference": d.reference,
                "submission_hash": g.digest,
                "kind": d.kind.value,
                "status": status.value,
                "lane": lane.value,
                "lane_score": decision.score if decision else None,
                "lane_reasons": (
                    list(decision.reasons)
                    if decision
                    else [f"recorded by the {prof.name} import (batch {batch_id})"]
                ),
                "lane_model_version": decision.model_version if decision else None,
                "lane_rules_fired": list(decision.rules_fired) if decision else [],
                "lane_explanations": (
                    [e.to_dict() for e in decision.explanations] if decision else []
                ),
                "version": 1,
                "declaration_date": d.date or now.date(),
                "office": d.office,
                "declarant_id": d.declarant.id,
                "trader_id": trader.id if trader else None,
                "partner_id": partner.id if partner else None,
                "invoice_currency": d.invoice_currency,
                "currency": a.currency,
                "customs_value": a.customs_value,
                "duty_total": a.duty_total,
                "tax_total": a.tax_total,
                "total_due": a.total,
                "document": to_document(d),
                "assessment": assessment_to_dict(a),
                "source": source,
                "batch_id": batch_id,
                "created_at": now,
                "updated_at": now,
            }
        )
        items.extend(item_rows(decl_id, d, a))
        after: dict[str, Any] = {
            "status": status.value,
            "lane": lane.value,
            "version": 1,
            "document_hash": g.digest,
            "batch": batch_id,
            "row": g.mapped.row,
        }
        if decision is not None:
            after |= {"score": decision.score, "rules_fired": list(decision.rules_fired)}
        if outcome is not None:
            inspections.append(
                {
                    "id": new_id(),
                    "declaration_id": decl_id,
                    "economy": economy,
                    "outcome": outcome.value,
                    "fraud": bool(g.mapped.fraud),
                    "critical": bool(g.mapped.critical),
                    "revenue_adjustment": None,
                    "notes": f"{prof.name} labels: critical code {g.mapped.critical_code}",
                    "recorded_by": principal.user_id,
                    "recorded_at": now,
                    "source": source,
                }
            )
            after |= {
                "outcome": outcome.value,
                "fraud": bool(g.mapped.fraud),
                "critical": bool(g.mapped.critical),
            }
        events.append(
            AuditEvent(
                "declaration",
                decl_id,
                "import",
                principal.user_id,
                now,
                None,
                after,
                f"{file.name} row {g.mapped.row}",
            )
        )
    tick("store", 0, len(good))
    repo = DeclarationRepository(uow.session)
    digest = _sha256(file)
    repo.add_batch(
        ImportBatchRow(
            id=batch_id,
            economy=economy,
            profile=prof.name,
            file_name=file.name,
            file_sha256=digest,
            rows=report.rows,
            stored=len(good),
            created_by=principal.user_id,
            created_at=now,
        )
    )
    uow.session.flush()
    repo.bulk_insert(declarations, items, inspections)
    tick("store", len(good) // 2, len(good))
    events.append(
        AuditEvent(
            "import_batch",
            batch_id,
            "import",
            principal.user_id,
            now,
            None,
            {
                "profile": prof.name,
                "file": file.name,
                "sha256": digest,
                "rows": report.rows,
                "stored": len(good),
            },
        )
    )
    AuditLog(uow.session).append(economy, events)
    report.stored = len(good)
    report.lanes = dict(sorted(lane_counts.items()))
    tick("store", len(good), len(good))
    return batch_id


def _assess(
    uow: UnitOfWork,
    economy: str,
    principal: Principal,
    good: list[_Good],
    ids: list[str],
    now: Any,
    tick: Progress,
) -> list[LaneDecision]:
    """Lanes from the registered assessor, in date order like live lodgements; the file's
    labels go along so a learning assessor can use those of controlled rows for later days."""
    tick("assess", 0, len(good))
    items = [
        BatchItem(
            g.decl,
            AssessorContext(
                economy, ids[n], g.decl.date or now.date(), principal.user_id, g.assessment
            ),
            None if g.mapped.fraud is None else (bool(g.mapped.fraud), bool(g.mapped.critical)),
        )
        for n, g in enumerate(good)
    ]
    order = sorted(range(len(items)), key=lambda n: items[n].context.on)
    decided = assess_all(assessor_for(uow, economy, None), [items[n] for n in order])
    decisions: list[LaneDecision] = [decided[0]] * len(items) if decided else []
    for position, n in enumerate(order):
        decisions[n] = decided[position]
    tick("assess", len(good), len(good))
    return decisions


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
