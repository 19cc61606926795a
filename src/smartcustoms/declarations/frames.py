"""Declarations as the risk model's *declaration frame* (``smartcustoms.risk.ml.frame``).

:func:`declarations_frame` reads an economy's declarations with one SQL query over the
declarations' own tables (JSON fields extracted by the database, no ORM objects per row), so
training on tens of thousands of inspected declarations stays fast; :func:`declaration_frame`
turns one (not yet stored) declaration into a one-row frame. Both give the same values as the
file reader for the kcs-cdd profile, so a model trained from files scores stored declarations.

One row per declaration, from its first item (the risk model describes single-item
declarations; rules look at every item through :func:`items_frame`). Labels come from recorded
inspection results: ``fraud`` = 1 when an inspection found a discrepancy or seized the goods,
``critical_fraud`` = 2 when it was marked critical (the kcs-cdd profile maps ``Critical Fraud``
code 2 to critical), 1 for other frauds, 0 otherwise; uninspected declarations have NaN labels.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations.model import Declaration
from smartcustoms.declarations.tables import (
    DeclarationItemRow,
    DeclarationRow,
    InspectionResultRow,
)

_STRING_COLUMNS = (
    "office", "process_type", "import_type", "import_use", "payment_type", "transport_mode",
    "declarant_id", "importer_id", "seller_id", "courier_id", "hs_code", "departure_country",
    "origin_country", "tax_type", "origin_indicator",
)  # fmt: skip
_NUMERIC_COLUMNS = ("tax_rate", "net_mass_kg", "item_value")


def _json(path: tuple[str | int, ...]) -> ColumnElement[Any]:
    return DeclarationRow.document[path].as_string()


def _query(
    economy: str,
    since: date | None,
    until: date | None,
    inspected_only: bool,
    first_item_only: bool,
) -> Any:
    D, item, ins = DeclarationRow, DeclarationItemRow, InspectionResultRow
    labels = (
        select(
            ins.declaration_id.label("declaration_id"),
            func.max(case((ins.fraud, 1), else_=0)).label("fraud"),
            func.max(case((and_(ins.fraud, ins.critical), 1), else_=0)).label("critical"),
        )
        .where(ins.economy == economy)
        .group_by(ins.declaration_id)
        .subquery()
    )
    stmt = (
        select(
            D.id.label("declaration_id"),
            D.reference,
            D.declaration_date.label("date"),
            D.office,
            _json(("national", "process_type")).label("process_type"),
            _json(("national", "import_type")).label("import_type"),
            _json(("national", "import_use")).label("import_use"),
            _json(("national", "payment_type")).label("payment_type"),
            func.coalesce(
                _json(("national", "transport_mode_code")), _json(("transport_mode",))
            ).label("transport_mode"),
            D.declarant_id,
            _json(("importer", "id")).label("importer_id"),
            _json(("seller", "id")).label("seller_id"),
            _json(("courier", "id")).label("courier_id"),
            _json(("exporter", "id")).label("exporter_id"),
            _json(("buyer", "id")).label("buyer_id"),
            item.line_no,
            item.hs_code,
            _json(("departure_country",)).label("departure_country"),
            item.origin_country,
            _json(("items", 0, "declared_duty_rate")).label("tax_rate"),
            item.preference.label("tax_type"),
            _json(("items", 0, "origin_indicator")).label("origin_indicator"),
            item.net_mass_kg,
            item.invoice_value.label("item_value"),
            labels.c.fraud,
            labels.c.critical,
        )
        .join(item, item.declaration_id == D.id)
        .outerjoin(labels, labels.c.declaration_id == D.id)
        .where(D.economy == economy)
    )
    if first_item_only:
        stmt = stmt.where(item.line_no == 1)
    if since is not None:
        stmt = stmt.where(D.declaration_date >= since)
    if until is not None:
        stmt = stmt.where(D.declaration_date < until)
    if inspected_only:
        stmt = stmt.where(labels.c.fraud.is_not(None))
    return stmt.order_by(D.declaration_date, D.id, item.line_no)


def _to_frame(rows: Any, columns: list[str]) -> pd.DataFrame:
    raw = pd.DataFrame.from_records(rows, columns=columns)
    out = pd.DataFrame(index=range(len(raw)))
    out["declaration_id"] = raw["declaration_id"].astype(str).to_numpy()
    out["date"] = (
        pd.to_datetime(raw["date"]).to_numpy(dtype="datetime64[D]").astype("datetime64[ns]")
    )
    for c in _STRING_COLUMNS:
        out[c] = raw[c].astype(object).where(raw[c].notna(), "").astype(str).to_numpy(object)
    for c in _NUMERIC_COLUMNS:
        out[c] = pd.to_numeric(raw[c].astype(object), errors="coerce").to_numpy(np.float64)
    fraud = pd.to_numeric(raw["fraud"], errors="coerce").to_numpy(np.float64)
    critical = pd.to_numeric(raw["critical"], errors="coerce").to_numpy(np.float64)
    out["fraud"] = fraud
    out["critical_fraud"] = np.where(
        np.isnan(fraud), np.nan, np.where(critical > 0, 2.0, np.where(fraud > 0, 1.0, 0.0))
    )
    for c in ("reference", "exporter_id", "buyer_id", "line_no"):
        out[c] = raw[c].to_numpy(object) if c != "line_no" else raw[c].to_numpy(np.int64)
    return out


def declarations_frame(
    uow: UnitOfWork,
    economy: str,
    *,
    since: date | None = None,
    until: date | None = None,
    inspected_only: bool = False,
) -> pd.DataFrame:
    """The economy's declarations dated in [since, until) as a canonical risk frame, by date.

    Labels are integers when ``inspected_only``, else floats with NaN for uninspected ones.
    Extra columns: ``reference``, ``exporter_id``, ``buyer_id``, ``line_no``.
    """
    return _read(uow, economy, since, until, inspected_only, first_item_only=True)


def items_frame(
    uow: UnitOfWork,
    economy: str,
    *,
    since: date | None = None,
    until: date | None = None,
    inspected_only: bool = False,
) -> pd.DataFrame:
    """Like :func:`declarations_frame` with one row per item (rules match on any item).

    ``tax_rate`` and ``origin_indicator`` are the first item's on every row.
    """
    return _read(uow, economy, since, until, inspected_only, first_item_only=False)


def _read(
    uow: UnitOfWork,
    economy: str,
    since: date | None,
    until: date | None,
    inspected_only: bool,
    first_item_only: bool,
) -> pd.DataFrame:
    stmt = _query(economy.upper(), since, until, inspected_only, first_item_only)
    with uow:
        result = uow.session.execute(stmt)
        columns = list(result.keys())
        rows = result.all()
    frame = _to_frame(rows, columns)
    if inspected_only:
        frame["fraud"] = frame["fraud"].astype(np.int64)
        frame["critical_fraud"] = frame["critical_fraud"].astype(np.int64)
    return frame


def inspected_count(uow: UnitOfWork, economy: str) -> int:
    """How many of the economy's declarations have a recorded inspection result."""
    ins = InspectionResultRow
    with uow:
        n = uow.session.scalar(
            select(func.count(func.distinct(ins.declaration_id))).where(
                ins.economy == economy.upper()
            )
        )
    return int(n or 0)


