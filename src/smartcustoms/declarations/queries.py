"""The read API other features use, in the declarations' own vocabulary."""

from __future__ import annotations

from sqlalchemy import select

from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations.model import Status
from smartcustoms.declarations.tables import DeclarationRow

__all__ = ["cleared_descriptions"]


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
