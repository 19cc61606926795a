"""ORM mapping of the risk feature: selectivity rules (versioned), watch lists, the model
registry, inspection budgets and trusted traders (AEO), the selection record of every lodged
declaration, the exploration bandit's state and the model updates partners sent."""

from __future__ import annotations

from datetime import date, datetime
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
    text,
)
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
    # How the exploration share is drawn: exploit | random | diverse | adaptive.
    strategy: Mapped[str] = mapped_column(String(12), server_default=text("'random'"))
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


class SelectionRow(Base):
    """How the lane selector chose one lodged declaration: the probability it had of being
    sent to control (its propensity) and whether the exploration draw sent it. The labels of
    controlled declarations weighted by ``1 / propensity`` give unbiased estimates.

    No foreign key to the declaration: the row is written by the assessor inside the lodging
    transaction, before the declaration row itself is inserted."""

    __tablename__ = "risk_selections"
    __table_args__ = (Index("ix_risk_selections_economy_declared_on", "economy", "declared_on"),)

    declaration_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    economy: Mapped[str] = mapped_column(String(2))
    declared_on: Mapped[date] = mapped_column(Date)
    strategy: Mapped[str] = mapped_column(String(12))
    exploration_rate: Mapped[float] = mapped_column(Float)  # the budget's share at the time
    score: Mapped[float | None] = mapped_column(Float)
    lane: Mapped[str] = mapped_column(String(8))
    controlled: Mapped[bool] = mapped_column(Boolean)  # yellow or red
    propensity: Mapped[float] = mapped_column(Float)  # chance of control before any draw
    exploration: Mapped[float] = mapped_column(Float)  # chance of the exploration draw
    explored: Mapped[bool] = mapped_column(Boolean)  # sent to red by the exploration draw
    model_version: Mapped[str | None] = mapped_column(String(40))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ExplorationTuningRow(Base):
    """The adaptive strategy's bandit for one economy: discounted plays and rewards per arm
    (exploration shares of the inspection budget) and the share in force."""

    __tablename__ = "risk_exploration_tuning"

    economy: Mapped[str] = mapped_column(String(2), primary_key=True)
    arms: Mapped[list[float]] = mapped_column(JSON)
    counts: Mapped[list[float]] = mapped_column(JSON)
    sums: Mapped[list[float]] = mapped_column(JSON)
    arm: Mapped[int] = mapped_column(Integer)  # the arm in force
    share: Mapped[float] = mapped_column(Float)  # its share of the inspection budget
    rounds: Mapped[int] = mapped_column(Integer)
    tuned_through: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PartnerUpdateRow(Base):
    """A model update a partner administration sent (a verified exchange message): its trees,
    never a declaration."""

    __tablename__ = "risk_partner_updates"
    __table_args__ = (UniqueConstraint("economy", "message_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    economy: Mapped[str] = mapped_column(String(2), index=True)  # the receiving economy
    partner: Mapped[str] = mapped_column(String(2))
    message_id: Mapped[str] = mapped_column(String(64))
    round: Mapped[int] = mapped_column(Integer)
    features: Mapped[list[str]] = mapped_column(JSON)
    training_rows: Mapped[int] = mapped_column(Integer)
    model_sha256: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
