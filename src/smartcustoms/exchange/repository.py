"""Queries of the exchange feature; never commits (the service owns the transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from smartcustoms.exchange.tables import (
    InboxRow,
    OutboxRow,
    PartnerKeyRow,
    PartnerRow,
    PreArrivalRow,
    RefusalRow,
    SigningKeyRow,
)

__all__ = ["ExchangeRepository"]


class ExchangeRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: object) -> None:
        self.session.add(row)

    # --- own keys ------------------------------------------------------------------------------
    def own_keys(self, economy: str) -> Sequence[SigningKeyRow]:
        stmt = (
            select(SigningKeyRow)
            .where(SigningKeyRow.economy == economy)
            .order_by(SigningKeyRow.created_at.desc(), SigningKeyRow.kid)
        )
        return self.session.scalars(stmt).all()

    def own_key(self, economy: str, kid: str) -> SigningKeyRow | None:
        row = self.session.get(SigningKeyRow, kid)
        return row if row is not None and row.economy == economy else None

    def active_own_key(self, economy: str, *, lock: bool = False) -> SigningKeyRow | None:
        stmt = (
            select(SigningKeyRow)
            .where(SigningKeyRow.economy == economy, SigningKeyRow.status == "active")
            .order_by(SigningKeyRow.created_at.desc())
            .limit(1)
        )
        if lock:
            stmt = stmt.with_for_update()
        return self.session.scalars(stmt).first()

    def economies_with_keys(self) -> set[str]:
        stmt = select(SigningKeyRow.economy).where(SigningKeyRow.status == "active").distinct()
        return set(self.session.scalars(stmt).all())

    # --- partners ------------------------------------------------------------------------------
    def partner(self, economy: str, partner: str) -> PartnerRow | None:
        return self.session.get(PartnerRow, (economy, partner))

    def partners(self, economy: str) -> Sequence[PartnerRow]:
        stmt = select(PartnerRow).where(PartnerRow.economy == economy).order_by(PartnerRow.partner)
        return self.session.scalars(stmt).all()

    def partner_keys(self, economy: str, partner: str) -> Sequence[PartnerKeyRow]:
        stmt = (
            select(PartnerKeyRow)
            .where(PartnerKeyRow.economy == economy, PartnerKeyRow.partner == partner)
            .order_by(PartnerKeyRow.not_before.desc(), PartnerKeyRow.kid)
        )
        return self.session.scalars(stmt).all()

    def partner_key(self, economy: str, partner: str, kid: str) -> PartnerKeyRow | None:
        return self.session.get(PartnerKeyRow, (economy, partner, kid))

    # --- outbox --------------------------------------------------------------------------------
    def outbox(self, economy: str, status: str | None, limit: int) -> Sequence[OutboxRow]:
        stmt = select(OutboxRow).where(OutboxRow.economy == economy)
        if status:
            stmt = stmt.where(OutboxRow.status == status)
        return self.session.scalars(stmt.order_by(OutboxRow.created_at.desc()).limit(limit)).all()

    def outbox_message(self, economy: str, message_id: str) -> OutboxRow | None:
        row = self.session.get(OutboxRow, message_id)
        return row if row is not None and row.economy == economy else None

    def due(self, now: datetime, economy: str | None, limit: int) -> Sequence[str]:
        stmt = select(OutboxRow.id).where(
            OutboxRow.status == "pending",
            or_(OutboxRow.next_attempt_at.is_(None), OutboxRow.next_attempt_at <= now),
        )
        if economy:
            stmt = stmt.where(OutboxRow.economy == economy)
        stmt = stmt.order_by(OutboxRow.created_at).limit(limit)
        return self.session.scalars(stmt).all()

    def lock_outbox(self, message_id: str) -> OutboxRow | None:
        stmt = select(OutboxRow).where(OutboxRow.id == message_id).with_for_update(skip_locked=True)
        return self.session.scalars(stmt).first()

    def outbox_counts(self, economy: str) -> dict[str, int]:
        stmt = (
            select(OutboxRow.status, func.count())
            .where(OutboxRow.economy == economy)
            .group_by(OutboxRow.status)
        )
        return {str(s): int(n) for s, n in self.session.execute(stmt).all()}

    def sent_subjects(self, economy: str, type_: str) -> set[str]:
        stmt = select(OutboxRow.subject).where(
            OutboxRow.economy == economy, OutboxRow.type == type_, OutboxRow.subject.is_not(None)
        )
        return {s for s in self.session.scalars(stmt).all() if s}

    # --- inbox ---------------------------------------------------------------------------------
    def inbox_message(self, economy: str, sender: str, message_id: str) -> InboxRow | None:
        stmt = select(InboxRow).where(
            InboxRow.economy == economy,
            InboxRow.sender == sender,
            InboxRow.message_id == message_id,
        )
        return self.session.scalars(stmt).first()

    def inbox(self, economy: str, type_: str | None, limit: int) -> Sequence[InboxRow]:
        stmt = select(InboxRow).where(InboxRow.economy == economy)
        if type_:
            stmt = stmt.where(InboxRow.type == type_)
        return self.session.scalars(stmt.order_by(InboxRow.received_at.desc()).limit(limit)).all()

    def refusals(self, economy: str | None, limit: int) -> Sequence[RefusalRow]:
        stmt = select(RefusalRow)
        if economy:
            stmt = stmt.where(RefusalRow.economy == economy)
        return self.session.scalars(stmt.order_by(RefusalRow.received_at.desc()).limit(limit)).all()

    # --- pre-arrival ---------------------------------------------------------------------------
    def pre_arrival_by_reference(
        self, economy: str, sender: str, export_reference: str
    ) -> PreArrivalRow | None:
        stmt = select(PreArrivalRow).where(
            PreArrivalRow.economy == economy,
            PreArrivalRow.sender == sender,
            PreArrivalRow.export_reference == export_reference,
        )
        return self.session.scalars(stmt).first()

    def pre_arrivals(self, economy: str, limit: int = 200) -> Sequence[PreArrivalRow]:
        stmt = (
            select(PreArrivalRow)
            .where(PreArrivalRow.economy == economy)
            .order_by(PreArrivalRow.received_at.desc())
            .limit(limit)
        )
        return self.session.scalars(stmt).all()

    def unmatched_pre_arrivals(
        self, economy: str, sender: str | None, consignee_id: str | None
    ) -> Sequence[PreArrivalRow]:
        stmt = select(PreArrivalRow).where(
            PreArrivalRow.economy == economy, PreArrivalRow.matched_declaration_id.is_(None)
        )
        if sender:
            stmt = stmt.where(PreArrivalRow.sender == sender)
        if consignee_id:
            stmt = stmt.where(PreArrivalRow.consignee_id == consignee_id)
        return self.session.scalars(stmt.order_by(PreArrivalRow.received_at)).all()

    def pre_arrival_for_declaration(
        self, economy: str, declaration_id: str
    ) -> PreArrivalRow | None:
        stmt = select(PreArrivalRow).where(
            PreArrivalRow.economy == economy,
            PreArrivalRow.matched_declaration_id == declaration_id,
        )
        return self.session.scalars(stmt).first()
