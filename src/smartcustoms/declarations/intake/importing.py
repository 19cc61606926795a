"""Bulk import of a national file through a mapping profile: all or nothing, in chunks.

Every row is mapped, read and checked exactly like a declaration lodged through the API (with
the profile's :class:`~.reader.Policy`); if any row is invalid nothing is stored and the
report lists row, column, field and problem for every bad row. Otherwise the rows are lodged
through the one write path (:func:`.lodging.lodge`: bulk inserts, audit entries) chunk by
chunk, each chunk committed with the import batch's progress; the batch is ``loading`` until
the last chunk is in, then ``complete``. The file is streamed: memory follows the chunk size,
not the file. An import killed half-way is completed by importing the same file again (the
stored rows are found with the same content; the rest goes into the same batch).

Who is who: the file's parties (declarant, importer, seller, courier) are data of each
declaration; the *account* that lodges them (``lodged_by``, which scopes idempotency) is the
importing officer or admin, or the system actor for the CLI and the demo. Re-importing the same
file is idempotent: rows already stored with the same content are skipped; a stored reference
with different content is reported as a bad row.

Lanes: a *historical* import (the default) is the documented historical variant of the lodge
step: it records the profile's lane for every row and keeps every inspection label of the
file, with one ``import`` audit entry per declaration. With ``assess=True`` the rows are lodged
live: lanes from the assessor (the learned one when the economy has an active model, else the
rule-based one) in date order within each chunk, ``submit``/``assess``/``route`` audit entries
exactly as a web lodgement writes them, and a row's label recorded only when its lane sent it
to control (yellow or red): a green declaration is released without an inspection result,
exactly as in production.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import pickle
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import IO, Any, TypeVar

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.audit.log import AuditEvent, AuditLog
from smartcustoms.core.clock import Clock
from smartcustoms.core.ids import new_id
from smartcustoms.db.bulk import JSONText
from smartcustoms.db.uow import UnitOfWork, transactional
from smartcustoms.declarations.document import document_digest, to_document
from smartcustoms.declarations.intake.checking import Checker
from smartcustoms.declarations.intake.columns import ColumnReader
from smartcustoms.declarations.intake.lodging import Label, Lodged, Lodgement, lodge
from smartcustoms.declarations.intake.mapping import MappedRow, Mapper, open_rows
from smartcustoms.declarations.intake.profiles import Profile, load_profile
from smartcustoms.declarations.lanes import SignalSource
from smartcustoms.declarations.model import Declaration, Item, Lane, Party
from smartcustoms.declarations.repository import DeclarationRepository
from smartcustoms.declarations.tables import BATCH_COMPLETE, BATCH_LOADING, ImportBatchRow
from smartcustoms.errors import FieldError, InvalidInput, PermissionDenied
from smartcustoms.tariff.duties import (
    DeMinimisCheck,
    DutyAssessment,
    DutyLine,
    FxRate,
    ItemValuation,
)

T = TypeVar("T")
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


@dataclass(slots=True)
class _Good:
    """A checked row, kept for the store pass: what lodging needs of its mapped row (line and
    labels, not the mapped document), the declaration, its duties, its hash and JSON form."""

    row: int
    fraud: bool | None
    critical: bool | None
    critical_code: str | None
    decl: Declaration
    assessment: DutyAssessment
    digest: str
    document: dict[str, Any] | JSONText | None = None
    """The declaration's JSON form: kept for the chunk held in memory; a spooled chunk keeps
    its stored text (what the store would write for it: one string to pickle, where the
    dictionary is dozens of objects and rebuilding it costs more)."""


CHUNK_ROWS = 10_000
"""Rows checked, and stored, per chunk: memory follows the chunk, not the file."""


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
    chunk_size: int = CHUNK_ROWS,
    signals: SignalSource | None = None,
) -> ImportReport:
    """Validate every row of ``path`` and (unless ``dry_run``) store them all, or none.

    Two passes over a streamed file: *check* reads and checks every row (nothing stored; the
    checked declarations of each chunk are kept for the second pass, spooled to a temporary
    file after the first chunk); if any row is invalid, the import is rejected. *Store* opens
    (or resumes) the import batch and lodges chunk after chunk, each chunk committed with its
    audit entries and the batch's progress; the batch is marked complete last. An import
    killed half-way leaves its batch ``loading``: importing the same file again finds the rows
    stored (already present, same content), stores the rest into the same batch and
    completes it, so nothing is duplicated.

    ``assess``: lanes from the assessor, labels kept only for controlled rows (see the module
    docstring); otherwise a historical import. ``signals`` (with ``assess``; e.g. the HS
    classification check) raises risk signals for each chunk at once, as lodging does for one
    declaration: rules with a ``signals`` condition select on them."""
    principal.require(Role.OFFICER)
    if chunk_size < 1:
        raise InvalidInput.single("chunk_size", "out_of_range", "a chunk holds at least one row")
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    target = (economy or prof.economy or principal.economy).upper()
    if target != principal.economy:
        raise PermissionDenied(f"you may only import into {principal.economy}")
    started = time.perf_counter()
    now = (clock or uow.clock).now()
    file = Path(path)
    report = ImportReport(prof.name, str(file), target, dry_run)
    tick = progress or (lambda stage, done, total: None)
    with _Spool() as spool:
        _check_file(uow, principal, prof, file, target, now, report, spool, chunk_size, tick)
        if report.errors:
            report.seconds = round(time.perf_counter() - started, 3)
            raise ImportRejected(report)
        if not dry_run:
            report.batch_id = _store_all(
                uow, prof, file, target, principal, spool, report, now, tick, assess, signals
            )
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _reducer(cls: type[Any], keep: int | None = None) -> Callable[[Any], tuple[Any, ...]]:
    """Pickle a slotted dataclass as its constructor and field values (``keep``: the first
    fields only, the rest take their defaults): one C-level attribute fetch to write and one
    ``__init__`` to read, instead of the generic getstate/setstate that walk
    ``dataclasses.fields`` per object (most of the spool's time)."""
    fields = dataclasses.fields(cls)
    assert all(f.init and not f.kw_only for f in fields) and len(fields) > 1
    get = attrgetter(*[f.name for f in fields][:keep])

    def reduce(obj: Any) -> tuple[Any, ...]:
        return cls, get(obj)

    return reduce


_SPOOL_TABLE: dict[type[Any], Callable[[Any], tuple[Any, ...]]] = {
    **{
        c: _reducer(c)
        for c in (
            Declaration,
            Item,
            Party,
            DutyAssessment,
            FxRate,
            ItemValuation,
            DutyLine,
            DeMinimisCheck,
            _Good,
        )
    },
    JSONText: lambda t: (JSONText, (t.text,)),
}


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic collector off for a chunk's work (reading, checking, pickling), which makes
    or walks hundreds of thousands of objects that are in no reference cycle: it would run
    many times over the whole heap for nothing. Nested pauses keep it off until the outer one
    ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Spool:
    """Checked chunks between the two passes: the first in memory, later ones pickled to a
    temporary file (so memory does not grow with the file)."""

    def __init__(self) -> None:
        self._first: list[_Good] | None = None
        self._file: IO[bytes] | None = None
        self._count = 0

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()

    def add(self, chunk: list[_Good]) -> None:
        if not chunk:
            return
        self._count += 1
        if self._first is None:
            self._first = chunk
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile()  # noqa: SIM115  (closed by __exit__)
        pickler = pickle.Pickler(self._file, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = _SPOOL_TABLE
        with _gc_paused():
            for g in chunk:
                if type(g.document) is dict:
                    # The text the store writes for it (the engine's serializer, json.dumps).
                    g.document = JSONText(json.dumps(g.document))
            pickler.dump(chunk)

    def __iter__(self) -> Iterator[list[_Good]]:
        if self._first is not None:
            yield self._first
        if self._file is not None:
            self._file.seek(0)
            for _ in range(self._count - 1):
                with _gc_paused():
                    chunk: list[_Good] = pickle.load(self._file)
                yield chunk


def _chunks(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@transactional
def _check_file(
    uow: UnitOfWork,
    principal: Principal,
    prof: Profile,
    file: Path,
    target: str,
    now: Any,
    report: ImportReport,
    spool: _Spool,
    chunk_size: int,
    tick: Progress,
    columnar: bool = True,
) -> None:
    """The check pass: every row read and checked, chunk by chunk; nothing stored.

    ``columnar``: each chunk read as columns (:class:`.columns.ColumnReader`), the rows it
    does not find clean read one by one; False reads every row one by one (the reference the
    tests compare it with). Both give the same report and the same checked rows."""
    checker = Checker(uow, target, now.date(), policy=prof.policy)
    columns = (
        ColumnReader.build(prof, economy=target, today=checker.today, policy=prof.policy)
        if columnar
        else None
    )
    mapper = Mapper(prof)
    seen: dict[str, int] = {}
    warn_counts: Counter[str] = Counter()
    reader, handle = open_rows(file, prof)
    with handle:
        chunks = _chunks(enumerate(reader, start=2), chunk_size)
        while True:
            # Reading and checking a chunk makes a few million objects and keeps ~100 per row,
            # in no reference cycle (a 20,000-row file leaves ~300 cyclic objects, SQL
            # statements): the collector, paused, would only have walked the held rows again
            # and again (a third of the check pass). It runs between chunks.
            with _gc_paused():
                chunk = next(chunks, None)
                if chunk is None:
                    break
                report.rows += len(chunk)
                tick("read", report.rows, report.rows)
                mapped = _read_chunk(checker, columns, mapper, chunk)
                good = _check_all(
                    uow, checker, prof, mapped, principal, report, tick, seen, warn_counts
                )
                report.valid += len(good)
                if not report.errors:
                    spool.add(good)  # once a row is bad nothing is stored: stop keeping rows
            for g in good:
                if g.fraud is not None:
                    report.inspections += 1
                    report.fraud += int(bool(g.fraud))
                    report.critical += int(bool(g.critical))
    report.warnings = dict(sorted(warn_counts.items()))
    report.invalid = len({e.row for e in report.errors})


_Read = tuple[MappedRow, Declaration | None, list[FieldError], list[FieldError]]
"""A row read: its mapped row (labels; the document only when read one by one), its
declaration or None, errors, warnings."""


def _read_chunk(
    checker: Checker,
    columns: ColumnReader | None,
    mapper: Mapper,
    chunk: list[tuple[int, dict[str, Any]]],
) -> list[_Read]:
    """Every row of a chunk read: the clean ones as columns, the rest (and every row without
    a column reader) mapped and read one by one, so their problems are the per-row ones."""
    clean = columns.read([row for _, row in chunk]) if columns is not None else None
    out: list[_Read] = []
    for n, (line, row) in enumerate(chunk):
        done = clean[n] if clean is not None else None
        if done is not None:
            out.append((MappedRow(line, {}, *mapper.labels(row)), done.decl, [], done.warnings))
            continue
        m = mapper(row, line)
        decl, errors, warnings = checker.read(m.document)
        out.append((m, decl, errors, warnings))
    return out


def _check_all(
    uow: UnitOfWork,
    checker: Checker,
    prof: Profile,
    mapped: list[_Read],
    principal: Principal,
    report: ImportReport,
    tick: Progress,
    seen: dict[str, int],
    warn_counts: Counter[str],
) -> list[_Good]:
    def fail(m: MappedRow, errors: list[FieldError]) -> None:
        for e in errors:
            column = prof.column_of.get(e.path)
            report.errors.append(RowError(m.row, column, e.path, e.code, e.message))

    read: list[tuple[MappedRow, Declaration]] = []
    for m, decl, errors, warnings in mapped:
        warn_counts.update({w.code for w in warnings})
        if m.problems or decl is None:
            fail(m, m.problems + errors)
            continue
        read.append((m, decl))
    known = checker.known_hs({it.hs_code[:6] for _, d in read for it in d.items})
    repo = uow.repo(DeclarationRepository)
    existing = repo.existing_references(
        checker.economy, principal.user_id, [d.reference for _, d in read]
    )
    good: list[_Good] = []
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
        document = to_document(decl)
        digest = document_digest(document)
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
        good.append(_Good(m.row, m.fraud, m.critical, m.critical_code, decl, a, digest, document))
    tick("check", len(read), len(read))
    return good


def _store_all(
    uow: UnitOfWork,
    prof: Profile,
    file: Path,
    economy: str,
    principal: Principal,
    spool: _Spool,
    report: ImportReport,
    now: Any,
    tick: Progress,
    assess: bool,
    signals: SignalSource | None = None,
) -> str | None:
    """The store pass: lodge the checked rows chunk by chunk through the one write path
    (:func:`.lodging.lodge`), each chunk its own transaction; live (lanes from the assessor)
    with ``assess``, else the profile's historical variant."""
    digest = _sha256(file)
    batch_id = _open_batch(uow, prof, file, digest, economy, principal, report, now)
    if batch_id is None:
        return None  # nothing new, and no unfinished import of this file to complete
    report.assessed = assess
    if assess:
        report.inspections = report.fraud = report.critical = 0
    lanes: Counter[str] = Counter()
    for chunk in spool:
        # Lodging a chunk (lanes, rows, audit) leaves ~1,000 objects in reference cycles per
        # 10,000 rows while it makes millions: the collector, walking the held chunk over and
        # over, took a tenth of the store pass. It runs between chunks.
        with _gc_paused():
            lodged = _store_chunk(
                uow, prof, file, principal, chunk, batch_id, now, assess, tick, signals
            )
        lanes.update(lodged.lanes)
        report.stored += len(chunk)
        if assess:
            report.inspections += lodged.inspections
            report.fraud += lodged.fraud
            report.critical += lodged.critical
        tick("store", report.stored, report.valid)
    _close_batch(uow, prof, file, digest, batch_id, principal, report, now)
    report.lanes = dict(sorted(lanes.items()))
    return batch_id


@transactional
def _open_batch(
    uow: UnitOfWork,
    prof: Profile,
    file: Path,
    digest: str,
    economy: str,
    principal: Principal,
    report: ImportReport,
    now: Any,
) -> str | None:
    """The unfinished batch of this file to resume, or a new one (``loading``) when there is
    something to store."""
    repo = uow.repo(DeclarationRepository)
    unfinished = repo.unfinished_batch(economy, principal.user_id, prof.name, digest)
    if unfinished is not None:
        return unfinished.id
    if not report.valid:
        return None
    batch_id = new_id()
    repo.add_batch(
        ImportBatchRow(
            id=batch_id,
            economy=economy,
            profile=prof.name,
            file_name=file.name,
            file_sha256=digest,
            rows=report.rows,
            stored=0,
            status=BATCH_LOADING,
            created_by=principal.user_id,
            created_at=now,
        )
    )
    return batch_id


@transactional
def _store_chunk(
    uow: UnitOfWork,
    prof: Profile,
    file: Path,
    principal: Principal,
    chunk: list[_Good],
    batch_id: str,
    now: Any,
    assess: bool,
    tick: Progress,
    signals: SignalSource | None = None,
) -> Lodged:
    raised = (
        signals.many([g.decl for g in chunk])
        if signals is not None and assess
        else [()] * len(chunk)
    )
    batch = [
        Lodgement(
            g.decl,
            g.assessment,
            g.digest,
            label=None
            if g.fraud is None
            else Label(
                bool(g.fraud),
                bool(g.critical),
                f"{prof.name} labels: critical code {g.critical_code}",
            ),
            row=g.row,
            note=f"{file.name} row {g.row}",
            signals=tuple(found),
            document=g.document,
        )
        for g, found in zip(chunk, raised, strict=True)
    ]
    lodged = lodge(
        uow,
        principal,
        batch,
        now=now,
        source=f"import:{prof.name}",
        batch_id=batch_id,
        historical_lane=None if assess else Lane(prof.lane),
        historical_reason=f"recorded by the {prof.name} import (batch {batch_id})",
        progress=tick,
    )
    row = uow.repo(DeclarationRepository).batch(batch_id, lock=True)
    assert row is not None
    row.stored += len(chunk)
    return lodged


@transactional
def _close_batch(
    uow: UnitOfWork,
    prof: Profile,
    file: Path,
    digest: str,
    batch_id: str,
    principal: Principal,
    report: ImportReport,
    now: Any,
) -> None:
    row = uow.repo(DeclarationRepository).batch(batch_id, lock=True)
    assert row is not None
    row.status = BATCH_COMPLETE
    row.rows = report.rows
    uow.repo(AuditLog).append(
        row.economy,
        [
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
                    "stored": row.stored,
                },
            )
        ],
    )


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
