"""Trade statistics over N declaration items (default 1,000,000) on SQLite and PostgreSQL.

For each backend: migrate a fresh database, load the reference data, then generate N
single-item declarations by replicating the KCS datasets (train + valid + test, 54,000 rows)
with fresh ids and dates spread over 2019-01..2025-12 (every 10th one turned into an export
to its country of origin), inserted straight into the declarations' tables. Then time:

- the first full build of the statistics' trade cells (``stats refresh --full``);
- a no-change refresh (what every query pays when nothing was lodged);
- recomputing one month (what the first query after a lodgement pays);
- queries through the service (median of ``--repeat`` runs after one warm-up): trade by
  partner for a quarter, a year and five years (FYP14), by chapter for a year, growth of a
  quarter by partner (three periods), FYP14 against FYP13;
- the alternative without aggregates: the same year's GROUP BY over the raw declaration
  tables (``declarations.queries.trade_cells`` for 2021);
- exactness: the quarter and the year by partner recomputed directly from the items one by
  one (``declarations.queries.trade_lines``, each converted at its own month's rate, in
  Decimal), compared to the cent.

    SMARTCUSTOMS_DATA_DIR=../shared/data \\
    SMARTCUSTOMS_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    .venv/bin/python bench/stats_trade.py --items 1000000 --json bench-stats.json
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import random
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import insert
from sqlalchemy.engine import make_url

from smartcustoms.accounts import service as accounts
from smartcustoms.db import migrate
from smartcustoms.db.engine import Database
from smartcustoms.declarations import queries as declarations
from smartcustoms.declarations.service import system_principal
from smartcustoms.declarations.tables import DeclarationItemRow, DeclarationRow
from smartcustoms.reference import service as reference
from smartcustoms.reference.sources import ReferenceSource
from smartcustoms.stats import green, refresh, service
from smartcustoms.stats.model import add_months

KCS = ("df_syn_train_eng.csv", "df_syn_valid_eng.csv", "df_syn_test_eng.csv")
MODES = {"10": "sea", "20": "rail", "30": "road", "40": "air", "50": "post", "90": "unknown"}
CHUNK = 5000
console = Console(stderr=True)


def fresh(backend: str, tmp: Path, pg_url: str | None) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite:///{tmp / f'bench-{uuid.uuid4().hex[:6]}.db'}", None
    assert pg_url
    name = f"sc_bench_{uuid.uuid4().hex[:8]}"
    admin = make_url(pg_url).set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return make_url(pg_url).set(database=name).render_as_string(hide_password=False), name


def drop(pg_url: str, name: str) -> None:
    admin = make_url(pg_url).set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def kcs_rows(data: Path) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for name in KCS:
        with (data / "customs-declarations" / name).open(newline="", encoding="utf-8") as f:
            rows.extend(csv.DictReader(f))
    return rows


def generate(
    rows: list[dict[str, str]], n: int, seed: int = 13
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    rng = random.Random(seed)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(n):
        src = rows[i % len(rows)]
        day = date(2019 + rng.randrange(7), rng.randrange(1, 13), rng.randrange(1, 29))
        export = i % 10 == 9
        origin = src["Country of Origin"] or "ZZ"
        value = Decimal(src["Item Price"] or "0").quantize(Decimal(1))
        mode = MODES.get(src["Mode of Transport"], "unknown")
        decl_id = f"B{i:011d}"
        doc: dict[str, Any] = {
            "reference": f"BENCH-{i}",
            "kind": "export" if export else "import",
            "office": src["Office ID"],
            "transport_mode": mode,
            "invoice_currency": "KRW",
            "incoterm": "CIF",
            "declarant": {"id": src["Declarant ID"], "country": "KR"},
            "items": [{"hs_code": src["HS6 Code"].zfill(6), "origin_country": origin}],
        }
        if export:
            doc["destination_country"] = origin if origin != "KR" else "JP"
        decl = {
            "id": decl_id,
            "economy": "KR",
            "lodged_by": "bench",
            "reference": f"BENCH-{i}",
            "submission_hash": hashlib.sha256(decl_id.encode()).hexdigest(),
            "kind": doc["kind"],
            "status": "released",
            "lane": "green",
            "lane_score": None,
            "lane_reasons": [],
            "version": 1,
            "declaration_date": day,
            "office": src["Office ID"],
            "declarant_id": src["Declarant ID"],
            "trader_id": src["Importer ID"],
            "partner_id": src["Seller ID"] or None,
            "invoice_currency": "KRW",
            "currency": "KRW",
            "customs_value": value,
            "duty_total": Decimal(0),
            "tax_total": Decimal(0),
            "total_due": Decimal(0),
            "document": doc,
            "assessment": None,
            "source": "bench",
            "batch_id": None,
            "created_at": now,
            "updated_at": now,
        }
        item = {
            "declaration_id": decl_id,
            "line_no": 1,
            "hs_code": src["HS6 Code"].zfill(6),
            "origin_country": origin,
            "preference": src["Tax Type"] or None,
            "net_mass_kg": Decimal(src["Net Mass"] or "0"),
            "invoice_value": value,
            "customs_value": value,
            "duty": Decimal(0),
        }
        yield decl, item


def load(db: Database, rows: list[dict[str, str]], n: int) -> float:
    start = time.perf_counter()
    decls: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("generating items", total=n)
        with db.engine.begin() as conn:
            for d, it in generate(rows, n):
                decls.append(d)
                items.append(it)
                if len(decls) >= CHUNK:
                    conn.execute(insert(DeclarationRow), decls)
                    conn.execute(insert(DeclarationItemRow), items)
                    bar.advance(task, len(decls))
                    decls, items = [], []
            if decls:
                conn.execute(insert(DeclarationRow), decls)
                conn.execute(insert(DeclarationItemRow), items)
                bar.advance(task, len(decls))
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return time.perf_counter() - start


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    fn()  # warm-up
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times), result


def cents(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def direct_by_partner(db: Database, first: date, last: date) -> dict[str, tuple[Decimal, Decimal]]:
    """Each item converted at its own month's rate, summed per partner, rounded at the end."""
    end = date.fromordinal(add_months(last, 1).toordinal() - 1)
    rates = reference.rates_per_usd(db.uow(), "KRW", [add_months(first, i) for i in range(121)])
    local: dict[str, Decimal] = defaultdict(Decimal)
    usd: dict[str, Decimal] = defaultdict(Decimal)
    for line in declarations.trade_lines(db.uow(), "KR", first, end):
        local[line.partner] += line.customs_value
        usd[line.partner] += line.customs_value / rates[line.declaration_date.replace(day=1)]
    return {k: (cents(local[k]), cents(usd[k])) for k in local}


