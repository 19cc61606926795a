"""ORM mapping of the statistics' own tables (every one starts with ``stats_``).

``stats_trade_cells`` is derived data: declaration items summed per month at the finest
grain the figures need (level ``f``: partner, HS subheading, mode, office) and at coarser
roll-up levels (see :data:`smartcustoms.stats.levels.LEVELS`; a dimension a level drops holds
``*``), rebuilt month by month from the declarations' read API whenever the declarations'
audit chain shows that a month changed (see docs/stats.md). The clustered primary key starts
with (economy, level, month), so a period at one level is one contiguous range to read.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from smartcustoms.db.base import Base, UTCDateTime
from smartcustoms.db.types import Amount

__all__ = ["StatsCellRow", "StatsPeriodRow", "StatsPublicationRow", "StatsStateRow"]


class StatsCellRow(Base):
    __tablename__ = "stats_trade_cells"
    # SQLite: store the rows in primary-key order (a period is one contiguous range).
    __table_args__ = (
        # Subheading filters (the environmental goods list) read only their codes.
        Index("ix_stats_trade_cells_hs", "economy", "level", "hs", "month"),
        {"sqlite_with_rowid": False},
    )

    economy: Mapped[str] = mapped_column(String(2), primary_key=True)
    level: Mapped[str] = mapped_column(String(3), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    partner: Mapped[str] = mapped_column(String(2), primary_key=True)
    hs: Mapped[str] = mapped_column(String(6), primary_key=True)
    """An HS code with as many digits as the level keeps (2, 4 or 6), or ``*``."""
    mode: Mapped[str] = mapped_column(String(24), primary_key=True)
    office: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[Decimal] = mapped_column(Amount())
    net_mass_kg: Mapped[Decimal] = mapped_column(Amount())
    items: Mapped[int] = mapped_column(Integer)


class StatsStateRow(Base):
    """Up to where of the economy's audit chain the cells are current."""

    __tablename__ = "stats_state"

    economy: Mapped[str] = mapped_column(String(2), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StatsPeriodRow(Base):
    """A named period an economy defines (e.g. a national plan)."""

    __tablename__ = "stats_periods"

    economy: Mapped[str] = mapped_column(String(2), primary_key=True)
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    first_month: Mapped[date] = mapped_column(Date)
    last_month: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StatsPublicationRow(Base):
    """An aggregate an economy published: a frozen, suppressed snapshot anyone may read."""

    __tablename__ = "stats_publications"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    economy: Mapped[str] = mapped_column(String(2), index=True)
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    threshold: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_by: Mapped[str] = mapped_column(String(40))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
