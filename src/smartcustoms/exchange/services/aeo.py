"""Authorised Economic Operators and mutual recognition arrangements (MRAs).

Each economy keeps its own AEO register here; its status changes are sent, signed, to every
partner it has an active MRA with, and the partner stores them (suspension and revocation
propagate the same way). An importer that is a partner's AEO under an active MRA gets the
AEO benefit in lane selection, with the reason shown (see :mod:`smartcustoms.exchange.queries`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core.clock import Clock
from smartcustoms.core.codes import is_country
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import FieldError, InvalidInput
from smartcustoms.exchange.model import Envelope, MessageType, PartnerStatus
from smartcustoms.exchange.repository import ExchangeRepository
from smartcustoms.exchange.services import messages
from smartcustoms.exchange.tables import AeoRow, MraRow

__all__ = [
    "AEO_STATUSES",
    "list_aeo",
    "list_mras",
    "receive_aeo_status",
    "record_mra",
    "set_aeo",
]

AEO_STATUSES = ("active", "suspended", "revoked")
SCOPES = ("imports", "exports", "both")


def _date(value: Any, path: str, errors: list[FieldError]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.append(FieldError(path, "invalid_date", "a date as YYYY-MM-DD"))
        return None


def _aeo(row: AeoRow) -> dict[str, Any]:
    return {
        "authority": row.authority,
        "trader_id": row.trader_id,
        "name": row.name,
        "status": row.status,
        "valid_until": row.valid_until,
        "confirmed_by_message": row.message_id,
        "updated_at": row.updated_at,
    }


def set_aeo(
    uow: UnitOfWork,
    principal: Principal,
    secret: str,
    trader_id: str,
    *,
    name: str = "",
    status: str = "active",
    valid_until: Any = None,
    clock: Clock | None = None,
) -> dict[str, Any]:
    """Register an operator in this economy's AEO list (or change its status) and tell every
    partner with an active MRA, in a signed status message."""
    principal.require(Role.ANALYST)
    errors: list[FieldError] = []
    if not trader_id.strip():
        errors.append(FieldError("trader_id", "required", "the operator's identifier"))
    if status not in AEO_STATUSES:
        errors.append(FieldError("status", "invalid", "one of " + ", ".join(AEO_STATUSES)))
    until = _date(valid_until, "valid_until", errors)
    if errors:
        raise InvalidInput(errors)
    now = (clock or uow.clock).now()
    with uow:
        key = (principal.economy, principal.economy, trader_id.strip())
        row = uow.session.get(AeoRow, key)
        if row is None:
            row = AeoRow(
                economy=principal.economy,
                authority=principal.economy,
                trader_id=trader_id.strip(),
                name=name,
                message_id=None,
            )
            uow.session.add(row)
        row.name = name or row.name or ""
        row.status = status
        row.valid_until = until
        row.updated_at = now
        body = {
            "trader_id": row.trader_id,
            "name": row.name,
            "status": status,
            "valid_until": until.isoformat() if until else None,
        }
        repo = ExchangeRepository(uow.session)
        for mra in uow.session.scalars(
            select(MraRow).where(MraRow.economy == principal.economy, MraRow.status == "active")
        ).all():
            partner = repo.partner(principal.economy, mra.partner)
            if partner is not None and partner.status == PartnerStatus.ACTIVE.value:
                messages.send(
                    uow,
                    principal,
                    secret,
                    mra.partner,
                    MessageType.AEO_STATUS,
                    body,
                    subject=row.trader_id[:64],
                    clock=clock,
                )
        uow.session.flush()
        uow.commit()
        return _aeo(row)


def receive_aeo_status(uow: UnitOfWork, envelope: Envelope) -> None:
    """Handler for ``aeo_status``: the partner's signed word on one of its operators."""
    body = envelope.body
    errors: list[FieldError] = []
    trader = body.get("trader_id")
    if not isinstance(trader, str) or not trader.strip():
        errors.append(FieldError("trader_id", "required", "the operator's identifier"))
    if body.get("status") not in AEO_STATUSES:
        errors.append(FieldError("status", "invalid", "one of " + ", ".join(AEO_STATUSES)))
    until = _date(body.get("valid_until"), "valid_until", errors)
    if errors:
        raise InvalidInput(errors)
    assert isinstance(trader, str)
    key = (envelope.recipient, envelope.sender, trader.strip())
    row = uow.session.get(AeoRow, key)
    if row is None:
        row = AeoRow(economy=envelope.recipient, authority=envelope.sender, trader_id=key[2])
        uow.session.add(row)
    elif row.updated_at is not None and row.updated_at > envelope.created:
        return  # an older status message arriving late changes nothing
    row.name = str(body.get("name") or "")
    row.status = str(body["status"])
    row.valid_until = until
    row.message_id = envelope.id
    row.updated_at = envelope.created


