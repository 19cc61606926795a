"""/api/v1/exchange: the inbox partners deliver to and the JWKS they import (both public: trust
comes from signatures, not from logins), and for the home administration: keys, partners,
outbox, inbox, refusals, sending. Keys and partners need the admin role."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.config import Settings
from smartcustoms.db.engine import Database
from smartcustoms.errors import InvalidInput
from smartcustoms.exchange.model import MessageType, PartnerStatus
from smartcustoms.exchange.services import (
    aeo,
    alerts,
    certificates,
    cycle,
    delivery,
    messages,
    prearrival,
    trust,
)
from smartcustoms.exchange.services.handlers import default_handlers
from smartcustoms.web.deps import UoW, get_db, get_settings, require_roles

log = logging.getLogger("smartcustoms.exchange")


def _delivery_loop(db: Database, secret: str, every: float, stop: threading.Event) -> None:
    while not stop.wait(every):
        try:
            cycle.run_cycle(db.uow, secret)
        except Exception:  # a bad round must not end the loop; it is logged and retried
            log.exception("exchange: delivery round failed")


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    stop = threading.Event()
    worker = None
    if settings.exchange_deliver_every > 0:
        worker = threading.Thread(
            target=_delivery_loop,
            args=(app.state.db, settings.secret_key, settings.exchange_deliver_every, stop),
            name="exchange-outbox",
            daemon=True,
        )
        worker.start()
    yield
    stop.set()
    if worker is not None:
        worker.join(timeout=5)


router = APIRouter(prefix="/api/v1/exchange", tags=["exchange"], lifespan=_lifespan)
AdminDep = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
ReaderDep = Annotated[Principal, Depends(require_roles(Role.OFFICER, Role.ANALYST))]
SettingsDep = Annotated[Settings, Depends(get_settings)]


class PartnerIn(BaseModel):
    partner: str = Field(description="the partner economy (ISO alpha-2)")
    endpoint: str = Field(description="the partner installation's base URL")
    name: str = ""


class StatusIn(BaseModel):
    status: PartnerStatus


class RevokeIn(BaseModel):
    reason: str = ""


class SendIn(BaseModel):
    recipient: str
    type: MessageType = MessageType.PING
    body: dict[str, Any] = Field(default_factory=dict)
    in_reply_to: str | None = None


# --- public: inbox and public keys ---------------------------------------------------------


_VERDICT = {
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["status", "reason"],
                "properties": {
                    "status": {"type": "string", "enum": ["accepted", "refused"]},
                    "message_id": {"type": ["string", "null"]},
                    "reason": {"type": ["string", "null"]},
                    "detail": {"type": ["string", "null"]},
                    "receipt": {"type": ["string", "null"]},
                    "duplicate": {"type": "boolean"},
                },
            }
        }
    }
}


@router.post(
    "/inbox",
    response_model=None,
    responses={
        200: {"description": "accepted: a signed receipt", **_VERDICT},
        422: {"description": "refused, with the precise reason", **_VERDICT},
    },
)
async def inbox(request: Request) -> JSONResponse:
    """Deliver one signed message (the compact JWS as the body, ``application/jose``, or
    ``{"token": ...}``). 200 with a signed receipt when accepted; 422 with the reason when
    refused (a repeated delivery: 422 ``replay`` carrying the original receipt)."""
    raw = (await request.body()).decode("utf-8", "replace")
    token = raw
    if raw.lstrip().startswith("{"):
        try:
            doc = json.loads(raw)
            token = doc.get("token", "") if isinstance(doc, dict) else ""
        except ValueError:
            token = raw
    settings = get_settings(request)
    db = get_db(request)
    # Verification may fetch the partner's keys over HTTP: off the event loop.
    verdict = await run_in_threadpool(
        messages.receive,
        db.uow(),
        settings.secret_key,
        str(token),
        default_handlers(),
        refresh_keys=trust.refresh_partner_keys,
    )
    return JSONResponse(verdict.to_dict(), status_code=200 if verdict.accepted else 422)


@router.get("/jwks/{economy}", response_model=None)
def public_keys(uow: UoW, economy: str) -> dict[str, Any]:
    """The economy's public signing keys (JWKS) with status and validity, for partners."""
    return trust.jwks(uow, economy)


# --- keys ----------------------------------------------------------------------------------


@router.get("/keys", response_model=None)
def list_keys(uow: UoW, principal: ReaderDep) -> Any:
    return trust.list_keys(uow, principal)


@router.post("/keys", response_model=None, status_code=201)
def create_key(uow: UoW, principal: AdminDep, settings: SettingsDep) -> Any:
    return trust.create_key(uow, principal, settings.secret_key)


@router.post("/keys/rotate", response_model=None, status_code=201)
def rotate_key(uow: UoW, principal: AdminDep, settings: SettingsDep) -> Any:
    return trust.rotate_key(uow, principal, settings.secret_key)


