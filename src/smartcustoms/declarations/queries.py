"""The read API of declarations for other features, in the declarations' own vocabulary.

Other features (statistics, e-commerce, exchange ...) read declarations only through the
functions here, never through ``tables`` or ``repository``. Everything is scoped to one
economy (a caller never sees another economy's declarations) and read-only; nothing here commits.

Exchange between administrations uses :class:`DeclarationView`, :func:`find`,
:func:`imports_from` and :func:`released_exports`.

Risk targeting (``smartcustoms.risk.source`` maps these into its declaration frame) uses:

- :func:`declaration_items`: declarations with their items and inspection results, one row per
  item, as one SQL select into plain rows (:class:`ItemTable`, no ORM object per row: training
  reads tens of thousands of declarations);
- :func:`recent_lane_scores`: the lane scores stored on the latest declarations;
- :func:`declaration_changes`: what happened to the economy's declarations since a position of
  its audit chain (the assessor keeps per-day values while nothing relevant changed);
- :func:`rule_items`: a (not yet stored) declaration's items as the records of the rule engine
  (``smartcustoms.selectivity``), which the rule-based lane assessor evaluates.

Trade statistics (``smartcustoms.stats``) use:

- :func:`trade_cells`: declaration items summed by flow, month, partner, HS subheading, mode
  of transport, office and currency (the finest grain statistics need), in one SQL GROUP BY;
- :func:`trade_lines`: the same items one by one (for checks against a direct computation);
- :func:`changes_since`: which months of an economy's declarations changed since a position
  of its audit chain (every change to a declaration appends to that chain);
- :func:`release_records`: lodgement, arrival and release times of released declarations;
- :func:`declarant_counts`: distinct declarants per cell (statistical confidentiality).

The *partner* of an item is its country of origin for an import and the declaration's country
of destination for an export. Statistics count declarations that were lodged and valued and
are not cancelled or seized (:data:`COUNTED_STATUSES`).
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, bindparam, case, func, literal, select, type_coerce
from sqlalchemy.sql.elements import ColumnElement

from smartcustoms.audit.tables import AuditEntryRow, AuditHeadRow
from smartcustoms.core.clock import as_utc
from smartcustoms.db.types import Amount
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations.document import from_document
from smartcustoms.declarations.model import UNKNOWN_COUNTRY, Declaration, Kind, Status
from smartcustoms.declarations.tables import (
    DeclarationItemRow,
    DeclarationRow,
    InspectionResultRow,
)

__all__ = [
    "COUNTED_STATUSES",
    "ITEM_COLUMNS",
    "ChainPosition",
    "Changes",
    "DeclarationChange",
    "DeclarationChanges",
    "DeclarationView",
    "ItemTable",
    "ReleaseRecord",
    "TradeCell",
    "TradeLine",
    "changes_since",
    "cleared_descriptions",
    "declarant_counts",
    "declaration_changes",
    "declaration_items",
    "economies",
    "find",
    "imports_from",
    "recent_lane_scores",
    "release_records",
    "released_exports",
    "rule_items",
    "trade_cells",
    "trade_lines",
]


@dataclass(frozen=True, slots=True)
class DeclarationView:
    id: str
    economy: str
    reference: str
    kind: Kind
    status: Status
    declaration_date: date
    updated_at: datetime
    declaration: Declaration
    customs_value: str | None
    currency: str | None


def _view(row: DeclarationRow) -> DeclarationView:
    return DeclarationView(
        id=row.id,
        economy=row.economy,
        reference=row.reference,
        kind=Kind(row.kind),
        status=Status(row.status),
        declaration_date=row.declaration_date,
        updated_at=row.updated_at,
        declaration=from_document(row.document),
        customs_value=None if row.customs_value is None else str(row.customs_value),
        currency=row.currency,
    )


def _rows(
    uow: UnitOfWork,
    economy: str,
    kind: Kind,
    statuses: Collection[Status] | None,
    since: datetime | None,
    exclude: Collection[str],
    limit: int,
) -> Sequence[DeclarationRow]:
    stmt = select(DeclarationRow).where(
        DeclarationRow.economy == economy, DeclarationRow.kind == kind.value
    )
    if statuses:
        stmt = stmt.where(DeclarationRow.status.in_([s.value for s in statuses]))
    if since is not None:
        stmt = stmt.where(DeclarationRow.updated_at >= since)
    if exclude:
        stmt = stmt.where(DeclarationRow.id.not_in(list(exclude)))
    stmt = stmt.order_by(DeclarationRow.updated_at, DeclarationRow.id).limit(limit)
    return uow.session.scalars(stmt).all()


def released_exports(
    uow: UnitOfWork,
    economy: str,
    destinations: Collection[str],
    *,
    since: datetime | None = None,
    exclude: Collection[str] = (),
    limit: int = 500,
) -> list[DeclarationView]:
    """Released export declarations of ``economy`` bound for one of ``destinations``
    (``since``: changed at or after that time)."""
    wanted = {d.upper() for d in destinations}
    with uow:
        rows = _rows(uow, economy, Kind.EXPORT, [Status.RELEASED], since, exclude, limit)
        views = [_view(r) for r in rows]
    return [v for v in views if (v.declaration.destination_country or "").upper() in wanted]


def imports_from(
    uow: UnitOfWork,
    economy: str,
    departures: Collection[str],
    *,
    since: datetime | None = None,
    exclude: Collection[str] = (),
    limit: int = 500,
) -> list[DeclarationView]:
    """Import declarations of ``economy`` (any state but cancelled) whose goods left one of
    ``departures``."""
    wanted = {d.upper() for d in departures}
    states = [s for s in Status if s is not Status.CANCELLED]
    with uow:
        rows = _rows(uow, economy, Kind.IMPORT, states, since, exclude, limit)
        views = [_view(r) for r in rows]
    return [v for v in views if (v.declaration.departure_country or "").upper() in wanted]


def find(uow: UnitOfWork, economy: str, declaration_id: str) -> DeclarationView | None:
    with uow:
        row = uow.session.get(DeclarationRow, declaration_id)
        if row is None or row.economy != economy:
            return None
        return _view(row)


COUNTED_STATUSES: tuple[str, ...] = (
    Status.ASSESSED.value,
    Status.DOCUMENTARY_CHECK.value,
    Status.PHYSICAL_INSPECTION.value,
    Status.HELD.value,
    Status.RELEASED.value,
)
"""Lodged and valued; neither cancelled nor seized (seized goods never enter the economy)."""

CELL_DIMENSIONS = ("partner", "hs2", "hs4", "hs6", "mode", "office", "kind")


@dataclass(frozen=True, slots=True)
class TradeCell:
    kind: str
    month: date
    """The first day of the month of the declaration date."""
    currency: str
    partner: str
    hs6: str
    transport_mode: str
    office: str
    customs_value: Decimal
    net_mass_kg: Decimal
    items: int


@dataclass(frozen=True, slots=True)
class TradeLine:
    declaration_id: str
    line_no: int
    kind: str
    declaration_date: date
    currency: str
    partner: str
    hs_code: str
    transport_mode: str
    office: str
    customs_value: Decimal
    net_mass_kg: Decimal


@dataclass(frozen=True, slots=True)
class Changes:
    position: int
    """The economy's audit chain position now (pass it back next time)."""
    months: list[date]
    """Months (first days) holding declarations that changed after the given position."""


