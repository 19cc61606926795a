"""Queries and bulk writes for e-commerce clearance. Never commits (the service does).

Parcels and items go in by the hundred thousand: ``executemany`` of plain tuples on SQLite,
``COPY ... FROM STDIN`` on PostgreSQL, both on the unit of work's own connection so they belong
to its transaction (a rejected manifest rolls back whole).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session

from smartcustoms.db.types import SCALE
from smartcustoms.ecommerce.tables import (
    EcomItemRow,
    EcomManifestRow,
    EcomNormRow,
    EcomParcelRow,
    EcomPartyKeyRow,
    EcomRecordRow,
    EcomRegimeRow,
    EcomSettingsRow,
)

__all__ = ["PARCEL_COLUMNS", "EcommerceRepository"]

PARCEL_COLUMNS = (
    "economy",
    "waybill",
    "manifest_id",
    "line_no",
    "arrival_date",
    "order_no",
    "platform",
    "carrier",
    "seller",
    "buyer_hash",
    "address_hash",
    "region",
    "origin",
    "hs_main",
    "items",
    "currency",
    "value",
    "freight",
    "insurance",
    "gross_weight",
    "vendor_tax_id",
    "duty",
    "tax",
    "decision",
    "score",
    "signals",
    "reasons",
    "status",
)
ITEM_COLUMNS = (
    "economy",
    "waybill",
    "line_no",
    "description",
    "hs_code",
    "quantity",
    "unit_price",
    "currency",
    "origin",
    "value",
    "duty",
    "tax",
)
_AMOUNTS = {"value", "freight", "insurance", "duty", "tax", "unit_price"}
_IN_CHUNK = 5000


class EcommerceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    # -- regimes and settings ---------------------------------------------------------------
    def regimes(self, economy: str) -> list[EcomRegimeRow]:
        stmt = select(EcomRegimeRow).where(EcomRegimeRow.economy == economy)
        return list(self.session.scalars(stmt.order_by(EcomRegimeRow.effective_from)))

    def regime_at(self, economy: str, on: date) -> EcomRegimeRow | None:
        stmt = select(EcomRegimeRow).where(
            EcomRegimeRow.economy == economy, EcomRegimeRow.effective_from == on
        )
        return self.session.scalars(stmt).first()

    def settings(self, economy: str) -> EcomSettingsRow | None:
        return self.session.get(EcomSettingsRow, economy)

    def add(self, row: Any) -> None:
        self.session.add(row)
        self.session.flush()

    # -- manifests --------------------------------------------------------------------------
    def manifest(self, manifest_id: str) -> EcomManifestRow | None:
        return self.session.get(EcomManifestRow, manifest_id)

    def manifest_by_hash(self, economy: str, sha: str) -> EcomManifestRow | None:
        stmt = select(EcomManifestRow).where(
            EcomManifestRow.economy == economy, EcomManifestRow.content_sha256 == sha
        )
        return self.session.scalars(stmt).first()

    def manifests(self, economy: str, limit: int, offset: int = 0) -> list[EcomManifestRow]:
        stmt = (
            select(EcomManifestRow)
            .where(EcomManifestRow.economy == economy)
            .order_by(EcomManifestRow.created_at.desc(), EcomManifestRow.id)
            .limit(limit)
            .offset(offset)
        )
        return list(self.session.scalars(stmt))

    # -- parcels: reads ---------------------------------------------------------------------
    def existing_waybills(self, economy: str, waybills: Sequence[str]) -> set[str]:
        found: set[str] = set()
        col = EcomParcelRow.waybill
        for start in range(0, len(waybills), _IN_CHUNK):
            part = list(waybills[start : start + _IN_CHUNK])
            stmt = select(col).where(EcomParcelRow.economy == economy, col.in_(part))
            found.update(self.session.scalars(stmt))
        return found

    def window_totals(
        self, economy: str, first: date, last: date, low_threshold: Decimal | None, cif: bool
    ) -> tuple[
        dict[str, tuple[int, float]],
        dict[str, tuple[int, float]],
        dict[str, int],
        dict[str, tuple[int, float]],
    ]:
        """Per buyer, per address and per buyer and seller: (parcels, value); per seller:
        low-value parcels."""
        p = EcomParcelRow
        basis = p.value + p.freight + p.insurance if cif else p.value
        where = (p.economy == economy, p.arrival_date >= first, p.arrival_date <= last)
        out: list[dict[str, tuple[int, float]]] = []
        for col in (p.buyer_hash, p.address_hash):
            stmt = select(col, func.count(), func.sum(basis)).where(*where).group_by(col)
            out.append({k: (int(c), float(s or 0)) for k, c, s in self.session.execute(stmt)})
        low = (
            func.sum(case((basis <= low_threshold, 1), else_=0))
            if low_threshold is not None
            else func.count()
        )
        stmt = select(p.seller, low).where(*where).group_by(p.seller)
        sellers = {k: int(c or 0) for k, c in self.session.execute(stmt)}
        stmt = (
            select(p.buyer_hash, p.seller, func.count(), func.sum(basis))
            .where(*where)
            .group_by(p.buyer_hash, p.seller)
        )
        pairs = {f"{b}|{s}": (int(c), float(v or 0)) for b, s, c, v in self.session.execute(stmt)}
        return out[0], out[1], sellers, pairs

    def year_totals(self, economy: str, first: date, last: date) -> dict[str, float]:
        p = EcomParcelRow
        stmt = (
            select(p.buyer_hash, func.sum(p.value))
            .where(p.economy == economy, p.arrival_date >= first, p.arrival_date <= last)
            .group_by(p.buyer_hash)
        )
        return {k: float(v or 0) for k, v in self.session.execute(stmt)}

    def recent_scores(self, economy: str, first: date, last: date) -> np.ndarray:
        p = EcomParcelRow
        stmt = (
            select(p.score, func.count())
            .where(p.economy == economy, p.arrival_date >= first, p.arrival_date <= last)
            .group_by(p.score)
        )
        rows = list(self.session.execute(stmt))
        if not rows:
            return np.zeros(0)
        scores = np.array([r[0] for r in rows], dtype=np.float64)
        counts = np.array([r[1] for r in rows], dtype=np.int64)
        return np.repeat(scores, counts)

    def parcel(self, economy: str, waybill: str) -> EcomParcelRow | None:
        return self.session.get(EcomParcelRow, (economy, waybill))

    def items_of(self, economy: str, waybill: str) -> list[EcomItemRow]:
        stmt = (
            select(EcomItemRow)
            .where(EcomItemRow.economy == economy, EcomItemRow.waybill == waybill)
            .order_by(EcomItemRow.line_no)
        )
        return list(self.session.scalars(stmt))

    def parcels_of(
        self, economy: str, manifest_id: str, decision: str | None, limit: int, offset: int
    ) -> list[EcomParcelRow]:
        stmt = select(EcomParcelRow).where(
            EcomParcelRow.economy == economy, EcomParcelRow.manifest_id == manifest_id
        )
        if decision:
            stmt = stmt.where(EcomParcelRow.decision == decision)
        stmt = stmt.order_by(EcomParcelRow.line_no).limit(limit).offset(offset)
        return list(self.session.scalars(stmt))

    def queue(
        self, economy: str, decision: str | None, limit: int, offset: int
    ) -> list[EcomParcelRow]:
        p = EcomParcelRow
        kinds = [decision] if decision else ["inspect", "hold"]
        stmt = (
            select(p)
            .where(p.economy == economy, p.status == "open", p.decision.in_(kinds))
            .order_by(p.decision.desc(), p.score.desc(), p.waybill)
            .limit(limit)
            .offset(offset)
        )
        return list(self.session.scalars(stmt))

    def set_result(
        self, economy: str, waybill: str, result: str, note: str, by: str, at: datetime
    ) -> bool:
        """Compare-and-set: only an open parcel takes a result."""
        p = EcomParcelRow
        stmt = (
            update(p)
            .where(p.economy == economy, p.waybill == waybill, p.status == "open")
            .values(status="closed", result=result, result_note=note, result_by=by, result_at=at)
        )
        return bool(self.session.execute(stmt).rowcount)  # type: ignore[attr-defined]

    def set_decision(
        self, economy: str, waybill: str, decision: str, status: str, reasons: str
    ) -> None:
        p = EcomParcelRow
        self.session.execute(
            update(p)
            .where(p.economy == economy, p.waybill == waybill)
            .values(decision=decision, status=status, reasons=reasons)
        )

    # -- statistics for charts ---------------------------------------------------------------
    def per_day(self, economy: str, first: date, last: date) -> list[tuple[date, int, Any, Any]]:
        p = EcomParcelRow
        stmt = (
            select(p.arrival_date, func.count(), func.sum(p.duty), func.sum(p.tax))
            .where(p.economy == economy, p.arrival_date >= first, p.arrival_date <= last)
            .group_by(p.arrival_date)
            .order_by(p.arrival_date)
        )
        return [(r[0], int(r[1]), r[2], r[3]) for r in self.session.execute(stmt)]

    def by_decision(self, economy: str, first: date, last: date) -> dict[str, int]:
        p = EcomParcelRow
        stmt = (
            select(p.decision, func.count())
            .where(p.economy == economy, p.arrival_date >= first, p.arrival_date <= last)
            .group_by(p.decision)
        )
        return {str(k): int(v) for k, v in self.session.execute(stmt)}

    def top_chapters(self, economy: str, first: date, last: date, n: int) -> list[tuple[str, int]]:
        p = EcomParcelRow
        chapter = func.substr(p.hs_main, 1, 2)
        stmt = (
            select(chapter, func.count())
            .where(p.economy == economy, p.arrival_date >= first, p.arrival_date <= last)
            .group_by(chapter)
            .order_by(func.count().desc(), chapter)
            .limit(n)
        )
        return [(str(k), int(v)) for k, v in self.session.execute(stmt)]

    # -- norms ------------------------------------------------------------------------------
    def unit_prices(self, economy: str, first: date, last: date) -> pd.DataFrame:
        i, p = EcomItemRow, EcomParcelRow
        stmt = (
            select(func.substr(i.hs_code, 1, 6), i.value, i.quantity)
            .join(p, (p.economy == i.economy) & (p.waybill == i.waybill))
            .where(
                i.economy == economy,
                i.hs_code != "",
                p.arrival_date >= first,
                p.arrival_date <= last,
                p.decision != "refuse",
            )
        )
        rows = self.session.execute(stmt).all()
        return pd.DataFrame(
            [(h, float(v), float(q)) for h, v, q in rows], columns=["hs6", "value", "qty"]
        )

    def norms(self, economy: str) -> dict[str, float]:
        stmt = select(EcomNormRow.hs6, EcomNormRow.log_usd).where(EcomNormRow.economy == economy)
        return {h: float(v) for h, v in self.session.execute(stmt)}

    def replace_norms(self, economy: str, rows: Iterable[EcomNormRow]) -> None:
        self.session.execute(delete(EcomNormRow).where(EcomNormRow.economy == economy))
        self.session.add_all(list(rows))
        self.session.flush()

    # -- party keys and three-order records ----------------------------------------------------
    def party_key(self, economy: str, party_id: str) -> EcomPartyKeyRow | None:
        return self.session.get(EcomPartyKeyRow, (economy, party_id))

    def party_keys(self, economy: str) -> list[EcomPartyKeyRow]:
        stmt = select(EcomPartyKeyRow).where(EcomPartyKeyRow.economy == economy)
        return list(self.session.scalars(stmt.order_by(EcomPartyKeyRow.party_id)))

    def record(self, economy: str, kind: str, order_no: str) -> EcomRecordRow | None:
        return self.session.get(EcomRecordRow, (economy, kind, order_no))

    def records_for(self, economy: str, order_nos: Sequence[str]) -> list[EcomRecordRow]:
        out: list[EcomRecordRow] = []
        for start in range(0, len(order_nos), _IN_CHUNK):
            part = list(order_nos[start : start + _IN_CHUNK])
            stmt = select(EcomRecordRow).where(
                EcomRecordRow.economy == economy, EcomRecordRow.order_no.in_(part)
            )
            out.extend(self.session.scalars(stmt))
        return out

    def waiting_parcels(self, economy: str, wait_bit: int) -> list[EcomParcelRow]:
        p = EcomParcelRow
        stmt = select(p).where(
            p.economy == economy,
            p.status == "open",
            p.decision == "hold",
            p.signals.op("&")(wait_bit) != 0,
        )
        return list(self.session.scalars(stmt.order_by(p.arrival_date, p.waybill)))

    def open_parcels_for_orders(
        self, economy: str, order_nos: Sequence[str]
    ) -> list[EcomParcelRow]:
        stmt = select(EcomParcelRow).where(
            EcomParcelRow.economy == economy, EcomParcelRow.order_no.in_(list(order_nos))
        )
        return list(self.session.scalars(stmt))

    # -- bulk writes -------------------------------------------------------------------------
    def bulk_insert(self, parcels: pd.DataFrame, items: pd.DataFrame) -> None:
        if parcels.empty:
            return
        self._insert("ecom_parcels", PARCEL_COLUMNS, parcels)
        self._insert("ecom_items", ITEM_COLUMNS, items)

    def _insert(self, table: str, columns: Sequence[str], frame: pd.DataFrame) -> None:
        pg = self.dialect == "postgresql"
        cols: list[Any] = []
        for c in columns:
            s = frame[c]
            if c in _AMOUNTS:
                v = s.to_numpy(dtype=np.float64)
                if pg:
                    cols.append([f"{x:.4f}" for x in v])
                else:
                    cols.append(np.rint(v * 10**SCALE).astype(np.int64).tolist())
            elif c == "arrival_date":
                cols.append([d.isoformat() for d in s] if not pg else list(s))
            else:
                cols.append(s.tolist())
        rows = list(zip(*cols, strict=True))
        dbapi = self.session.connection().connection.dbapi_connection
        assert dbapi is not None
        if pg:
            names = ", ".join(columns)
            with dbapi.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            cur = dbapi.cursor()
            cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
            cur.close()
