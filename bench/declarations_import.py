"""Time the kcs-cdd import of the KCS test split (8,481 rows) and validation throughput.

For each backend: migrate a fresh database, load the reference data, then time
``declarations import df_syn_test_eng.csv --profile kcs-cdd`` end to end (read, map, validate,
assess, bulk insert, audit chain) and ``audit verify``; separately, time pure validation
(``read_document``) of every row in memory. Prints measured figures, machine and date.

    SMARTCUSTOMS_DATA_DIR=../shared/data \\
    SMARTCUSTOMS_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    .venv/bin/python bench/declarations_import.py --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from smartcustoms.accounts import service as accounts
from smartcustoms.audit import service as audit_service
from smartcustoms.db import migrate
from smartcustoms.db.engine import Database
from smartcustoms.declarations import service
from smartcustoms.declarations.intake import importing
from smartcustoms.declarations.intake.mapping import read_records
from smartcustoms.declarations.intake.profiles import load_profile
from smartcustoms.declarations.intake.validation import read_document
from smartcustoms.reference import service as reference
from smartcustoms.reference.sources import ReferenceSource

SPLIT = Path("customs-declarations") / "df_syn_test_eng.csv"


def fresh(backend: str, tmp: Path, pg_url: str | None) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite:///{tmp / f'bench-{uuid.uuid4().hex[:6]}.db'}", None
    assert pg_url
    name = f"sc_bench_{uuid.uuid4().hex[:8]}"
    admin = make_url(pg_url).set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    return url, name


def drop(pg_url: str, name: str) -> None:
    admin = make_url(pg_url).set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_once(
    backend: str, data: Path, tmp: Path, pg_url: str | None, chunk_size: int
) -> tuple[float, float]:
    url, name = fresh(backend, tmp, pg_url)
    try:
        migrate.upgrade(url, "heads")
        db = Database(url)
        reference.load(db.uow(), ReferenceSource.from_directory(data))
        accounts.ensure_apec_economies(db.uow())
        started = time.perf_counter()
        report = importing.import_file(
            db.uow(), service.system_principal("KR"), data / SPLIT, chunk_size=chunk_size
        )
        imported = time.perf_counter() - started
        assert report.stored == 8481, report
        started = time.perf_counter()
        assert audit_service.verify(db.uow()).ok
        verified = time.perf_counter() - started
        db.dispose()
        return imported, verified
    finally:
        if name and pg_url:
            drop(pg_url, name)


def validation_rate(data: Path) -> tuple[int, float]:
    profile = load_profile("kcs-cdd")
    docs = [m.document for m in read_records(data / SPLIT, profile)]
    started = time.perf_counter()
    for doc in docs:
        read_document(doc, economy="KR", today=date(2021, 7, 1), policy=profile.policy)
    return len(docs), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--chunk-size", type=int, default=importing.CHUNK_ROWS, help="rows per transaction"
    )
    parser.add_argument("--json", type=Path, default=Path("bench/declarations_import.json"))
    args = parser.parse_args()
    data = Path(os.environ.get("SMARTCUSTOMS_DATA_DIR", "../shared/data"))
    pg_url = os.environ.get("SMARTCUSTOMS_BENCH_POSTGRES_URL")
    measured = datetime.now(UTC)
    results: dict[str, object] = {
        "measured": measured.isoformat(timespec="minutes"),
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} CPUs",
        "chunk_size": args.chunk_size,
    }
    print(
        f"measured {measured:%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()})"
    )
    n, seconds = validation_rate(data)
    results["validation_per_second"] = round(n / seconds)
    print(
        f"validation (read_document, in memory): {n} declarations in {seconds:.2f} s = "
        f"{n / seconds:,.0f} per second"
    )
    backends = ["sqlite"] + (["postgres"] if pg_url else [])
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            runs = [
                run_once(backend, data, Path(tmp), pg_url, args.chunk_size)
                for _ in range(args.repeat)
            ]
            imports = [r[0] for r in runs]
            verifies = [r[1] for r in runs]
            print(
                f"{backend:<9} import 8,481 rows: best {min(imports):.2f} s, median "
                f"{statistics.median(imports):.2f} s ({8481 / min(imports):,.0f} rows/s); "
                f"audit verify 8,482 links: best {min(verifies):.2f} s "
                f"(chunks of {args.chunk_size:,} rows)"
            )
            results[backend] = {
                "import_best_s": round(min(imports), 3),
                "import_median_s": round(statistics.median(imports), 3),
                "verify_best_s": round(min(verifies), 3),
            }
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
