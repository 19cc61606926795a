"""Parcels one by one: the per-parcel path, decisions of a manifest, the officers' queue and
results (a finding feeds the risk watch list), unit-value norms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core.clock import Clock
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.ecommerce.model import (
    ParcelView,
)
from smartcustoms.ecommerce.repository import EcommerceRepository
from smartcustoms.ecommerce.services.access import (
    LODGERS,
    OFFICERS,
    RESULTS,
    WATCHLIST,
)
from smartcustoms.ecommerce.services.manifests import manifest, submit_manifest
from smartcustoms.ecommerce.tables import (
    EcomNormRow,
    EcomParcelRow,
)
from smartcustoms.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
)

__all__ = ["decisions", "parcel_view", "queue", "record_result", "refresh_norms", "submit_parcel"]


def _view(row: EcomParcelRow, items: list[dict[str, Any]] | None = None) -> ParcelView:
    return ParcelView(
        waybill=row.waybill,
        manifest_id=row.manifest_id,
        arrival_date=row.arrival_date,
        order_no=row.order_no,
        platform=row.platform,
        carrier=row.carrier,
        seller=row.seller,
        hs_main=row.hs_main,
        items=row.items,
        currency=row.currency,
        value=row.value,
        duty=row.duty,
        tax=row.tax,
        decision=row.decision,
        score=row.score,
        reasons=row.reasons,
        status=row.status,
        result=row.result,
        result_note=row.result_note,
        item_lines=items or [],
    )


def parcel_view(uow: UnitOfWork, principal: Principal, waybill: str) -> ParcelView:
    principal.require(*LODGERS, *OFFICERS)
    with uow:
        repo = EcommerceRepository(uow.session)
        row = repo.parcel(principal.economy, waybill)
        if row is None:
            raise NotFound(f"no parcel {waybill}")
        items = [
            {
                "line_no": i.line_no,
                "description": i.description,
                "hs_code": i.hs_code,
                "quantity": i.quantity,
                "unit_price": str(i.unit_price),
                "currency": i.currency,
                "origin": i.origin,
                "value": str(i.value),
                "duty": str(i.duty),
                "tax": str(i.tax),
            }
            for i in repo.items_of(principal.economy, waybill)
        ]
        return _view(row, items)


def decisions(
    uow: UnitOfWork,
    principal: Principal,
    manifest_id: str,
    decision: str | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[ParcelView]:
    manifest(uow, principal, manifest_id)  # tenancy and existence
    with uow:
        rows = EcommerceRepository(uow.session).parcels_of(
            principal.economy, manifest_id, decision, limit, offset
        )
        return [_view(r) for r in rows]


def queue(
    uow: UnitOfWork,
    principal: Principal,
    decision: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[ParcelView]:
    """Parcels waiting for an officer: inspections first, then holds; riskiest first."""
    principal.require(*OFFICERS)
    if decision not in (None, "", "inspect", "hold"):
        raise InvalidInput.single("decision", "invalid", "decision must be inspect or hold")
    with uow:
        rows = EcommerceRepository(uow.session).queue(
            principal.economy, decision or None, limit, offset
        )
        return [_view(r) for r in rows]


def record_result(
    uow: UnitOfWork,
    principal: Principal,
    waybill: str,
    result: str,
    note: str = "",
    clock: Clock | None = None,
) -> ParcelView:
    """An officer's result for a held or inspected parcel. A finding puts the seller on the
    risk feature's ``ecommerce`` watch list, so its next parcels are inspected."""
    principal.require(Role.OFFICER)
    if result not in RESULTS:
        raise InvalidInput.single(
            "result", "invalid", "result must be one of " + ", ".join(RESULTS)
        )
    now = (clock or uow.clock).now()
    with uow:
        repo = EcommerceRepository(uow.session)
        row = repo.parcel(principal.economy, waybill)
        if row is None:
            raise NotFound(f"no parcel {waybill}")
        if not repo.set_result(principal.economy, waybill, result, note, principal.user_id, now):
            raise Conflict(f"parcel {waybill} is not waiting for a result (status {row.status})")
        seller = row.seller
        uow.commit()
    if result in ("finding", "seized"):
        from smartcustoms.declarations.service import system_principal
        from smartcustoms.risk import service as risk

        admin = system_principal(principal.economy, "system:ecommerce")
        risk.add_to_watchlist(
            uow,
            replace(admin, roles=frozenset({Role.ANALYST})),
            WATCHLIST,
            seller,
            f"finding on parcel {waybill}: {note}"[:500],
        )
    return parcel_view(uow, principal, waybill)


def refresh_norms(
    uow: UnitOfWork,
    economy: str,
    on: date,
    days: int = 30,
    min_count: int = 20,
    clock: Clock | None = None,
) -> int:
    """Learn each HS subheading's typical unit price (median, local currency) from the parcels
    of the last ``days`` days; used from the next manifest on. Returns the number of norms."""
    now = (clock or uow.clock).now()
    economy = economy.upper()
    with uow:
        repo = EcommerceRepository(uow.session)
        frame = repo.unit_prices(economy, on - timedelta(days=days), on)
        rows = []
        if not frame.empty:
            frame = frame[(frame["qty"] > 0) & (frame["value"] > 0)]
            frame = frame.assign(luv=np.log(frame["value"] / frame["qty"]))
            stats = frame.groupby("hs6")["luv"].agg(["count", "median"])
            stats = stats[stats["count"] >= min_count]
            rows = [
                EcomNormRow(economy=economy, hs6=str(h), n=int(c), log_usd=float(m), updated_at=now)
                for h, c, m in zip(stats.index, stats["count"], stats["median"], strict=True)
            ]
        repo.replace_norms(economy, rows)
        uow.commit()
        return len(rows)


def submit_parcel(
    uow: UnitOfWork,
    principal: Principal,
    parcel: Mapping[str, Any],
    *,
    secret_key: str,
    files_dir: Path,
    on: date | None = None,
    clock: Clock | None = None,
) -> ParcelView:
    """One parcel, decided at once: the same engine and rules as a manifest of many."""
    data = orjson.dumps(dict(parcel), option=orjson.OPT_SORT_KEYS)
    outcome = submit_manifest(
        uow,
        principal,
        data,
        secret_key=secret_key,
        files_dir=files_dir,
        filename="parcel.ndjson",
        fmt="ndjson",
        on=on,
        clock=clock,
    )
    if outcome.status != "done" or outcome.bad:
        raise InvalidInput(
            [FieldError(e["field"], "invalid", e["reason"]) for e in outcome.errors],
            "the parcel was refused: " + "; ".join(e["reason"] for e in outcome.errors[:3]),
        )
    return parcel_view(uow, principal, str(parcel.get("waybill", "")))
