"""Time to load each reference dataset on SQLite and PostgreSQL; prints what it measured.

    SMARTCUSTOMS_DATA_DIR=../shared/data \
    SMARTCUSTOMS_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres \
    .venv/bin/python bench/reference_load.py [--repeat 3]

Each run migrates a fresh database (a temporary SQLite file; a scratch PostgreSQL database
that is dropped afterwards), then loads every dataset in one transaction and reports the
seconds spent per dataset (parse + write) and the total, best and median over the repeats.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from smartcustoms.db import migrate
from smartcustoms.db.engine import Database
from smartcustoms.reference import service
from smartcustoms.reference.model import DATASETS
from smartcustoms.reference.sources import ReferenceSource


def run_once(url: str, source: ReferenceSource) -> dict[str, float]:
    migrate.upgrade(url, "heads")
    db = Database(url)
    try:
        report = service.load(db.uow(), source)
    finally:
        db.dispose()
    return {**report.timings, "total": report.seconds}


def sqlite_url(tmp: Path) -> str:
    return f"sqlite:///{tmp / f'bench-{uuid.uuid4().hex[:8]}.db'}"


def postgres_once(server: str, source: ReferenceSource) -> dict[str, float]:
    admin = make_url(server).set(drivername="postgresql", database="postgres")
    name = f"sc_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
        return run_once(url, source)
    finally:
        with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data_dir = os.environ.get("SMARTCUSTOMS_DATA_DIR")
    if not data_dir:
        raise SystemExit("set SMARTCUSTOMS_DATA_DIR to the shared data directory")
    source = ReferenceSource.from_directory(data_dir)
    backends: dict[str, list[dict[str, float]]] = {"sqlite": []}
    pg = os.environ.get("SMARTCUSTOMS_BENCH_POSTGRES_URL")
    if pg:
        backends["postgresql"] = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):
            backends["sqlite"].append(run_once(sqlite_url(Path(tmp)), source))
            if pg:
                backends["postgresql"].append(postgres_once(pg, source))
    print(f"Reference data load — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"machine: {platform.node()} · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"{platform.system()} {platform.release()} · Python {platform.python_version()}"
    )
    print(f"data: {data_dir} · repeats: {args.repeat} · seconds, best / median")
    header = f"{'dataset':<10}" + "".join(f"{b:>22}" for b in backends)
    print(header)
    for key in [*DATASETS, "total"]:
        cells = []
        for runs in backends.values():
            values = [r[key] for r in runs if key in r]
            cells.append(
                f"{min(values):>10.2f} / {statistics.median(values):<9.2f}"
                if values
                else f"{'-':>22}"
            )
        print(f"{key:<10}" + "".join(f"{c:>22}" for c in cells))


if __name__ == "__main__":
    main()
