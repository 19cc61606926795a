"""The three orders: parties' public keys, signed records, and parcels decided again when
the records they waited for arrive."""

from __future__ import annotations

from typing import Any

import pandas as pd

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core.clock import Clock
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.ecommerce import engine
from smartcustoms.ecommerce.repository import EcommerceRepository
from smartcustoms.ecommerce.services.access import (
    LODGERS,
    PARTY_KINDS,
)
from smartcustoms.ecommerce.services.context import build_context
from smartcustoms.errors import (
    FieldError,
    InvalidInput,
)

__all__ = ["expire_waiting", "register_party_key", "submit_records"]


def register_party_key(
    uow: UnitOfWork,
    principal: Principal,
    party_id: str,
    kind: str,
    public_key: str,
    clock: Clock | None = None,
) -> dict[str, str]:
    """Register (or replace) the Ed25519 public key a party signs its records with."""
    from smartcustoms.ecommerce import signing
    from smartcustoms.ecommerce.tables import EcomPartyKeyRow

    principal.require(Role.ADMIN)
    errors = []
    if not party_id.strip():
        errors.append(FieldError("party_id", "required", "party_id is required"))
    if kind not in PARTY_KINDS:
        errors.append(FieldError("kind", "invalid", "kind must be " + ", ".join(PARTY_KINDS)))
    if not signing.public_key_ok(public_key):
        errors.append(
            FieldError(
                "public_key",
                "invalid",
                "public_key must be a base64url Ed25519 public key (32 bytes)",
            )
        )
    if errors:
        raise InvalidInput(errors)
    now = (clock or uow.clock).now()
    with uow:
        repo = EcommerceRepository(uow.session)
        row = repo.party_key(principal.economy, party_id.strip())
        if row is None:
            repo.add(
                EcomPartyKeyRow(
                    economy=principal.economy,
                    party_id=party_id.strip(),
                    kind=kind,
                    public_key=public_key,
                    registered_by=principal.user_id,
                    registered_at=now,
                )
            )
        else:
            row.kind, row.public_key, row.registered_at = kind, public_key, now
        uow.commit()
    return {"party_id": party_id.strip(), "kind": kind, "public_key": public_key}


def submit_records(
    uow: UnitOfWork,
    principal: Principal,
    records: list[Any],
    *,
    secret_key: str,
    clock: Clock | None = None,
) -> dict[str, Any]:
    """Take signed order, payment and waybill records. Each is verified; refused ones are kept
    with their reason. Parcels waiting for these records are decided again at once."""
    from smartcustoms.ecommerce import threeorders
    from smartcustoms.ecommerce.tables import EcomRecordRow

    principal.require(*LODGERS)
    now = (clock or uow.clock).now()
    hash_key = engine.buyer_key(secret_key)
    with uow:
        repo = EcommerceRepository(uow.session)
        keys = {k.party_id: (k.kind, k.public_key) for k in repo.party_keys(principal.economy)}
        taken = threeorders.intake(records, threeorders.Keys(keys, hash_key))
        accepted = refused = unchanged = 0
        problems = []
        for i, rec in enumerate(taken):
            if not rec.order_no or rec.kind not in threeorders.KINDS:
                refused += 1
                problems.append(
                    {"index": i, "kind": rec.kind, "order_no": rec.order_no, "reason": rec.reason}
                )
                continue
            row = repo.record(principal.economy, rec.kind, rec.order_no)
            if row is not None and row.status == "accepted":
                if row.signature == rec.signature:
                    unchanged += 1
                    continue
                refused += 1
                problems.append(
                    {
                        "index": i,
                        "kind": rec.kind,
                        "order_no": rec.order_no,
                        "reason": f"a different {rec.kind} record for order "
                        f"{rec.order_no} was accepted earlier",
                    }
                )
                continue
            if row is None:
                repo.add(
                    EcomRecordRow(
                        economy=principal.economy,
                        kind=rec.kind,
                        order_no=rec.order_no,
                        party_id=rec.party_id,
                        payload=rec.payload,
                        signature=rec.signature,
                        status=rec.status,
                        reason=rec.reason,
                        received_at=now,
                    )
                )
            else:  # a refused record is replaced by the next attempt
                row.party_id, row.payload, row.signature = rec.party_id, rec.payload, rec.signature
                row.status, row.reason, row.received_at = rec.status, rec.reason, now
            if rec.status == "accepted":
                accepted += 1
            else:
                refused += 1
                problems.append(
                    {"index": i, "kind": rec.kind, "order_no": rec.order_no, "reason": rec.reason}
                )
        uow.session.flush()
        orders = sorted({r.order_no for r in taken if r.order_no})
        redecided = _redecide_waiting(uow, principal.economy, orders, secret_key)
        uow.commit()
    return {
        "accepted": accepted,
        "refused": refused,
        "unchanged": unchanged,
        "problems": problems,
        "redecided": redecided,
    }