@router.post("/keys/{kid}/revoke", response_model=None)
def revoke_key(uow: UoW, principal: AdminDep, kid: str, payload: RevokeIn | None = None) -> Any:
    return trust.revoke_key(uow, principal, kid, payload.reason if payload else "")


# --- partners ------------------------------------------------------------------------------


@router.get("/partners", response_model=None)
def list_partners(uow: UoW, principal: ReaderDep) -> Any:
    return trust.list_partners(uow, principal)


@router.post("/partners", response_model=None, status_code=201)
def add_partner(uow: UoW, principal: AdminDep, payload: PartnerIn) -> Any:
    return trust.add_partner(uow, principal, payload.partner, payload.endpoint, payload.name)


@router.get("/partners/{partner}", response_model=None)
def get_partner(uow: UoW, principal: ReaderDep, partner: str) -> Any:
    return trust.get_partner(uow, principal, partner)


@router.put("/partners/{partner}/status", response_model=None)
def partner_status(uow: UoW, principal: AdminDep, partner: str, payload: StatusIn) -> Any:
    return trust.set_partner_status(uow, principal, partner, payload.status)


@router.post("/partners/{partner}/keys", response_model=None)
def import_keys(
    uow: UoW, principal: AdminDep, partner: str, key_set: Annotated[Any, Body()]
) -> Any:
    if not isinstance(key_set, dict):
        raise InvalidInput.single("keys", "invalid", "send the partner's JWKS object")
    return trust.import_partner_keys(uow, principal, partner, key_set)


@router.post("/partners/{partner}/keys/fetch", response_model=None)
def fetch_keys(uow: UoW, principal: AdminDep, partner: str) -> Any:
    return trust.fetch_partner_keys(uow, principal, partner)


# --- messages ------------------------------------------------------------------------------


@router.post("/messages", response_model=None, status_code=201)
def send(uow: UoW, principal: ReaderDep, settings: SettingsDep, payload: SendIn) -> Any:
    return messages.send(
        uow,
        principal,
        settings.secret_key,
        payload.recipient,
        payload.type,
        payload.body,
        in_reply_to=payload.in_reply_to,
    )


