"""Tables the storage layer itself owns (not a feature's)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from smartcustoms.db.base import Base, UTCDateTime


class ChangeStampRow(Base):
    """A random token per named piece of derived data (``tariff:KR``, ``cases:published``),
    replaced in the same transaction as every change to what it is derived from: a worker's
    cache is valid while the token it was built under is still the stored one (see
    :mod:`smartcustoms.db.cache`)."""

    __tablename__ = "change_stamps"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
