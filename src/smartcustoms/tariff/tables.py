"""ORM mapping of tariff schedules (migration 0003)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smartcustoms.db.base import Base, UTCDateTime
from smartcustoms.db.types import Amount


class TariffScheduleRow(Base):
    __tablename__ = "tariff_schedules"

    economy: Mapped[str] = mapped_column(String(2), primary_key=True)
    vat_rate: Mapped[Decimal] = mapped_column(Amount())
    de_minimis_amount: Mapped[Decimal | None] = mapped_column(Amount())
    de_minimis_currency: Mapped[str | None] = mapped_column(String(3))
    de_minimis_scope: Mapped[str] = mapped_column(String(16))
    default_rate_type: Mapped[str] = mapped_column(String(12))
    source: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TariffLineRow(Base):
    __tablename__ = "tariff_lines"
    __table_args__ = (UniqueConstraint("economy", "rate_type", "hs_prefix"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    economy: Mapped[str] = mapped_column(String(2), index=True)
    hs_prefix: Mapped[str] = mapped_column(String(10))
    rate_type: Mapped[str] = mapped_column(String(12))
    ad_valorem: Mapped[Decimal] = mapped_column(Amount())
    specific_amount: Mapped[Decimal | None] = mapped_column(Amount())
    specific_unit: Mapped[str | None] = mapped_column(String(4))
    origins: Mapped[str] = mapped_column(Text)  # space-separated ISO codes; "" = any origin
    description: Mapped[str] = mapped_column(Text)