@dataclass(frozen=True, slots=True)
class ReleaseRecord:
    declaration_id: str
    kind: str
    declaration_date: date
    lane: str | None
    office: str
    transport_mode: str
    chapters: tuple[str, ...]
    trader_id: str | None
    source: str
    lodged_at: datetime
    arrived_at: datetime | None
    """When an arrival notice was recorded for a pre-lodged declaration."""
    released_at: datetime


def _json(path: tuple[str | int, ...]) -> ColumnElement[Any]:
    text: ColumnElement[Any] = DeclarationRow.document[path].as_string()
    return text


def _mode() -> ColumnElement[Any]:
    return func.coalesce(_json(("transport_mode",)), literal("unknown"))


def _partner() -> ColumnElement[Any]:
    return case(
        (DeclarationRow.kind == Kind.IMPORT.value, DeclarationItemRow.origin_country),
        else_=func.coalesce(_json(("destination_country",)), literal(UNKNOWN_COUNTRY)),
    )


def _month_text(dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.to_char(DeclarationRow.declaration_date, "YYYY-MM")
    return func.strftime("%Y-%m", DeclarationRow.declaration_date)


def _counted(economy: str, date_from: date | None, date_to: date | None) -> list[Any]:
    D = DeclarationRow
    conditions: list[Any] = [D.economy == economy, D.status.in_(COUNTED_STATUSES)]
    if date_from is not None:
        conditions.append(D.declaration_date >= date_from)
    if date_to is not None:
        conditions.append(D.declaration_date <= date_to)
    return conditions


def _first_of(text: str) -> date:
    year, month = text.split("-")[:2]
    return date(int(year), int(month), 1)


def economies(uow: UnitOfWork) -> list[str]:
    """Economies that have declarations on this installation."""
    with uow:
        stmt = select(DeclarationRow.economy).distinct().order_by(DeclarationRow.economy)
        return list(uow.session.scalars(stmt))


def trade_cells(
    uow: UnitOfWork, economy: str, date_from: date | None = None, date_to: date | None = None
) -> Iterator[TradeCell]:
    """Counted items dated in [date_from, date_to] (inclusive; None: open), summed per cell,
    in month order (streamed: a full rebuild over millions of items never holds them all)."""
    D, item = DeclarationRow, DeclarationItemRow
    with uow:
        month = _month_text(uow.dialect).label("month")
        partner, mode = _partner().label("partner"), _mode().label("mode")
        hs6 = func.substr(item.hs_code, 1, 6).label("hs6")
        currency = func.coalesce(D.currency, D.invoice_currency).label("currency")
        stmt = (
            select(
                D.kind,
                month,
                currency,
                partner,
                hs6,
                mode,
                D.office,
                type_coerce(func.sum(func.coalesce(item.customs_value, 0)), Amount()).label(
                    "value"
                ),
                type_coerce(func.sum(item.net_mass_kg), Amount()).label("mass"),
                func.count().label("items"),
            )
            .join(item, item.declaration_id == D.id)
            .where(*_counted(economy, date_from, date_to))
            .group_by(month, D.kind, currency, partner, hs6, mode, D.office)
            .order_by(month)
            .execution_options(yield_per=5000)
        )
        for r in uow.session.execute(stmt):
            yield TradeCell(
                r.kind,
                _first_of(r.month),
                r.currency,
                r.partner or UNKNOWN_COUNTRY,
                r.hs6,
                r.mode,
                r.office,
                r.value if r.value is not None else Decimal(0),
                r.mass if r.mass is not None else Decimal(0),
                int(r.items),
            )


def trade_lines(
    uow: UnitOfWork, economy: str, date_from: date | None = None, date_to: date | None = None
) -> Iterator[TradeLine]:
    """Counted items one by one (streamed), for checks against a direct computation."""
    D, item = DeclarationRow, DeclarationItemRow
    with uow:
        stmt = (
            select(
                D.id,
                item.line_no,
                D.kind,
                D.declaration_date,
                func.coalesce(D.currency, D.invoice_currency).label("currency"),
                _partner().label("partner"),
                item.hs_code,
                _mode().label("mode"),
                D.office,
                item.customs_value,
                item.net_mass_kg,
            )
            .join(item, item.declaration_id == D.id)
            .where(*_counted(economy, date_from, date_to))
            .execution_options(yield_per=5000)
        )
        for r in uow.session.execute(stmt):
            yield TradeLine(
                r.id,
                r.line_no,
                r.kind,
                r.declaration_date,
                r.currency,
                r.partner or UNKNOWN_COUNTRY,
                r.hs_code,
                r.mode,
                r.office,
                r.customs_value if r.customs_value is not None else Decimal(0),
                r.net_mass_kg,
            )


def changes_since(uow: UnitOfWork, economy: str, position: int) -> Changes:
    """Months whose declarations changed after ``position`` of the economy's audit chain.

    Every lodgement, amendment, state change and bulk import appends to the chain, so this
    finds every month whose figures may have moved. (An amendment that moves a declaration to
    another month also leaves the old month changed: the chain entry names the declaration,
    whose date is now the new one; a full rebuild catches that.)
    """
    with uow:
        s = uow.session
        head = s.scalar(select(AuditHeadRow.seq).where(AuditHeadRow.chain == economy))
        now = int(head or 0)
        if now <= position:
            return Changes(now, [])
        A, D = AuditEntryRow, DeclarationRow
        month = _month_text(uow.dialect)
        rows = s.execute(
            select(month)
            .select_from(A)
            .join(D, and_(D.id == A.entity_id, D.economy == economy))
            .where(A.chain == economy, A.seq > position, A.entity_kind == "declaration")
            .distinct()
        )
        return Changes(now, sorted(_first_of(r[0]) for r in rows))


@dataclass(frozen=True, slots=True)
class ChainPosition:
    """A link of an economy's audit chain: its sequence number and hash (``seq`` 0 and hash
    None before the first entry). The hash pins the whole chain up to it, so a position taken
    inside a transaction that was then rolled back is recognised as gone."""

    seq: int
    hash: str | None


@dataclass(frozen=True, slots=True)
class DeclarationChange:
    seq: int
    """Its position on the chain."""
    action: str
    """The audit action (``submit``, ``route``, ``record_inspection``, ``import`` ...)."""
    declaration_date: date | None
    """The declaration's date now (None when the declaration is no longer stored)."""


@dataclass(frozen=True, slots=True)
class DeclarationChanges:
    position: ChainPosition
    """The chain's last link as this transaction sees it (pass it back next time)."""
    changes: list[DeclarationChange] | None
    """What happened to declarations after the given position, in chain order; None when that
    is unknown (no position given, more than ``limit`` entries since, or the position is not
    on the chain this transaction sees): then anything may have changed."""


def declaration_changes(
    uow: UnitOfWork, economy: str, since: ChainPosition | None, *, limit: int = 1000
) -> DeclarationChanges:
    """The declarations' audit entries after ``since`` on the economy's chain (one indexed read
    of the entries since; none at all when nothing was appended)."""
    code = economy.upper()
    with uow:
        s = uow.session
        if since is not None:
            rows = s.execute(
                _chain_tail(), {"chain": code, "seq": max(since.seq, 1), "limit": limit + 1}
            ).all()
            first = (rows[0].seq, rows[0].hash) if rows else None
            known = since.seq == 0 or first == (since.seq, since.hash)
            if known and len(rows) <= limit:
                after = [r for r in rows if r.seq > since.seq]
                last = rows[-1] if rows else None
                return DeclarationChanges(
                    ChainPosition(last.seq, last.hash) if last is not None else since,
                    [
                        DeclarationChange(r.seq, r.action, r.declaration_date)
                        for r in after
                        if r.entity_kind == "declaration"
                    ],
                )
        head = s.execute(
            select(AuditHeadRow.seq, AuditHeadRow.hash).where(AuditHeadRow.chain == code)
        ).first()
        position = ChainPosition(0, None) if head is None else ChainPosition(head.seq, head.hash)
        return DeclarationChanges(position, None)


@functools.cache
def _chain_tail() -> Any:
    """The statement of :func:`declaration_changes`, built once: it runs at every lodgement,
    and building it (and its cache key) costs more than running it."""
    A, D = AuditEntryRow, DeclarationRow
    return (
        select(A.seq, A.hash, A.entity_kind, A.action, D.declaration_date)
        .select_from(A)
        .outerjoin(D, and_(D.id == A.entity_id, A.entity_kind == "declaration"))
        .where(A.chain == bindparam("chain"), A.seq >= bindparam("seq"))
        .order_by(A.seq)
        .limit(bindparam("limit"))
    )


def release_records(
    uow: UnitOfWork, economy: str, date_from: date | None = None, date_to: date | None = None
) -> list[ReleaseRecord]:
    """Released declarations dated in [date_from, date_to] with their clearance times.

    ``released_at`` is the time of the change to *released*: a released declaration is final
    and never changes again, so it is the row's last update.
    """
    D, item, A = DeclarationRow, DeclarationItemRow, AuditEntryRow
    with uow:
        s = uow.session
        conditions = [*_counted(economy, date_from, date_to), D.status == Status.RELEASED.value]
        arrivals = (
            select(A.entity_id.label("id"), func.min(A.at).label("arrived_at"))
            .where(A.chain == economy, A.action == "arrival_notice")
            .group_by(A.entity_id)
            .subquery()
        )
        stmt = (
            select(
                D.id,
                D.kind,
                D.declaration_date,
                D.lane,
                D.office,
                _mode().label("mode"),
                D.trader_id,
                D.source,
                D.created_at,
                D.updated_at,
                arrivals.c.arrived_at,
                func.substr(item.hs_code, 1, 2).label("chapter"),
            )
            .join(item, item.declaration_id == D.id)
            .outerjoin(arrivals, arrivals.c.id == D.id)
            .where(*conditions)
            .order_by(D.id, item.line_no)
        )
        out: dict[str, ReleaseRecord] = {}
        chapters: dict[str, list[str]] = {}
        for r in s.execute(stmt):
            if r.id not in out:
                arrived = r.arrived_at
                out[r.id] = ReleaseRecord(
                    r.id,
                    r.kind,
                    r.declaration_date,
                    r.lane,
                    r.office,
                    r.mode,
                    (),
                    r.trader_id,
                    r.source,
                    as_utc(r.created_at),
                    as_utc(arrived) if isinstance(arrived, datetime) else None,
                    as_utc(r.updated_at),
                )
                chapters[r.id] = []
            if r.chapter not in chapters[r.id]:
                chapters[r.id].append(r.chapter)
        return [
            ReleaseRecord(**{**_fields(rec), "chapters": tuple(chapters[rec.declaration_id])})
            for rec in out.values()
        ]


def _fields(rec: ReleaseRecord) -> dict[str, Any]:
    return {name: getattr(rec, name) for name in ReleaseRecord.__slots__}


def declarant_counts(
    uow: UnitOfWork,
    economy: str,
    by: str,
    date_from: date,
    date_to: date,
    kinds: Sequence[str] = (Kind.IMPORT.value, Kind.EXPORT.value),
) -> dict[str, int]:
    """Distinct declarants per value of ``by`` (one of :data:`CELL_DIMENSIONS`, or ``total``)."""
    D, item = DeclarationRow, DeclarationItemRow
    keys: dict[str, Any] = {
        "partner": _partner(),
        "hs2": func.substr(item.hs_code, 1, 2),
        "hs4": func.substr(item.hs_code, 1, 4),
        "hs6": func.substr(item.hs_code, 1, 6),
        "mode": _mode(),
        "office": D.office,
        "kind": D.kind,
        "total": literal("total"),
    }
    if by not in keys:
        raise ValueError(f"cannot count declarants by {by!r}")
    with uow:
        key = keys[by].label("key")
        stmt = (
            select(key, func.count(func.distinct(D.declarant_id)).label("n"))
            .join(item, item.declaration_id == D.id)
            .where(*_counted(economy, date_from, date_to), D.kind.in_(list(kinds)))
            .group_by(key)
        )
        return {str(r.key): int(r.n) for r in uow.session.execute(stmt)}


def cleared_descriptions(
    uow: UnitOfWork, economy: str, *, limit: int = 100_000
) -> list[tuple[str, str]]:
    """(goods description, declared HS code) of every item of ``economy``'s released
    declarations (at most ``limit`` declarations, oldest first): cleared goods, what HS
    classification learns from."""
    with uow:
        stmt = (
            select(DeclarationRow.document)
            .where(
                DeclarationRow.economy == economy.upper(),
                DeclarationRow.status == Status.RELEASED.value,
            )
            .order_by(DeclarationRow.declaration_date, DeclarationRow.id)
            .limit(limit)
        )
        out: list[tuple[str, str]] = []
        for document in uow.session.scalars(stmt):
            for item in (document or {}).get("items") or []:
                description = str(item.get("description") or "").strip()
                code = "".join(ch for ch in str(item.get("hs_code") or "") if ch.isdigit())
                if description and len(code) >= 6:
                    out.append((description, code[:6]))
        return out


ITEM_COLUMNS: tuple[str, ...] = (
    "declaration_id", "reference", "declaration_date", "office",
    "national_process_type", "national_import_type", "national_import_use",
    "national_payment_type", "national_transport_mode_code", "transport_mode",
    "declarant_id", "importer_id", "seller_id", "courier_id", "exporter_id", "buyer_id",
    "line_no", "hs_code", "departure_country", "origin_country",
    "first_declared_duty_rate", "preference", "first_origin_indicator",
    "net_mass_kg", "invoice_value", "fraud", "critical",
)  # fmt: skip
"""The columns of :func:`declaration_items`, in order. ``national_*``: the national fields of
the document (text); parties by their ids; ``first_declared_duty_rate`` and
``first_origin_indicator``: the document's first item's (text); ``fraud`` / ``critical``: 1
when any recorded inspection found fraud (critical fraud), 0 when inspections found none, None
when the declaration was never inspected."""


@dataclass(frozen=True, slots=True)
class ItemTable:
    """Rows of plain values and their column names: a bulk read that goes straight into a data
    frame (``pandas.DataFrame.from_records(table.rows, columns=table.columns)``)."""

    columns: tuple[str, ...]
    rows: Sequence[tuple[Any, ...]]


def _items_query(
    economy: str,
    since: date | None,
    until: date | None,
    inspected_only: bool,
    first_item_only: bool,
) -> Any:
    D, item, ins = DeclarationRow, DeclarationItemRow, InspectionResultRow
    outcomes = (
        select(
            ins.declaration_id.label("declaration_id"),
            func.max(case((ins.fraud, 1), else_=0)).label("fraud"),
            func.max(case((and_(ins.fraud, ins.critical), 1), else_=0)).label("critical"),
        )
        .where(ins.economy == economy)
        .group_by(ins.declaration_id)
        .subquery()
    )
    # JSON fields are extracted by the database (one select, no document parsed per row).
    columns: dict[str, Any] = {
        "declaration_id": D.id,
        "reference": D.reference,
        "declaration_date": D.declaration_date,
        "office": D.office,
        "national_process_type": _json(("national", "process_type")),
        "national_import_type": _json(("national", "import_type")),
        "national_import_use": _json(("national", "import_use")),
        "national_payment_type": _json(("national", "payment_type")),
        "national_transport_mode_code": _json(("national", "transport_mode_code")),
        "transport_mode": _json(("transport_mode",)),
        "declarant_id": D.declarant_id,
        "importer_id": _json(("importer", "id")),
        "seller_id": _json(("seller", "id")),
        "courier_id": _json(("courier", "id")),
        "exporter_id": _json(("exporter", "id")),
        "buyer_id": _json(("buyer", "id")),
        "line_no": item.line_no,
        "hs_code": item.hs_code,
        "departure_country": _json(("departure_country",)),
        "origin_country": item.origin_country,
        "first_declared_duty_rate": _json(("items", 0, "declared_duty_rate")),
        "preference": item.preference,
        "first_origin_indicator": _json(("items", 0, "origin_indicator")),
        "net_mass_kg": item.net_mass_kg,
        "invoice_value": item.invoice_value,
        "fraud": outcomes.c.fraud,
        "critical": outcomes.c.critical,
    }
    assert tuple(columns) == ITEM_COLUMNS
    stmt = (
        select(*(c.label(name) for name, c in columns.items()))
        .join(item, item.declaration_id == D.id)
        .outerjoin(outcomes, outcomes.c.declaration_id == D.id)
        .where(D.economy == economy)
    )
    if first_item_only:
        stmt = stmt.where(item.line_no == 1)
    if since is not None:
        stmt = stmt.where(D.declaration_date >= since)
    if until is not None:
        stmt = stmt.where(D.declaration_date < until)
    if inspected_only:
        stmt = stmt.where(outcomes.c.fraud.is_not(None))
    return stmt.order_by(D.declaration_date, D.id, item.line_no)


def declaration_items(
    uow: UnitOfWork,
    economy: str,
    *,
    since: date | None = None,
    until: date | None = None,
    inspected_only: bool = False,
    first_item_only: bool = False,
) -> ItemTable:
    """The economy's declarations dated in [since, until) with their items and inspection
    results, one row per item (:data:`ITEM_COLUMNS`), by declaration date, id and line number.

    ``inspected_only``: only declarations with a recorded inspection result;
    ``first_item_only``: only each declaration's first item (line 1).
    """
    stmt = _items_query(economy.upper(), since, until, inspected_only, first_item_only)
    with uow:
        rows = uow.session.execute(stmt).all()
    return ItemTable(ITEM_COLUMNS, rows)


def recent_lane_scores(
    uow: UnitOfWork,
    economy: str,
    *,
    before: date,
    assessed_since: datetime | None,
    limit: int,
) -> list[tuple[float, str | None]]:
    """(lane score, trader id) of the economy's ``limit`` most recent declarations dated before
    ``before`` that have a lane score and were stored at or after ``assessed_since``, oldest
    first."""
    D = DeclarationRow
    stmt = select(D.lane_score, D.trader_id).where(
        D.economy == economy.upper(), D.declaration_date < before, D.lane_score.is_not(None)
    )
    if assessed_since is not None:
        stmt = stmt.where(D.created_at >= assessed_since)
    stmt = stmt.order_by(D.declaration_date.desc(), D.created_at.desc(), D.id.desc()).limit(limit)
    with uow:
        rows = uow.session.execute(stmt).all()
    return [(float(score), trader) for score, trader in reversed(rows) if score is not None]


def rule_items(declaration: Declaration, declaration_id: str = "") -> list[dict[str, Any]]:
    """The items of ``declaration`` (stored or not) as the item records the rule engine
    (``smartcustoms.selectivity``) evaluates, in its column names, first item first."""
    d = declaration
    base: dict[str, Any] = {
        "declaration_id": declaration_id or d.reference,
        "office": d.office,
        "departure_country": d.departure_country or "",
        "declarant_id": d.declarant.id,
        "importer_id": d.importer.id if d.importer else "",
        "seller_id": d.seller.id if d.seller else "",
        "courier_id": d.courier.id if d.courier else "",
        "exporter_id": d.exporter.id if d.exporter else "",
        "buyer_id": d.buyer.id if d.buyer else "",
    }
    return [
        base
        | {
            "line_no": n,
            "hs_code": it.hs_code,
            "origin_country": it.origin_country,
            "net_mass_kg": float(it.net_mass_kg),
            "item_value": float(it.invoice_value),
        }
        for n, it in enumerate(d.items, start=1)
    ]
