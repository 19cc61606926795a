"""The read API other features use to see declarations (never their tables).

Every function is scoped to one economy: a caller never sees another economy's declarations.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations.document import from_document
from smartcustoms.declarations.model import Declaration, Kind, Status
from smartcustoms.declarations.tables import DeclarationRow

__all__ = ["DeclarationView", "find", "imports_from", "released_exports"]


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
