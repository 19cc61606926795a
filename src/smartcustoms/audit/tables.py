"""ORM mapping of the audit trail: the chain links and each chain's head."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smartcustoms.db.base import Base, UTCDateTime

__all__ = ["AuditEntryRow", "AuditHeadRow"]


class AuditEntryRow(Base):
    """One link of an economy's hash chain. ``body`` is the canonical JSON that is hashed;
    the other columns repeat parts of it for queries and must agree with it."""

    __tablename__ = "audit_entries"
    __table_args__ = (UniqueConstraint("chain", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chain: Mapped[str] = mapped_column(String(8))
    seq: Mapped[int] = mapped_column(Integer)
    entity_kind: Mapped[str] = mapped_column(String(24))
    entity_id: Mapped[str] = mapped_column(String(40), index=True)
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    body: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """The last link of each chain: locked while appending, so writers queue up instead of
    forking the chain; it also reveals entries cut off the end."""

    __tablename__ = "audit_heads"

    chain: Mapped[str] = mapped_column(String(8), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
