"""Risk alerts between administrations: a signed alert (parties, HS, route, modus operandi)
that the receiving analysts turn into a selectivity rule in one step."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core.clock import Clock
from smartcustoms.core.codes import is_country
from smartcustoms.core.ids import new_id
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import Conflict, FieldError, InvalidInput, NotFound
from smartcustoms.exchange.model import Envelope, MessageType
from smartcustoms.exchange.services import messages
from smartcustoms.exchange.tables import RiskAlertRow

__all__ = ["alert_to_rule", "check_alert", "list_alerts", "receive_alert", "rule_of", "send_alert"]

_HS_PREFIX = re.compile(r"^\d{2,10}$")
LANES = ("yellow", "red")


def check_alert(raw: Any) -> dict[str, Any]:
    """The alert in its canonical form, or InvalidInput with every problem."""
    errors: list[FieldError] = []
    if not isinstance(raw, dict):
        raise InvalidInput.single("alert", "invalid", "an alert is a JSON object")
    title = str(raw.get("title") or "").strip()
    if not title:
        errors.append(FieldError("title", "required", "a short title"))
    parties = raw.get("parties") or []
    hs = raw.get("hs_prefixes") or []
    origin = raw.get("origin") or []
    departure = raw.get("departure") or []
    checks: tuple[tuple[str, Any, Callable[[str], bool], str], ...] = (
        ("parties", parties, lambda v: bool(v.strip()), "party identifiers"),
        ("hs_prefixes", hs, lambda v: bool(_HS_PREFIX.match(v)), "HS prefixes of 2-10 digits"),
        ("origin", origin, lambda v: is_country(v), "ISO country codes"),
        ("departure", departure, lambda v: is_country(v), "ISO country codes"),
    )
    for path, values, ok, what in checks:
        if not isinstance(values, list) or not all(isinstance(v, str) and ok(v) for v in values):
            errors.append(FieldError(path, "invalid", f"a list of {what}"))
    if not (parties or hs):
        errors.append(FieldError("parties", "required", "name parties or HS prefixes (or both)"))
    lane = str(raw.get("lane") or "yellow")
    if lane not in LANES:
        errors.append(FieldError("lane", "invalid", "yellow or red"))
    if errors:
        raise InvalidInput(errors)
    return {
        "title": title,
        "modus_operandi": str(raw.get("modus_operandi") or ""),
        "parties": [p.strip() for p in parties],
        "hs_prefixes": list(hs),
        "origin": [o.upper() for o in origin],
        "departure": [d.upper() for d in departure],
        "lane": lane,
    }


def send_alert(
    uow: UnitOfWork,
    principal: Principal,
    secret: str,
    partner: str,
    raw: Any,
    *,
    clock: Clock | None = None,
) -> dict[str, Any]:
    principal.require(Role.ANALYST)
    alert = check_alert(raw)
    now = (clock or uow.clock).now()
    with uow:
        out = messages.send(
            uow, principal, secret, partner, MessageType.RISK_ALERT, alert, clock=clock
        )
        row = RiskAlertRow(
            id=new_id(),
            economy=principal.economy,
            direction="sent",
            partner=partner.upper(),
            message_id=out.id,
            alert=alert,
            created_at=now,
            rule_id=None,
        )
        uow.session.add(row)
        uow.commit()
        return _view(row)


def receive_alert(uow: UnitOfWork, envelope: Envelope) -> None:
    alert = check_alert(envelope.body)
    uow.session.add(
        RiskAlertRow(
            id=new_id(),
            economy=envelope.recipient,
            direction="received",
            partner=envelope.sender,
            message_id=envelope.id,
            alert=alert,
            created_at=envelope.created,
            rule_id=None,
        )
    )


def _view(row: RiskAlertRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "direction": row.direction,
        "partner": row.partner,
        "message_id": row.message_id,
        "created_at": row.created_at,
        "rule_id": row.rule_id,
        **row.alert,
    }


def list_alerts(uow: UnitOfWork, principal: Principal) -> list[dict[str, Any]]:
    principal.require(Role.ANALYST, Role.OFFICER)
    with uow:
        rows = uow.session.scalars(
            select(RiskAlertRow)
            .where(RiskAlertRow.economy == principal.economy)
            .order_by(RiskAlertRow.created_at.desc())
        ).all()
        return [_view(r) for r in rows]


def rule_of(alert: dict[str, Any], partner: str) -> dict[str, Any]:
    """The selectivity rule definition (the risk feature's format) an alert becomes."""
    conditions: dict[str, Any] = {}
    for key, target in (
        ("parties", "parties"),
        ("hs_prefixes", "hs_prefix"),
        ("origin", "origin"),
        ("departure", "departure"),
    ):
        if alert.get(key):
            conditions[target] = list(alert[key])
    return {
        "name": f"Alert from {partner}: {alert['title']}"[:120],
        "description": alert.get("modus_operandi") or f"risk alert received from {partner}",
        "conditions": conditions,
        "action": {"lane": alert.get("lane", "yellow"), "score_add": 0.0, "random_check": 0.0},
    }


def alert_to_rule(
    uow: UnitOfWork,
    principal: Principal,
    alert_id: str,
    *,
    activate: bool = True,
    clock: Clock | None = None,
) -> dict[str, Any]:
    """One step: the received alert becomes a selectivity rule of this economy."""
    from smartcustoms.risk import service as risk

    principal.require(Role.ANALYST)
    with uow:
        row = uow.session.get(RiskAlertRow, alert_id)
        if row is None or row.economy != principal.economy or row.direction != "received":
            raise NotFound(f"no received alert {alert_id}")
        if row.rule_id:
            raise Conflict(f"alert {alert_id} already became rule {row.rule_id}")
        rule = risk.create_rule(
            uow, principal, rule_of(row.alert, row.partner), activate=activate, clock=clock
        )
        row.rule_id = rule.id
        uow.commit()
        return {"alert_id": alert_id, "rule_id": rule.id, "rule": rule}
