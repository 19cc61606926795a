"""ORM mapping of e-commerce clearance: regimes, settings, manifests (jobs), parcels, items,
unit-value norms, parties' public keys and the three-order records.

Parcels and items are written in bulk by :mod:`smartcustoms.ecommerce.repository` (executemany
on SQLite, COPY on PostgreSQL), never as ORM objects; the mapping here serves reads and Alembic.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smartcustoms.db.base import Base, UTCDateTime
from smartcustoms.db.types import Amount

__all__ = [
    "EcomItemRow",
    "EcomManifestRow",
    "EcomNormRow",
    "EcomParcelRow",
    "EcomPartyKeyRow",
    "EcomRecordRow",
    "EcomRegimeRow",
    "EcomSettingsRow",
]


class EcomRegimeRow(Base):
    """A regime row an administrator added (the built-in ones live in ``regimes.py``)."""

    __tablename__ = "ecom_regimes"
    __table_args__ = (UniqueConstraint("economy", "effective_from"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    economy: Mapped[str] = mapped_column(String(2))
    effective_from: Mapped[date] = mapped_column(Date)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EcomSettingsRow(Base):
    __tablename__ = "ecom_settings"

    economy: Mapped[str] = mapped_column(String(2), primary_key=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EcomManifestRow(Base):
    """A lodged manifest, which is also its processing job (status, progress, outcome)."""

    __tablename__ = "ecom_manifests"
    __table_args__ = (UniqueConstraint("economy", "content_sha256"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    economy: Mapped[str] = mapped_column(String(2), index=True)
    lodged_by: Mapped[str] = mapped_column(String(40))
    content_sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    fmt: Mapped[str] = mapped_column(String(20))
    arrival_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    parcels: Mapped[int] = mapped_column(Integer)
    decided: Mapped[int] = mapped_column(Integer)
    bad: Mapped[int] = mapped_column(Integer)
    progress: Mapped[float] = mapped_column(Float)
    decisions: Mapped[dict[str, Any]] = mapped_column(JSON)
    errors: Mapped[list[Any]] = mapped_column(JSON)
    timings: Mapped[dict[str, Any]] = mapped_column(JSON)
    currency: Mapped[str] = mapped_column(String(3))
    duty_total: Mapped[Decimal] = mapped_column(Amount())
    tax_total: Mapped[Decimal] = mapped_column(Amount())
    decisions_file: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class EcomParcelRow(Base):
    __tablename__ = "ecom_parcels"
    __table_args__ = (
        Index("ix_ecom_parcels_economy_arrival", "economy", "arrival_date"),
        Index("ix_ecom_parcels_economy_decision", "economy", "decision", "status"),
    )

    economy: Mapped[str] = mapped_column(String(2), primary_key=True)
    waybill: Mapped[str] = mapped_column(String(40), primary_key=True)
    manifest_id: Mapped[str] = mapped_column(String(32), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    arrival_date: Mapped[date] = mapped_column(Date)
    order_no: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(64))
    carrier: Mapped[str] = mapped_column(String(64))
    seller: Mapped[str] = mapped_column(String(64))
    buyer_hash: Mapped[str] = mapped_column(String(32))
    address_hash: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(2))
    hs_main: Mapped[str] = mapped_column(String(6))
    items: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    value: Mapped[Decimal] = mapped_column(Amount())
    freight: Mapped[Decimal] = mapped_column(Amount())
    insurance: Mapped[Decimal] = mapped_column(Amount())
    gross_weight: Mapped[float] = mapped_column(Float)
    vendor_tax_id: Mapped[str] = mapped_column(String(40))
    duty: Mapped[Decimal] = mapped_column(Amount())
    tax: Mapped[Decimal] = mapped_column(Amount())
    decision: Mapped[str] = mapped_column(String(8))
    score: Mapped[float] = mapped_column(Float)
    signals: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    result: Mapped[str | None] = mapped_column(String(20))
    result_note: Mapped[str | None] = mapped_column(Text)
    result_by: Mapped[str | None] = mapped_column(String(40))
    result_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class EcomItemRow(Base):
    """Items with their duty and tax: the itemised assessment of each parcel."""

    __tablename__ = "ecom_items"

    economy: Mapped[str] = mapped_column(String(2), primary_key=True)
    waybill: Mapped[str] = mapped_column(String(40), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    description: Mapped[str] = mapped_column(Text)
    hs_code: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[float] = mapped_column(Float)
    unit_price: Mapped[Decimal] = mapped_column(Amount())
    currency: Mapped[str] = mapped_column(String(3))
    origin: Mapped[str] = mapped_column(String(2))
    value: Mapped[Decimal] = mapped_column(Amount())
    duty: Mapped[Decimal] = mapped_column(Amount())
    tax: Mapped[Decimal] = mapped_column(Amount())


class EcomNormRow(Base):
    """Typical unit price per HS subheading (log USD per unit) learned from stored parcels."""

    __tablename__ = "ecom_norms"

    economy: Mapped[str] = mapped_column(String(2), primary_key=True)
    hs6: Mapped[str] = mapped_column(String(6), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    log_usd: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EcomPartyKeyRow(Base):
    """An Ed25519 public key registered for a platform, payment provider or carrier."""

    __tablename__ = "ecom_party_keys"

    economy: Mapped[str] = mapped_column(String(2), primary_key=True)
    party_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    public_key: Mapped[str] = mapped_column(String(80))
    registered_by: Mapped[str] = mapped_column(String(40))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EcomRecordRow(Base):
    """One signed order, payment or waybill record, matched to the others on ``order_no``."""

    __tablename__ = "ecom_records"

    economy: Mapped[str] = mapped_column(String(2), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    order_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    party_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    signature: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10))  # accepted, refused
    reason: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