def record_mra(
    uow: UnitOfWork,
    principal: Principal,
    partner: str,
    *,
    name: str,
    valid_from: Any,
    valid_until: Any = None,
    signed_on: Any = None,
    scope: str = "both",
    status: str = "active",
    clock: Clock | None = None,
) -> dict[str, Any]:
    """Record (or update) the mutual recognition arrangement with ``partner``."""
    principal.require(Role.ADMIN)
    errors: list[FieldError] = []
    code = partner.strip().upper()
    if not is_country(code) or code == principal.economy:
        errors.append(FieldError("partner", "invalid", "the partner economy (ISO alpha-2)"))
    if not name.strip():
        errors.append(FieldError("name", "required", "the arrangement's name"))
    start = _date(valid_from, "valid_from", errors)
    if start is None and not any(e.path == "valid_from" for e in errors):
        errors.append(FieldError("valid_from", "required", "the date it takes effect"))
    end = _date(valid_until, "valid_until", errors)
    signed = _date(signed_on, "signed_on", errors)
    if scope not in SCOPES:
        errors.append(FieldError("scope", "invalid", "one of " + ", ".join(SCOPES)))
    if status not in ("active", "suspended"):
        errors.append(FieldError("status", "invalid", "active or suspended"))
    if start and end and end < start:
        errors.append(FieldError("valid_until", "before_start", "ends before it starts"))
    if errors or start is None:
        raise InvalidInput(errors)
    now = (clock or uow.clock).now()
    with uow:
        row = uow.session.get(MraRow, (principal.economy, code))
        if row is None:
            row = MraRow(economy=principal.economy, partner=code)
            uow.session.add(row)
        row.name, row.signed_on, row.valid_from, row.valid_until = name, signed, start, end
        row.scope, row.status, row.updated_at = scope, status, now
        uow.commit()
        return _mra(row)


def _mra(row: MraRow) -> dict[str, Any]:
    return {
        "partner": row.partner,
        "name": row.name,
        "signed_on": row.signed_on,
        "valid_from": row.valid_from,
        "valid_until": row.valid_until,
        "scope": row.scope,
        "status": row.status,
    }


def list_mras(uow: UnitOfWork, principal: Principal) -> list[dict[str, Any]]:
    principal.require(Role.OFFICER, Role.ANALYST)
    with uow:
        rows = uow.session.scalars(
            select(MraRow).where(MraRow.economy == principal.economy).order_by(MraRow.partner)
        ).all()
        return [_mra(r) for r in rows]


def list_aeo(
    uow: UnitOfWork, principal: Principal, authority: str | None = None
) -> list[dict[str, Any]]:
    principal.require(Role.OFFICER, Role.ANALYST)
    with uow:
        stmt = select(AeoRow).where(AeoRow.economy == principal.economy)
        if authority:
            stmt = stmt.where(AeoRow.authority == authority.upper())
        rows = uow.session.scalars(stmt.order_by(AeoRow.authority, AeoRow.trader_id)).all()
        return [_aeo(r) for r in rows]
