"""ORM mapping of declarations, items, versions, inspection results, import batches and
supporting documents."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from smartcustoms.db.base import Base, UTCDateTime
from smartcustoms.db.types import Amount


class DeclarationRow(Base):
    __tablename__ = "declarations"
    __table_args__ = (
        # Idempotency: a declarant's own reference is unique per declarant (and economy).
        UniqueConstraint("economy", "lodged_by", "reference"),
        Index("ix_declarations_economy_date", "economy", "declaration_date"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    economy: Mapped[str] = mapped_column(String(2))
    lodged_by: Mapped[str] = mapped_column(String(40), index=True)
    reference: Mapped[str] = mapped_column(String(64))
    submission_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(24), index=True)
    lane: Mapped[str | None] = mapped_column(String(8))
    lane_score: Mapped[float | None] = mapped_column(Float)
    lane_reasons: Mapped[list[str]] = mapped_column(JSON)
    # The rest of the lane decision (see model.LaneDecision): explanations are
    # [{"feature", "contribution", "text"}, ...].
    lane_model_version: Mapped[str | None] = mapped_column(String(64))
    lane_rules_fired: Mapped[list[str] | None] = mapped_column(JSON)
    lane_explanations: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)
    declaration_date: Mapped[date] = mapped_column(Date)
    office: Mapped[str] = mapped_column(String(20))
    declarant_id: Mapped[str] = mapped_column(String(64), index=True)
    trader_id: Mapped[str | None] = mapped_column(String(64), index=True)
    partner_id: Mapped[str | None] = mapped_column(String(64))
    invoice_currency: Mapped[str] = mapped_column(String(3))
    currency: Mapped[str | None] = mapped_column(String(3))
    customs_value: Mapped[Decimal | None] = mapped_column(Amount())
    duty_total: Mapped[Decimal | None] = mapped_column(Amount())
    tax_total: Mapped[Decimal | None] = mapped_column(Amount())
    total_due: Mapped[Decimal | None] = mapped_column(Amount())
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    assessment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(40))
    batch_id: Mapped[str | None] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeclarationItemRow(Base):
    """Items again, flat, so lists and statistics can filter on HS code and origin."""

    __tablename__ = "declaration_items"

    declaration_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("declarations.id", ondelete="CASCADE"), primary_key=True
    )
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    hs_code: Mapped[str] = mapped_column(String(10), index=True)
    origin_country: Mapped[str] = mapped_column(String(2), index=True)
    preference: Mapped[str | None] = mapped_column(String(12))
    net_mass_kg: Mapped[Decimal] = mapped_column(Amount())
    invoice_value: Mapped[Decimal] = mapped_column(Amount())
    customs_value: Mapped[Decimal | None] = mapped_column(Amount())
    duty: Mapped[Decimal | None] = mapped_column(Amount())


class DeclarationVersionRow(Base):
    """A superseded version, kept when a declaration is amended."""

    __tablename__ = "declaration_versions"

    declaration_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("declarations.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    assessment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    superseded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    superseded_by: Mapped[str] = mapped_column(String(40))


class InspectionResultRow(Base):
    """What an inspection found: the labels the risk model learns from."""

    __tablename__ = "declaration_inspections"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    declaration_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("declarations.id", ondelete="CASCADE"), index=True
    )
    economy: Mapped[str] = mapped_column(String(2), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    fraud: Mapped[bool] = mapped_column(Boolean)
    critical: Mapped[bool] = mapped_column(Boolean)
    revenue_adjustment: Mapped[Decimal | None] = mapped_column(Amount())
    notes: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(40))


BATCH_LOADING = "loading"
BATCH_COMPLETE = "complete"


class ImportBatchRow(Base):
    __tablename__ = "declaration_import_batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    economy: Mapped[str] = mapped_column(String(2))
    profile: Mapped[str] = mapped_column(String(40))
    file_name: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    stored: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), server_default=BATCH_COMPLETE)
    """``loading`` while its chunks are being stored (resumable), then ``complete``."""
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AssessorConfigRow(Base):
    __tablename__ = "declaration_assessor_configs"

    economy: Mapped[str] = mapped_column(String(2), primary_key=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeclarationDocumentRow(Base):
    """A supporting document of a declaration: the facts here, the bytes in the file store
    under ``storage_key`` (built from the economy and this row's id, never from user input)."""

    __tablename__ = "declaration_documents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    economy: Mapped[str] = mapped_column(String(2))
    declaration_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("declarations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(24))
    filename: Mapped[str] = mapped_column(String(160))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text)
    uploaded_by: Mapped[str] = mapped_column(String(40))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
