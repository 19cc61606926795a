"""Declarations as the risk model's *declaration frame* (:mod:`smartcustoms.risk.ml.frame`).

The declarations feature publishes its declarations in its own vocabulary
(:func:`smartcustoms.declarations.queries.declaration_items`: one SQL select into plain rows,
no ORM object per row, so training on tens of thousands of inspected declarations stays fast);
this module maps them into the frame's columns. :func:`declaration_records` does the same for
one (not yet stored) declaration. Both give the same values as the file reader for the kcs-cdd
profile, so a model trained from files scores stored declarations.

:func:`declarations_frame` has one row per declaration, from its first item (the risk model
describes single-item declarations; rules look at every item through :func:`items_frame`).
Labels come from recorded inspection results: ``fraud`` = 1 when an inspection found a
discrepancy or seized the goods, ``critical_fraud`` = 2 when it was marked critical (the
kcs-cdd profile maps ``Critical Fraud`` code 2 to critical), 1 for other frauds, 0 otherwise;
uninspected declarations have NaN labels.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations import queries
from smartcustoms.declarations.model import Declaration

__all__ = [
    "declaration_records",
    "declarations_frame",
    "items_frame",
    "recent_lane_scores",
]

_STRING_COLUMNS = (
    "office", "process_type", "import_type", "import_use", "payment_type", "transport_mode",
    "declarant_id", "importer_id", "seller_id", "courier_id", "hs_code", "departure_country",
    "origin_country", "tax_type", "origin_indicator",
)  # fmt: skip
_NUMERIC_COLUMNS = ("tax_rate", "net_mass_kg", "item_value")

_RENAMED = {
    "declaration_date": "date",
    "national_process_type": "process_type",
    "national_import_type": "import_type",
    "national_import_use": "import_use",
    "national_payment_type": "payment_type",
    "first_declared_duty_rate": "tax_rate",
    "preference": "tax_type",
    "first_origin_indicator": "origin_indicator",
    "invoice_value": "item_value",
}
"""Declarations' column names (:data:`~smartcustoms.declarations.queries.ITEM_COLUMNS`) that
the frame calls otherwise; the others keep their names."""


def _to_frame(table: queries.ItemTable) -> pd.DataFrame:
    raw = pd.DataFrame.from_records(table.rows, columns=list(table.columns))
    # The national transport mode code (kcs-cdd) wins over the document's transport mode.
    national = raw["national_transport_mode_code"]
    raw["transport_mode"] = national.where(national.notna(), raw["transport_mode"])
    raw = raw.rename(columns=_RENAMED)
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
    table = queries.declaration_items(
        uow,
        economy,
        since=since,
        until=until,
        inspected_only=inspected_only,
        first_item_only=first_item_only,
    )
    frame = _to_frame(table)
    if inspected_only:
        frame["fraud"] = frame["fraud"].astype(np.int64)
        frame["critical_fraud"] = frame["critical_fraud"].astype(np.int64)
    return frame


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
    ``assessed_since``. The lane thresholds are recalibrated on them; reading them from the
    database lets every web worker compute the same thresholds for a day."""
    rows = queries.recent_lane_scores(
        uow, economy, before=before, assessed_since=assessed_since, limit=limit
    )
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
