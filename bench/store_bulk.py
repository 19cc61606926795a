"""Storing a lodged batch: ``DeclarationRepository.bulk_insert`` + ``AuditLog.append``, the
bulk writer (executemany on SQLite, COPY on PostgreSQL; orjson audit bodies) against the ORM
path it replaced.

Rows as ``declarations.intake.lodging.lodge`` builds them (a real document from
``to_document``, a real duty assessment from ``assess_duties``, a lane decision with three
explanations, three items, an inspection result for one declaration in ten) and three audit
events each (submit, assess, route), built once and stored in one transaction into a fresh
migrated database, per backend (SQLite; PostgreSQL when ``SMARTCUSTOMS_BENCH_POSTGRES_URL`` or
``SMARTCUSTOMS_TEST_POSTGRES_URL`` is set), per path:

- ``orm``: what ``bulk_insert`` and ``append`` did before (``session.execute(insert(Table),
  chunk)`` per 2,000 / 5,000 rows, ``json.dumps`` bodies, the engine's NUL guard as it was),
  kept here as the reference;
- ``bulk``: the current code.

The best of ``--repeat`` runs is reported, with the CPU time of this process and, on a local
PostgreSQL, of its server process (the machine is shared: wall time follows the load, CPU time
much less).

    SMARTCUSTOMS_DATA_DIR=../shared/data .venv/bin/python bench/store_bulk.py --declarations 20000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _benchkit import (
    drop_postgres,
    fresh_database,
    load_average,
    machine_line,
    now,
    postgres_url,
    quick,
    write_result,
)
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from smartcustoms.audit.log import GENESIS, AuditEvent, AuditLog, link_hash
from smartcustoms.audit.tables import AuditEntryRow, AuditHeadRow
from smartcustoms.core.clock import as_utc
from smartcustoms.core.ids import new_id
from smartcustoms.db import engine as engine_module
from smartcustoms.db import migrate
from smartcustoms.db.engine import Database
from smartcustoms.declarations.document import assessment_to_dict, from_document, to_document
from smartcustoms.declarations.repository import DeclarationRepository
from smartcustoms.declarations.tables import (
    DeclarationItemRow,
    DeclarationRow,
    InspectionResultRow,
)
from smartcustoms.tariff.duties import FxRate, assess_duties
from smartcustoms.tariff.model import ScheduleSettings, SpecificUnit, TariffLine, TariffSchedule

DOCUMENT: dict[str, Any] = {
    "reference": "INV-2021-0042",
    "kind": "import",
    "date": "2021-05-14",
    "office": "020",
    "transport_mode": "sea",
    "invoice_currency": "USD",
    "incoterm": "FOB",
    "freight": "100",
    "insurance": "20",
    "declarant": {"id": "BRK-001", "name": "Han Customs Brokers", "country": "KR"},
    "importer": {"id": "IMP-778", "name": "Seoul Trading", "country": "KR"},
    "seller": {"id": "SEL-12", "country": "CN"},
    "departure_country": "CN",
    "items": [
        {
            "hs_code": "850760",
            "description": "Lithium-ion battery packs",
            "origin_country": "CN",
            "net_mass_kg": "180",
            "gross_mass_kg": "200",
            "invoice_value": "3000",
            "preference": "FCN1",
        },
        {
            "hs_code": "610910",
            "description": "Cotton T-shirts",
            "origin_country": "VN",
            "quantity": "200",
            "unit": "PCE",
            "net_mass_kg": "40",
            "invoice_value": "2000",
        },
        {
            "hs_code": "020130",
            "description": "Fresh boneless beef",
            "origin_country": "AU",
            "net_mass_kg": "50",
            "gross_mass_kg": "55",
            "invoice_value": "1000",
        },
    ],
    "national": {"CDD_TYPE": "11", "PROCESS": "A", "FTA": "KCFTA"},
}

SCHEDULE = TariffSchedule(
    ScheduleSettings(
        economy="KR",
        vat_rate=Decimal(10),
        de_minimis_amount=Decimal(150),
        de_minimis_currency="USD",
        default_rate_type="A",
        source="bench",
    ),
    [
        TariffLine("85", "A", Decimal(8)),
        TariffLine("850760", "FCN1", Decimal(0), origins=frozenset({"CN"})),
        TariffLine("6109", "A", Decimal(13), Decimal(500), SpecificUnit.UNIT),
        TariffLine("0201", "A", Decimal(40), Decimal(1000), SpecificUnit.KG),
    ],
)


def fx(currency: str, on: date) -> FxRate:
    per_usd = {"USD": Decimal(1), "KRW": Decimal("1287.35")}[currency]
    return FxRate(currency, on.replace(day=1), per_usd, "bench")


def build(n: int, at: datetime) -> tuple[list[dict[str, Any]], ...]:
    """``n`` declarations (100 distinct documents, fresh ids and references) as lodge builds
    them: declaration rows, item rows, inspection rows, audit events."""
    templates = []
    for v in range(100):
        doc = json.loads(json.dumps(DOCUMENT))
        for k, it in enumerate(doc["items"]):
            it["invoice_value"] = str(Decimal(it["invoice_value"]) + v * 17 + k)
            it["net_mass_kg"] = str(Decimal(it["net_mass_kg"]) + Decimal(v) / 8)
        d = from_document(doc)
        a = assess_duties(
            d, economy="KR", currency="KRW", on=date(2021, 5, 14), schedule=SCHEDULE, fx=fx
        )
        templates.append((doc, a))
    declarations, items, inspections, events = [], [], [], []
    for i in range(n):
        doc, a = templates[i % len(templates)]
        doc = {**doc, "reference": f"INV-{i:08d}"}
        d = from_document(doc)
        ident = new_id()
        score = 0.01 + (i % 97) / 100
        lane = "red" if i % 10 == 0 else "yellow" if i % 10 < 3 else "green"
        explanations = [
            {
                "feature": "importer_fraud_rate",
                "contribution": 0.41,
                "text": "importer's past findings",
            },
            {"feature": "hs_fraud_rate", "contribution": 0.12, "text": "goods often misdeclared"},
            {"feature": "value_per_kg", "contribution": -0.05, "text": "value per kg usual"},
        ]
        declarations.append(
            {
                "id": ident,
                "economy": "KR",
                "lodged_by": "u-declarant",
                "reference": d.reference,
                "submission_hash": f"{i:064x}",
                "kind": d.kind.value,
                "status": "inspection" if lane == "red" else "released",
                "lane": lane,
                "lane_score": score,
                "lane_reasons": [f"model score {score:.2f}"],
                "lane_model_version": "bench-model-1",
                "lane_rules_fired": [],
                "lane_explanations": explanations,
                "version": 1,
                "declaration_date": d.date,
                "office": d.office,
                "declarant_id": d.declarant.id,
                "trader_id": d.trader.id if d.trader else None,
                "partner_id": d.partner.id if d.partner else None,
                "invoice_currency": d.invoice_currency,
                "currency": a.currency,
                "customs_value": a.customs_value,
                "duty_total": a.duty_total,
                "tax_total": a.tax_total,
                "total_due": a.total,
                "document": to_document(d),
                "assessment": assessment_to_dict(a),
                "source": "bench",
                "batch_id": None,
                "created_at": at,
                "updated_at": at,
            }
        )
        for k, it in enumerate(d.items):
            items.append(
                {
                    "declaration_id": ident,
                    "line_no": k + 1,
                    "hs_code": it.hs_code,
                    "origin_country": it.origin_country,
                    "preference": it.preference,
                    "net_mass_kg": it.net_mass_kg,
                    "invoice_value": it.invoice_value,
                    "customs_value": a.valuation[k].customs_value,
                    "duty": Decimal("12.5") * (k + 1),
                }
            )
        if lane == "red":
            inspections.append(
                {
                    "id": new_id(),
                    "declaration_id": ident,
                    "economy": "KR",
                    "outcome": "no_discrepancy",
                    "fraud": False,
                    "critical": False,
                    "revenue_adjustment": None,
                    "notes": "",
                    "recorded_by": "u-declarant",
                    "recorded_at": at,
                    "source": "bench",
                }
            )
        submitted = {"status": "submitted", "lane": None, "version": 1}
        assessed = {"status": "assessed", "lane": None, "version": 1}
        events += [
            AuditEvent(
                "declaration", ident, "submit", "u-declarant", at, None,
                {**submitted, "document_hash": f"{i:064x}", "reference": d.reference},
            ),
            AuditEvent(
                "declaration", ident, "assess", "system", at, submitted,
                {**assessed, "customs_value": str(a.customs_value), "total_due": str(a.total),
                 "currency": a.currency},
            ),
            AuditEvent(
                "declaration", ident, "route", "system", at, assessed,
                {"status": "released", "lane": lane, "version": 1, "score": score,
                 "reasons": [f"model score {score:.2f}"], "rules_fired": [],
                 "model_version": "bench-model-1", "signals": []},
            ),
        ]  # fmt: skip
    return declarations, items, inspections, events  # type: ignore[return-value]


# --- the ORM path as it was (the reference) ----------------------------------------------------

_OLD_JSON_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def old_has_nul(params: Any) -> bool:
    if isinstance(params, str):
        return "\x00" in params or ("\\u0000" in params and bool(_OLD_JSON_NUL.search(params)))
    if isinstance(params, dict):
        return any(old_has_nul(v) for v in params.values())
    if isinstance(params, (list, tuple)):
        return any(old_has_nul(v) for v in params)
    return False


def old_bulk_insert(session: Session, declarations: Any, items: Any, inspections: Any) -> None:
    for table, rows in (
        (DeclarationRow, declarations),
        (DeclarationItemRow, items),
        (InspectionResultRow, inspections),
    ):
        for start in range(0, len(rows), 2000):
            session.execute(insert(table), rows[start : start + 2000])


def old_append(session: Session, chain: str, events: list[AuditEvent]) -> None:
    head = session.scalars(
        select(AuditHeadRow).where(AuditHeadRow.chain == chain).with_for_update()
    ).one_or_none()
    if head is None:
        head = AuditHeadRow(chain=chain, seq=0, hash=GENESIS)
        session.add(head)
    seq, prev = head.seq, head.hash
    rows = []
    for e in events:
        seq += 1
        body = json.dumps(
            {
                "chain": chain, "seq": seq, "at": as_utc(e.at).isoformat(), "actor": e.actor,
                "action": e.action, "entity_kind": e.entity_kind, "entity_id": e.entity_id,
                "before": e.before, "after": e.after, "note": e.note,
            },
            sort_keys=True, separators=(",", ":"), ensure_ascii=False,
        )  # fmt: skip
        digest = link_hash(prev, body)
        rows.append(
            {
                "chain": chain, "seq": seq, "entity_kind": e.entity_kind,
                "entity_id": e.entity_id, "action": e.action, "actor": e.actor, "at": e.at,
                "body": body, "prev_hash": prev, "hash": digest,
            }
        )  # fmt: skip
        prev = digest
    for start in range(0, len(rows), 5000):
        session.execute(insert(AuditEntryRow), rows[start : start + 5000])
    head.seq, head.hash = seq, prev
    session.flush()


# --- runs --------------------------------------------------------------------------------------


def run(url: str, path: str, data: tuple[list[Any], ...]) -> dict[str, float]:
    declarations, items, inspections, events = data
    db = Database(url)
    saved = engine_module._has_nul
    if path == "orm":
        engine_module._has_nul = old_has_nul
    try:
        with db.uow() as uow:
            s = uow.session
            backend = _backend(s)
            server0 = _server_cpu(backend)
            cpu0 = time.process_time()
            t0 = time.perf_counter()
            if path == "orm":
                old_bulk_insert(s, declarations, items, inspections)
            else:
                uow.repo(DeclarationRepository).bulk_insert(declarations, items, inspections)
            t1 = time.perf_counter()
            if path == "orm":
                old_append(s, "KR", events)
            else:
                uow.repo(AuditLog).append("KR", events)
            t2 = time.perf_counter()
            uow.commit()
            t3 = time.perf_counter()
            cpu = time.process_time() - cpu0
            server = _server_cpu(backend) - server0
        with db.uow() as uow:
            report = uow.repo(AuditLog).verify()
            assert report.ok and report.entries == len(events), report
    finally:
        engine_module._has_nul = saved
        db.dispose()
    return {
        "insert_s": t1 - t0,
        "audit_s": t2 - t1,
        "commit_s": t3 - t2,
        "total_s": t3 - t0,
        "cpu_s": cpu,
        "server_cpu_s": server,
    }


def _backend(session: Session) -> int | None:
    """The PostgreSQL server process of this session (None on SQLite, which runs in ours)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    return int(session.scalar(text("SELECT pg_backend_pid()")) or 0)


