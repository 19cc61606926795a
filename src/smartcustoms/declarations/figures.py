"""Today's figures for the role home pages: lanes given since a moment, inspection hit rate.

Read-only, scoped to one economy (the caller's); the officer's queue length comes from
``service.status_counts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations.tables import DeclarationRow, InspectionResultRow

__all__ = ["HitRate", "hit_rate_since", "lanes_since"]


@dataclass(frozen=True, slots=True)
class HitRate:
    inspected: int
    hits: int
    """Inspections that found fraud (a discrepancy or a seizure)."""

    @property
    def rate(self) -> float | None:
        return self.hits / self.inspected if self.inspected else None


def lanes_since(uow: UnitOfWork, principal: Principal, since: datetime) -> dict[str, int]:
    """Lane -> declarations of the caller's economy lodged since ``since`` that got it."""
    principal.require(Role.OFFICER, Role.ANALYST)
    with uow:
        rows = uow.session.execute(
            select(DeclarationRow.lane, func.count())
            .where(
                DeclarationRow.economy == principal.economy,
                DeclarationRow.created_at >= since,
                DeclarationRow.lane.is_not(None),
            )
            .group_by(DeclarationRow.lane)
        ).all()
        return {str(lane): int(n) for lane, n in rows}


def hit_rate_since(uow: UnitOfWork, principal: Principal, since: datetime) -> HitRate:
    """Inspection results recorded in the caller's economy since ``since``, and how many hit."""
    principal.require(Role.OFFICER, Role.ANALYST)
    with uow:
        inspected, hits = uow.session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((InspectionResultRow.fraud.is_(True), 1), else_=0)), 0),
            ).where(
                InspectionResultRow.economy == principal.economy,
                InspectionResultRow.recorded_at >= since,
            )
        ).one()
        return HitRate(int(inspected), int(hits))
