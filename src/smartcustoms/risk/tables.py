"""ORM mapping of the risk feature: selectivity rules (versioned), watch lists, the model
registry, inspection budgets and trusted traders (AEO)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from smartcustoms.db.base import Base, UTCDateTime


class RuleRow(Base):
    """A selectivity rule; its definition lives in versions (each edit adds one)."""

    __tablename__ = "risk_rules"
    __table_args__ = (Index("ix_risk_rules_economy_status", "economy", "status"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    economy: Mapped[str] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(12))  # draft | active | retired
    version: Mapped[int] = mapped_column(Integer)  # the current version
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RuleVersionRow(Base):
    __tablename__ = "risk_rule_versions"

    rule_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("risk_rules.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WatchlistEntryRow(Base):
    """A party on a named watch list; rules refer to lists by name."""

    __tablename__ = "risk_watchlist_entries"

    economy: Mapped[str] = mapped_column(String(2), primary_key=True)
    watchlist: Mapped[str] = mapped_column(String(60), primary_key=True)
    party_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    note: Mapped[str] = mapped_column(Text)
    added_by: Mapped[str] = mapped_column(String(40))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ModelRow(Base):
    """A trained model: files under ``files_dir/models/<economy>/<version>``, facts here."""

    __tablename__ = "risk_models"
    __table_args__ = (Index("ix_risk_models_economy_status", "economy", "status"),)

    version: Mapped[str] = mapped_column(String(40), primary_key=True)
    economy: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(12))  # candidate | active | retired
    directory: Mapped[str] = mapped_column(Text)
    features: Mapped[list[str]] = mapped_column(JSON)
    training_from: Mapped[date] = mapped_column(Date)
    training_to: Mapped[date] = mapped_column(Date)
    training_rows: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    thresholds: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(40))  # database | file
    note: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class BudgetRow(Base):
    __tablename__ = "risk_budgets"

    economy: Mapped[str] = mapped_column(String(2), primary_key=True)
    red: Mapped[float] = mapped_column(Float)
    yellow: Mapped[float] = mapped_column(Float)
    exploration: Mapped[float] = mapped_column(Float)
    aeo_factor: Mapped[float] = mapped_column(Float)
    # How many recent scores the lane thresholds follow (0: fixed at the model's calibration).
    window: Mapped[int] = mapped_column(Integer, server_default=text("2000"))
    updated_by: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AeoTraderRow(Base):
    """Trusted traders; the exchange feature's AEO registry will own this later."""

    __tablename__ = "risk_aeo_traders"

    economy: Mapped[str] = mapped_column(String(2), primary_key=True)
    trader_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    note: Mapped[str] = mapped_column(Text)
    added_by: Mapped[str] = mapped_column(String(40))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