def _redecide_waiting(uow: UnitOfWork, economy: str, orders: list[str], secret_key: str) -> int:
    """Parcels held while waiting for records: reconcile again now that records came in."""
    from smartcustoms.ecommerce import threeorders
    from smartcustoms.ecommerce.model import SIGNAL_BY_NAME

    if not orders:
        return 0
    repo = EcommerceRepository(uow.session)
    three = sum(
        1 << SIGNAL_BY_NAME[n].bit for n in ("three_order", "three_order_wait", "signature")
    )
    rows = [
        r
        for r in repo.open_parcels_for_orders(economy, orders)
        if r.status == "open" and r.decision == "hold" and r.signals & three
    ]
    if not rows:
        return 0
    hold_mask = sum(1 << SIGNAL_BY_NAME[n].bit for n in engine.HOLD_SIGNALS)
    changed = 0
    for row in rows:
        ctx = build_context(uow, economy, row.arrival_date, secret_key)
        frame = pd.DataFrame(
            {
                "order_no": [row.order_no],
                "waybill": [row.waybill],
                "buyer_hash": [row.buyer_hash],
                "value": [float(row.value)],
                "basis": [float(row.value)],
            }
        )
        records = [
            threeorders.Intake(
                r.kind, r.order_no, r.party_id, dict(r.payload), r.signature, r.status, r.reason
            )
            for r in repo.records_for(economy, [row.order_no])
        ]
        found = threeorders.reconcile(frame, records, ctx, None)
        bits = (row.signals & ~three) | int(found["bits"].to_numpy()[0])
        dues = "; ".join(row.reasons.rsplit("; ", 2)[-2:])
        if bits & hold_mask:
            decision, status = "hold", "open"
            reasons = f"held for information: {found['reason'].iat[0]}; {dues}"
        else:
            decision, status = "release", "closed"
            reasons = (
                f"released: order, payment and waybill records complete and consistent; {dues}"
            )
        row.signals, row.decision, row.status, row.reasons = bits, decision, status, reasons
        changed += 1
    uow.session.flush()
    return changed


LATE = "the order, payment and waybill records did not all arrive by the deadline"


def expire_waiting(uow: UnitOfWork, principal: Principal, clock: Clock | None = None) -> int:
    """Parcels still waiting for three-order records after the deadline: they stay held, and
    their reasons now say the deadline passed (the carrier must return or complete them).
    Returns how many parcels changed."""
    from datetime import UTC, datetime, time, timedelta

    from smartcustoms.ecommerce.model import SIGNAL_BY_NAME
    from smartcustoms.ecommerce.services.regimes import get_settings

    principal.require(Role.OFFICER, Role.ADMIN)
    now = (clock or uow.clock).now()
    hours = get_settings(uow, principal.economy).three_order_deadline_hours
    wait = 1 << SIGNAL_BY_NAME["three_order_wait"].bit
    changed = 0
    with uow:
        repo = EcommerceRepository(uow.session)
        for row in repo.waiting_parcels(principal.economy, wait):
            deadline = datetime.combine(row.arrival_date, time.min, UTC) + timedelta(hours=hours)
            if now < deadline or LATE in row.reasons:
                continue
            rest = row.reasons.split(": ", 1)[-1]
            row.reasons = f"held for information: {LATE} ({deadline:%Y-%m-%d %H:%M} UTC); {rest}"
            changed += 1
        uow.commit()
    return changed