def recent_lane_scores(
    uow: UnitOfWork,
    economy: str,
    *,
    before: date,
    assessed_since: datetime | None,
    limit: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(scores, trader ids), oldest first: the lane scores of the economy's ``limit`` most
    recent declarations dated before ``before`` and assessed (stored) at or after
    ``assessed_since``. The risk feature recalibrates its lane thresholds on them; reading
    them from the database lets every web worker compute the same thresholds for a day."""
    D = DeclarationRow
    stmt = select(D.lane_score, D.trader_id).where(
        D.economy == economy.upper(), D.declaration_date < before, D.lane_score.is_not(None)
    )
    if assessed_since is not None:
        stmt = stmt.where(D.created_at >= assessed_since)
    stmt = stmt.order_by(D.declaration_date.desc(), D.created_at.desc(), D.id.desc()).limit(limit)
    with uow:
        rows = list(uow.session.execute(stmt).all())[::-1]
    scores = np.fromiter((r[0] for r in rows), np.float64, count=len(rows))
    traders = np.array([r[1] or "" for r in rows], dtype=object)
    return scores, traders


def declaration_records(
    declaration: Declaration, declaration_id: str = "", on: date | None = None
) -> list[dict[str, Any]]:
    """One record per item of ``declaration`` in the frame's columns (first item first)."""
    d = declaration
    day = on or d.date or date.today()
    first = d.items[0]
    base: dict[str, Any] = {
        "declaration_id": declaration_id or d.reference,
        "date": np.datetime64(day, "ns"),
        "office": d.office,
        "process_type": d.national.get("process_type", ""),
        "import_type": d.national.get("import_type", ""),
        "import_use": d.national.get("import_use", ""),
        "payment_type": d.national.get("payment_type", ""),
        "transport_mode": d.national.get("transport_mode_code", d.transport_mode.value),
        "declarant_id": d.declarant.id,
        "importer_id": d.importer.id if d.importer else "",
        "seller_id": d.seller.id if d.seller else "",
        "courier_id": d.courier.id if d.courier else "",
        "exporter_id": d.exporter.id if d.exporter else "",
        "buyer_id": d.buyer.id if d.buyer else "",
        "departure_country": d.departure_country or "",
        "tax_rate": np.nan if first.declared_duty_rate is None else float(first.declared_duty_rate),
        "origin_indicator": first.origin_indicator or "",
        "reference": d.reference,
    }
    return [
        base
        | {
            "line_no": n,
            "hs_code": it.hs_code,
            "origin_country": it.origin_country,
            "tax_type": it.preference or "",
            "net_mass_kg": float(it.net_mass_kg),
            "item_value": float(it.invoice_value),
        }
        for n, it in enumerate(d.items, start=1)
    ]


def declaration_frame(
    declaration: Declaration, declaration_id: str = "", on: date | None = None
) -> pd.DataFrame:
    """A one-row frame (first item) for a declaration that may not be stored yet."""
    return pd.DataFrame(declaration_records(declaration, declaration_id, on)[:1])


__all__ = [
    "declaration_frame",
    "declaration_records",
    "declarations_frame",
    "inspected_count",
    "items_frame",
    "recent_lane_scores",
]