@router.get("/outbox", response_model=None)
def outbox(
    uow: UoW,
    principal: ReaderDep,
    status: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> Any:
    return {
        "counts": messages.outbox_counts(uow, principal),
        "messages": messages.list_outbox(uow, principal, status, limit),
    }


@router.post("/outbox/deliver", response_model=None)
def deliver(request: Request, principal: AdminDep, settings: SettingsDep) -> Any:
    """Run one exchange round now for the caller's economy: queue pre-arrival data of released
    exports, match imports, send what is due (the web app also does this every few seconds)."""
    report = cycle.run_cycle(get_db(request).uow, settings.secret_key, economy=principal.economy)
    return report.to_dict()


@router.post("/outbox/{message_id}/requeue", response_model=None)
def requeue(uow: UoW, principal: AdminDep, message_id: str) -> Any:
    delivery.requeue(uow, principal.economy, message_id)
    return messages.get_outbox_message(uow, principal, message_id)


@router.get("/outbox/{message_id}", response_model=None)
def outbox_message(uow: UoW, principal: ReaderDep, message_id: str) -> Any:
    return messages.get_outbox_message(uow, principal, message_id)


@router.get("/inbox", response_model=None)
def list_inbox(
    uow: UoW,
    principal: ReaderDep,
    type: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> Any:
    return messages.list_inbox(uow, principal, type, limit)


@router.get("/inbox/{inbox_id}/verify", response_model=None)
def reverify(uow: UoW, principal: ReaderDep, inbox_id: str) -> Any:
    """Check a stored message's signature again, today, against the sender's current keys."""
    return messages.reverify(uow, principal, inbox_id)


@router.get("/refusals", response_model=None)
def refusals(
    uow: UoW, principal: ReaderDep, limit: Annotated[int, Query(ge=1, le=500)] = 200
) -> Any:
    return messages.list_refusals(uow, principal, limit)


# --- pre-arrival data ----------------------------------------------------------------------


@router.get("/pre-arrival", response_model=None)
def pre_arrivals(
    uow: UoW, principal: ReaderDep, limit: Annotated[int, Query(ge=1, le=500)] = 200
) -> Any:
    """Export data sets received from partners, with their match and comparison."""
    return prearrival.list_pre_arrivals(uow, principal.economy, limit)


@router.get("/pre-arrival/declarations/{declaration_id}", response_model=None)
def pre_arrival_signals(uow: UoW, principal: ReaderDep, declaration_id: str) -> Any:
    """Risk signals for one import declaration from the partner's pre-arrival data."""
    return [f.to_dict() for f in prearrival.signals_for(uow, principal.economy, declaration_id)]


# --- certificates of origin ----------------------------------------------------------------


class PolicyIn(BaseModel):
    certificate_required_for_preference: bool


class CertificateRevokeIn(BaseModel):
    reason: str = ""


OfficerDep = Annotated[Principal, Depends(require_roles(Role.OFFICER))]
AnalystDep = Annotated[Principal, Depends(require_roles(Role.ANALYST))]


@router.put("/policy", response_model=None)
def set_policy(uow: UoW, principal: AdminDep, payload: PolicyIn) -> Any:
    """Whether a claimed tariff preference needs a verified certificate of origin."""
    return certificates.set_policy(
        uow,
        principal,
        certificate_required_for_preference=payload.certificate_required_for_preference,
    )


@router.post("/certificates", response_model=None, status_code=201)
def issue_certificate(
    request: Request,
    uow: UoW,
    principal: OfficerDep,
    settings: SettingsDep,
    data: Annotated[dict[str, Any], Body()],
) -> Any:
    """Issue a certificate of origin (signed credential); sent to the importing economy when
    it is a partner."""
    return certificates.issue(
        uow, principal, settings.secret_key, data, base_url=str(request.base_url)
    )


@router.get("/certificates", response_model=None)
def list_certificates(uow: UoW, principal: ReaderDep) -> Any:
    return certificates.list_certificates(uow, principal)


@router.post("/certificates/verify", response_model=None)
def verify_certificate(uow: UoW, principal: ReaderDep, credential: Annotated[Any, Body()]) -> Any:
    """Check a certificate (the credential JSON) as this economy knows its issuer."""
    check = certificates.check_credential(uow, principal.economy, credential)
    return {
        "valid": check.valid,
        "certificate_id": check.certificate_id,
        "issuer": check.issuer,
        "status": check.status,
        "kid": check.kid,
        "problems": check.problems,
    }


@router.get("/certificates/{certificate_id}", response_model=None)
def get_certificate(uow: UoW, principal: ReaderDep, certificate_id: str) -> Any:
    return certificates.get_certificate(uow, principal, certificate_id)


@router.post("/certificates/{certificate_id}/revoke", response_model=None)
def revoke_certificate(
    uow: UoW,
    principal: OfficerDep,
    settings: SettingsDep,
    certificate_id: str,
    payload: CertificateRevokeIn | None = None,
) -> Any:
    return certificates.revoke(
        uow, principal, settings.secret_key, certificate_id, payload.reason if payload else ""
    )


@router.get("/public/certificates/{economy}/{certificate_id}", response_model=None)
def public_certificate(uow: UoW, economy: str, certificate_id: str) -> Any:
    """Public status of a certificate this installation issued (what the QR page shows)."""
    return certificates.public_status(uow, economy, certificate_id)


# --- AEO and mutual recognition ------------------------------------------------------------


class AeoIn(BaseModel):
    trader_id: str
    name: str = ""
    status: str = "active"
    valid_until: str | None = None


class MraIn(BaseModel):
    partner: str
    name: str
    valid_from: str
    valid_until: str | None = None
    signed_on: str | None = None
    scope: str = "both"
    status: str = "active"


@router.get("/aeo", response_model=None)
def list_aeo(
    uow: UoW, principal: ReaderDep, authority: Annotated[str | None, Query()] = None
) -> Any:
    return aeo.list_aeo(uow, principal, authority)


@router.post("/aeo", response_model=None)
def set_aeo(uow: UoW, principal: AnalystDep, settings: SettingsDep, payload: AeoIn) -> Any:
    """Register or change an operator of this economy's AEO list; partners under an MRA are
    told in a signed status message."""
    return aeo.set_aeo(
        uow,
        principal,
        settings.secret_key,
        payload.trader_id,
        name=payload.name,
        status=payload.status,
        valid_until=payload.valid_until,
    )


@router.get("/mras", response_model=None)
def list_mras(uow: UoW, principal: ReaderDep) -> Any:
    return aeo.list_mras(uow, principal)


@router.post("/mras", response_model=None)
def record_mra(uow: UoW, principal: AdminDep, payload: MraIn) -> Any:
    return aeo.record_mra(
        uow,
        principal,
        payload.partner,
        name=payload.name,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        signed_on=payload.signed_on,
        scope=payload.scope,
        status=payload.status,
    )


# --- risk alerts ---------------------------------------------------------------------------


@router.get("/alerts", response_model=None)
def list_alerts(uow: UoW, principal: ReaderDep) -> Any:
    return alerts.list_alerts(uow, principal)


@router.post("/alerts/{partner}", response_model=None, status_code=201)
def send_alert(
    uow: UoW,
    principal: AnalystDep,
    settings: SettingsDep,
    partner: str,
    alert: Annotated[Any, Body()],
) -> Any:
    return alerts.send_alert(uow, principal, settings.secret_key, partner, alert)


@router.post("/alerts/{alert_id}/rule", response_model=None, status_code=201)
def alert_to_rule(uow: UoW, principal: AnalystDep, alert_id: str) -> Any:
    """One step: a received alert becomes an active selectivity rule."""
    return alerts.alert_to_rule(uow, principal, alert_id)