def _server_cpu(pid: int | None) -> float:
    """CPU seconds of the server process, when it runs on this machine (0 otherwise)."""
    stat = Path(f"/proc/{pid}/stat")
    if pid is None or not stat.exists():
        return 0.0
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--declarations", type=int, default=2_000 if quick() else 20_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    pg = postgres_url()
    backends = [b for b in args.backends.split(",") if b == "sqlite" or (b == "postgres" and pg)]
    print(f"measured {now()} on {machine_line()}; load average {load_average()}")
    data = build(args.declarations, datetime(2026, 11, 30, 9, 0, 0, 123456, tzinfo=UTC))
    n_items, n_events = len(data[1]), len(data[3])
    print(
        f"{args.declarations:,} declarations, {n_items:,} items, {len(data[2]):,} inspections,"
        f" {n_events:,} audit events"
    )
    results: dict[str, Any] = {
        "declarations": args.declarations,
        "items": n_items,
        "audit_events": n_events,
        "runs": {},
    }
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for backend in backends:
            for path in ("orm", "bulk"):
                best: dict[str, float] | None = None
                for _ in range(args.repeat):
                    url, name = fresh_database(backend, tmp, pg)
                    try:
                        migrate.upgrade(url, "heads")
                        r = run(url, path, data)
                    finally:
                        if name and pg:
                            drop_postgres(pg, name)
                    if best is None or r["total_s"] < best["total_s"]:
                        best = r
                assert best is not None
                best = {k: round(v, 3) for k, v in best.items()}
                best["items_per_s"] = round(n_items / best["total_s"])
                results["runs"][f"{backend}/{path}"] = best
                print(
                    f"{backend:8} {path:4}  bulk_insert {best['insert_s']:6.2f} s"
                    f"  audit append {best['audit_s']:6.2f} s  commit {best['commit_s']:5.2f} s"
                    f"  total {best['total_s']:6.2f} s  ({best['items_per_s']:,} items/s)"
                    f"  CPU: this process {best['cpu_s']:5.2f} s,"
                    f" PostgreSQL server {best['server_cpu_s']:5.2f} s"
                )
    results["load_average_end"] = load_average()
    if args.json:
        write_result("store_bulk", results, args.json)


if __name__ == "__main__":
    main()
