"""ORM mapping of the exchange feature: own signing keys (sealed), partners and their public
keys, the outbox, the inbox, refusals, and what the messages carry (pre-arrival data,
certificates of origin, AEO registry and mutual recognition arrangements, risk alerts)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smartcustoms.db.base import Base, UTCDateTime


class SigningKeyRow(Base):
    """One of this installation's Ed25519 keys for an economy; the private part sealed."""

    __tablename__ = "exchange_signing_keys"
    __table_args__ = (Index("ix_exchange_signing_keys_economy_status", "economy", "status"),)

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    economy: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(12))  # active | retired | revoked
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    sealed_private_key: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class PartnerRow(Base):
    """A partner administration as one home economy knows it."""

    __tablename__ = "exchange_partners"

    economy: Mapped[str] = mapped_column(String(2), primary_key=True)
    partner: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    endpoint: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(12))  # active | suspended
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    keys_refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    """When a message naming an unknown key last made us fetch the partner's JWKS (rate
    limit of automatic refreshes)."""


class PartnerKeyRow(Base):
    """A partner's public key with its validity period and status."""

    __tablename__ = "exchange_partner_keys"

    economy: Mapped[str] = mapped_column(String(2), primary_key=True)
    partner: Mapped[str] = mapped_column(String(2), primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12))
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboxRow(Base):
    """A signed message waiting for (or done with) delivery; survives restarts."""

    __tablename__ = "exchange_outbox"
    __table_args__ = (
        Index("ix_exchange_outbox_status_next", "status", "next_attempt_at"),
        Index("ix_exchange_outbox_economy_subject", "economy", "type", "subject"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the message id
    economy: Mapped[str] = mapped_column(String(2))
    recipient: Mapped[str] = mapped_column(String(2))
    type: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(64), nullable=True)
    token: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    receipt: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class InboxRow(Base):
    """An accepted message; (economy, sender, message id) is unique, which stops replays."""

    __tablename__ = "exchange_inbox"
    __table_args__ = (
        UniqueConstraint("economy", "sender", "message_id"),
        Index("ix_exchange_inbox_economy_type", "economy", "type"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    economy: Mapped[str] = mapped_column(String(2))
    sender: Mapped[str] = mapped_column(String(2))
    message_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(40))
    kid: Mapped[str] = mapped_column(String(64))
    created: Mapped[datetime] = mapped_column(UTCDateTime())
    expires: Mapped[datetime] = mapped_column(UTCDateTime())
    in_reply_to: Mapped[str | None] = mapped_column(String(64), nullable=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    token: Mapped[str] = mapped_column(Text)
    token_digest: Mapped[str] = mapped_column(String(64))
    receipt: Mapped[str | None] = mapped_column(Text, nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RefusalRow(Base):
    """A message that failed a check: recorded with its reason, never acted on."""

    __tablename__ = "exchange_refusals"
    __table_args__ = (Index("ix_exchange_refusals_economy_received", "economy", "received_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    economy: Mapped[str | None] = mapped_column(String(2), nullable=True)
    sender: Mapped[str | None] = mapped_column(String(2), nullable=True)
    message_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reason: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text)
    token_digest: Mapped[str] = mapped_column(String(64))
    token: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PreArrivalRow(Base):
    """Export data set received from a partner, waiting for (or matched to) an import."""

    __tablename__ = "exchange_pre_arrival"
    __table_args__ = (
        UniqueConstraint("economy", "sender", "export_reference"),
        Index("ix_exchange_pre_arrival_economy_matched", "economy", "matched_declaration_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    economy: Mapped[str] = mapped_column(String(2))
    sender: Mapped[str] = mapped_column(String(2))
    message_id: Mapped[str] = mapped_column(String(64))
    export_reference: Mapped[str] = mapped_column(String(64))
    exporter_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    consignee_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    departure_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    matched_declaration_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    comparison: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class CertificateRow(Base):
    """An electronic certificate of origin, as issued here or as received from a partner."""

    __tablename__ = "exchange_certificates"
    __table_args__ = (Index("ix_exchange_certificates_importing", "importing_economy", "status"),)

    economy: Mapped[str] = mapped_column(String(2), primary_key=True)
    """The economy that keeps this copy (the issuer for ``issued``, the importer for
    ``received``)."""
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    role: Mapped[str] = mapped_column(String(10))  # issued | received
    issuer: Mapped[str] = mapped_column(String(2))
    importing_economy: Mapped[str] = mapped_column(String(2))
    export_reference: Mapped[str | None] = mapped_column(String(64), nullable=True)
    exporter_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    importer_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(10))  # valid | revoked
    credential: Mapped[dict[str, Any]] = mapped_column(JSON)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class PolicyRow(Base):
    """An economy's exchange policy (what it requires of partners' documents)."""

    __tablename__ = "exchange_policies"

    economy: Mapped[str] = mapped_column(String(2), primary_key=True)
    certificate_required_for_preference: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AeoRow(Base):
    """An Authorised Economic Operator: this economy's own, or a partner's (by status message)."""

    __tablename__ = "exchange_aeo"

    economy: Mapped[str] = mapped_column(String(2), primary_key=True)
    authority: Mapped[str] = mapped_column(String(2), primary_key=True)
    """The economy whose customs authorised the operator."""
    trader_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12))  # active | suspended | revoked
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    message_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """The signed status message that confirmed a partner's operator."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MraRow(Base):
    """A mutual recognition arrangement between this economy and a partner."""

    __tablename__ = "exchange_mras"

    economy: Mapped[str] = mapped_column(String(2), primary_key=True)
    partner: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    signed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    scope: Mapped[str] = mapped_column(String(12))  # imports | exports | both
    status: Mapped[str] = mapped_column(String(12))  # active | suspended
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RiskAlertRow(Base):
    """A risk alert received from (or sent to) a partner administration."""

    __tablename__ = "exchange_risk_alerts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    economy: Mapped[str] = mapped_column(String(2), index=True)
    direction: Mapped[str] = mapped_column(String(8))  # sent | received
    partner: Mapped[str] = mapped_column(String(2))
    message_id: Mapped[str] = mapped_column(String(64))
    alert: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    rule_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    """The selectivity rule an analyst made of it, when one was."""