def check_exact(db: Database, who: Any, period: str) -> dict[str, Any]:
    result = service.trade(db.uow(), who, period, service.parse_query(by="partner"))
    direct = direct_by_partner(db, result.period.first, result.period.last)
    got = {r.key: (r.value, r.value_usd) for r in result.rows}
    mismatches = [k for k in set(direct) | set(got) if direct.get(k) != got.get(k)]
    return {
        "period": period,
        "partners": len(direct),
        "items": result.total.items,
        "total_value": str(result.total.value),
        "total_usd": str(result.total.value_usd),
        "exact_to_the_cent": not mismatches,
        "mismatches": sorted(mismatches)[:10],
    }


def run_backend(backend: str, data: Path, tmp: Path, pg_url: str | None, n: int,
                repeat: int, rows: list[dict[str, str]]) -> dict[str, Any]:  # fmt: skip
    url, name = fresh(backend, tmp, pg_url)
    try:
        migrate.upgrade(url, "heads")
        db = Database(url)
        reference.load(
            db.uow(),
            ReferenceSource.from_directory(data),
            datasets=["countries", "fx", "hs", "egl"],
        )
        accounts.ensure_apec_economies(db.uow())
        who = system_principal("KR")
        out: dict[str, Any] = {"backend": backend, "items": n}
        out["load_s"] = round(load(db, rows, n), 2)
        console.print(f"{backend}: loaded {n:,} items in {out['load_s']} s")
        t0 = time.perf_counter()
        rep = refresh.refresh(db.uow(), "KR", full=True)
        out["full_build_s"] = round(time.perf_counter() - t0, 2)
        out["cells"] = rep.cells
        console.print(f"{backend}: built {rep.cells:,} cells in {out['full_build_s']} s")

        def one_month() -> int:
            uow = db.uow()
            with uow:
                written = refresh.rebuild(uow, "KR", [date(2021, 5, 1)])
                uow.commit()
                return written

        queries: dict[str, Callable[[], Any]] = {
            "refresh, nothing changed": lambda: refresh.refresh(db.uow(), "KR"),
            "recompute one month (after a lodgement)": one_month,
            "trade by partner, 2021-Q2": lambda: service.trade(
                db.uow(), who, "2021-Q2", service.parse_query(by="partner")
            ),
            "trade by partner, 2021": lambda: service.trade(
                db.uow(), who, "2021", service.parse_query(by="partner")
            ),
            "trade by chapter, 2021": lambda: service.trade(
                db.uow(), who, "2021", service.parse_query(by="chapter")
            ),
            "trade by partner, FYP14 (2021-2025)": lambda: service.trade(
                db.uow(), who, "FYP14", service.parse_query(by="partner", top=20)
            ),
            "trade by subheading, 2021 (top 20)": lambda: service.trade(
                db.uow(), who, "2021", service.parse_query(by="subheading", top=20)
            ),
            "green trade by partner, 2021": lambda: green.green(
                db.uow(), who, "2021", service.parse_query(by="partner", top=20)
            ),
            "growth by partner, 2021-Q2 (3 periods)": lambda: service.growth(
                db.uow(), who, "2021-Q2", service.parse_query(by="partner", top=20)
            ),
            "FYP14 against 2019-2020 by year": lambda: service.compare(
                db.uow(), who, "FYP14", "2019-01..2020-12", service.parse_query(by="total")
            ),
            "no aggregates: raw GROUP BY of 2021": lambda: sum(
                1
                for _ in declarations.trade_cells(
                    db.uow(), "KR", date(2021, 1, 1), date(2021, 12, 31)
                )
            ),
        }
        out["queries"] = {}
        for label, fn in queries.items():
            best, median, _ = timed(fn, repeat if "raw" not in label else max(1, repeat // 2))
            out["queries"][label] = {"best_s": round(best, 4), "median_s": round(median, 4)}
            console.print(f"{backend}: {label}: best {best:.3f} s, median {median:.3f} s")
        out["exactness"] = [check_exact(db, who, p) for p in ("2021-Q2", "2021")]
        console.print(f"{backend}: exactness {out['exactness']}")
        db.dispose()
        return out
    finally:
        if name and pg_url:
            drop(pg_url, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()
    data = Path(os.environ.get("SMARTCUSTOMS_DATA_DIR", "../shared/data"))
    pg_url = os.environ.get("SMARTCUSTOMS_BENCH_POSTGRES_URL")
    rows = kcs_rows(data)
    results: dict[str, Any] = {
        "benchmark": "stats_trade",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()})",
        "items": args.items,
        "backends": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            if backend == "postgres" and not pg_url:
                console.print("postgres: skipped (SMARTCUSTOMS_BENCH_POSTGRES_URL unset)")
                continue
            results["backends"].append(
                run_backend(backend, data, Path(tmp), pg_url, args.items, args.repeat, rows)
            )
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
