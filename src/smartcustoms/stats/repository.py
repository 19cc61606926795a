"""Queries on the statistics' own tables. Never commits; the service owns the transaction."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, insert, literal, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from smartcustoms.db.types import SCALE
from smartcustoms.stats.levels import LEVELS, choose
from smartcustoms.stats.tables import (
    StatsCellRow,
    StatsPeriodRow,
    StatsPublicationRow,
    StatsStateRow,
)

__all__ = ["CellFilter", "StatsRepository", "Sum"]

CHUNK = 2000


@dataclass(frozen=True, slots=True)
class CellFilter:
    kinds: tuple[str, ...] = ("import", "export")
    partners: Collection[str] | None = None
    hs_prefix: str | None = None
    hs6_in: Collection[str] | None = None
    mode: str | None = None
    office: str | None = None


@dataclass(frozen=True, slots=True)
class Sum:
    key: str
    month: date
    currency: str
    value: Decimal
    net_mass_kg: Decimal
    items: int


def _decimal(value: Any, scaled: bool) -> Decimal:
    """A SUM over an Amount column: scaled integers on SQLite, NUMERIC on PostgreSQL."""
    if value is None:
        return Decimal(0)
    return Decimal(int(value)).scaleb(-SCALE) if scaled else Decimal(value)


class StatsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- cells ---------------------------------------------------------------------------

    def replace_cells(
        self, economy: str, first: date | None, last: date | None, rows: Iterable[dict[str, Any]]
    ) -> int:
        """Drop the cells of months [first, last] (None: open) and insert ``rows`` (read in
        chunks); returns how many were inserted."""
        C = StatsCellRow
        # Naming every level lets the delete range over the primary key (economy, level, month).
        stmt = delete(C).where(C.economy == economy, C.level.in_([lv.code for lv in LEVELS]))
        if first is not None:
            stmt = stmt.where(C.month >= first)
        if last is not None:
            stmt = stmt.where(C.month <= last)
        self.session.execute(stmt)
        written = 0
        chunk: list[dict[str, Any]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= CHUNK:
                self.session.execute(insert(C), chunk)
                written, chunk = written + len(chunk), []
        if chunk:
            self.session.execute(insert(C), chunk)
            written += len(chunk)
        return written

    def sums(self, economy: str, first: date, last: date, key: str, f: CellFilter) -> list[Sum]:
        """Cells of months [first, last] summed by ``key`` (``partner``, ``hs2``/``hs4``/
        ``hs6``, ``mode``, ``office``, ``kind`` or ``total``), month and currency, read from
        the smallest roll-up level that has every dimension needed."""
        C = StatsCellRow
        digits = {"hs2": 2, "hs4": 4, "hs6": 6}.get(key, 0)
        if f.hs_prefix:
            digits = max(digits, len(f.hs_prefix))
        if f.hs6_in is not None:
            digits = 6
        level = choose(
            partner=key == "partner" or f.partners is not None,
            hs_digits=digits,
            mode_office=key in ("mode", "office") or bool(f.mode or f.office),
        )
        keys: dict[str, Any] = {
            "partner": C.partner,
            "hs2": func.substr(C.hs, 1, 2),
            "hs4": func.substr(C.hs, 1, 4),
            "hs6": C.hs,
            "mode": C.mode,
            "office": C.office,
            "kind": C.kind,
            "total": literal("total"),
        }
        k = keys[key].label("key")
        conditions: list[Any] = [
            C.economy == economy,
            C.level == level.code,
            C.month >= first,
            C.month <= last,
        ]
        if tuple(f.kinds) != ("import", "export"):
            conditions.append(C.kind.in_(list(f.kinds)))
        if f.partners is not None:
            conditions.append(C.partner.in_(sorted(f.partners)))
        if f.hs_prefix:
            conditions.append(C.hs.startswith(f.hs_prefix, autoescape=True))
        if f.hs6_in is not None:
            conditions.append(C.hs.in_(sorted(f.hs6_in)))
        if f.mode:
            conditions.append(C.mode == f.mode)
        if f.office:
            conditions.append(C.office == f.office)
        stmt = (
            select(
                k,
                C.month,
                C.currency,
                type_coerce(func.sum(C.value), NullType()).label("value"),
                type_coerce(func.sum(C.net_mass_kg), NullType()).label("mass"),
                func.sum(C.items).label("items"),
            )
            .where(*conditions)
            .group_by(k, C.month, C.currency)
        )
        # Raw sums, decoded here once per row (the Amount type's own decoding is per value
        # and normalises; thousands of sums per query make that count).
        scaled = self.session.get_bind().dialect.name == "sqlite"
        return [
            Sum(
                str(r.key),
                r.month,
                r.currency,
                _decimal(r.value, scaled),
                _decimal(r.mass, scaled),
                int(r.items),
            )
            for r in self.session.execute(stmt)
        ]

    def latest_month(self, economy: str) -> date | None:
        C = StatsCellRow
        return self.session.scalar(
            select(func.max(C.month)).where(C.economy == economy, C.level == "p")
        )

    # --- refresh state -----------------------------------------------------------------------

    def state(self, economy: str, *, lock: bool = False) -> StatsStateRow | None:
        stmt = select(StatsStateRow).where(StatsStateRow.economy == economy)
        if lock:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return self.session.scalars(stmt).one_or_none()

    def add(self, row: Any) -> None:
        self.session.add(row)

    # --- named periods -------------------------------------------------------------------------

    def periods(self, economy: str) -> list[StatsPeriodRow]:
        return list(
            self.session.scalars(
                select(StatsPeriodRow)
                .where(StatsPeriodRow.economy == economy)
                .order_by(StatsPeriodRow.first_month)
            )
        )

    def period(self, economy: str, code: str) -> StatsPeriodRow | None:
        return self.session.get(StatsPeriodRow, (economy, code))

    # --- publications --------------------------------------------------------------------------

    def publications(self, economy: str) -> list[StatsPublicationRow]:
        return list(
            self.session.scalars(
                select(StatsPublicationRow)
                .where(StatsPublicationRow.economy == economy)
                .order_by(StatsPublicationRow.published_at.desc())
            )
        )

    def publication(self, economy: str, pub_id: str) -> StatsPublicationRow | None:
        row = self.session.get(StatsPublicationRow, pub_id)
        return row if row is not None and row.economy == economy else None

    def delete_publication(self, row: StatsPublicationRow) -> None:
        self.session.delete(row)
