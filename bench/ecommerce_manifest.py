"""A generated parcel manifest end to end, and how well the decisions find the injected frauds.

For each backend: migrate a fresh database, load the reference data, lodge a history day
(``--history`` parcels, the day before) and learn the unit-value norms from it, then time
``submit`` of the main manifest (``--parcels``, default 1,000,000): parse, validate, duties and
taxes, risk signals, decisions, bulk store (executemany on SQLite, COPY on PostgreSQL) and the
decisions file. The timed submit runs in a child process so its peak memory (max RSS) is the
submit's own. Detection is measured on the main manifest against the generator's ground truth:
recall of each fraud kind among the parcels the decisions stop (inspect, hold, refuse), and the
precision of the top 5% by risk score against random selection at the same rate.

    SMARTCUSTOMS_DATA_DIR=../shared/data \\
    SMARTCUSTOMS_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    .venv/bin/python bench/ecommerce_manifest.py --parcels 1000000 --json bench/ecommerce.json
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from sqlalchemy.engine import make_url

DAY = date(2026, 3, 10)


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


def principal(economy: str) -> Any:
    from smartcustoms.accounts.model import Role
    from smartcustoms.declarations.service import system_principal

    return replace(system_principal(economy, "bench-carrier"), roles=frozenset({Role.CARRIER}))


def child(args: argparse.Namespace) -> None:
    """The timed submit, alone in its process; prints one JSON line."""
    from smartcustoms.db.engine import Database
    from smartcustoms.ecommerce import services

    db = Database(args.url)
    t0 = time.perf_counter()
    out = services.submit_manifest(
        db.uow(),
        principal(args.economy),
        Path(args.file),
        secret_key="bench",
        files_dir=Path(args.files),
        on=DAY,
    )
    wall = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss / 1024
    print(
        json.dumps(
            {
                "status": out.status,
                "parcels": out.parcels,
                "decided": out.decided,
                "decisions": out.decisions,
                "wall_s": round(wall, 2),
                "peak_mb": round(peak, 1),
                "timings": out.timings,
                "decisions_file": out.decisions_file,
            }
        )
    )


def detection(decisions_file: str, truth_file: Path, rate: float = 0.05) -> dict[str, Any]:
    truth: dict[str, str] = {}
    with truth_file.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            truth[row["waybill"]] = row["fraud"]
    waybills, stopped, scores, kinds = [], [], [], []
    with open(decisions_file, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            waybills.append(row["waybill"])
            stopped.append(row["decision"] != "release")
            # refusals (prohibited goods) go first whatever their score
            scores.append(float(row["score"]) + (100.0 if row["decision"] == "refuse" else 0))
            kinds.append(truth.get(row["waybill"], ""))
    s = np.array(scores)
    k = np.array(kinds, dtype=object)
    stop = np.array(stopped)
    n = len(s)
    fraud = k != ""
    top = np.zeros(n, dtype=bool)
    order = np.lexsort((np.arange(n), -s))  # ties: manifest order
    top[order[: int(rate * n)]] = True
    out: dict[str, Any] = {
        "parcels": n,
        "fraud_rate": round(float(fraud.mean()), 4),
        "stopped_share": round(float(stop.mean()), 4),
        "precision_stopped": round(float(fraud[stop].mean()), 4) if stop.any() else 0.0,
        "precision_top5": round(float(fraud[top].mean()), 4),
        "precision_random5": round(float(fraud.mean()), 4),
        "by_kind": {},
    }
    for kind in sorted(set(kinds) - {""}):
        m = k == kind
        out["by_kind"][kind] = {
            "n": int(m.sum()),
            "recall_stopped": round(float(stop[m].mean()), 4),
            "recall_top5": round(float(top[m].mean()), 4),
            "recall_random5": rate,
        }
    return out


def run_backend(
    backend: str,
    args: argparse.Namespace,
    tmp: Path,
    pg_url: str | None,
    manifest: Path,
    history: Path,
) -> dict[str, Any]:
    from smartcustoms.db import migrate
    from smartcustoms.db.engine import Database
    from smartcustoms.ecommerce import services
    from smartcustoms.reference import service as reference
    from smartcustoms.reference.sources import ReferenceSource

    url, name = fresh(backend, tmp, pg_url)
    try:
        migrate.upgrade(url, "heads")
        db = Database(url)
        data = os.environ.get("SMARTCUSTOMS_DATA_DIR")
        source = ReferenceSource.from_directory(Path(data)) if data else ReferenceSource.sample()
        reference.load(db.uow(), source, datasets=["hs", "countries", "fx"])
        files = tmp / f"files-{backend}"
        t0 = time.perf_counter()
        hist = services.submit_manifest(
            db.uow(),
            principal(args.economy),
            history,
            secret_key="bench",
            files_dir=files,
            on=DAY - timedelta(days=1),
        )
        norms = services.refresh_norms(db.uow(), args.economy, DAY)
        print(
            f"[{backend}] history {hist.decided} parcels, {norms} norms in "
            f"{time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        db.dispose()
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                "--url",
                url,
                "--file",
                str(manifest),
                "--files",
                str(files),
                "--economy",
                args.economy,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        result["parcels_per_s"] = round(result["decided"] / result["wall_s"], 1)
        result["detection"] = detection(result.pop("decisions_file"), Path(f"{manifest}.truth.csv"))
        return result
    finally:
        if name and pg_url:
            drop(pg_url, name)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parcels", type=int, default=1_000_000)
    ap.add_argument("--history", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--economy", default="SG")
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--child", action="store_true")
    ap.add_argument("--url")
    ap.add_argument("--file")
    ap.add_argument("--files")
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    from smartcustoms.ecommerce import generator

    pg_url = os.environ.get("SMARTCUSTOMS_BENCH_POSTGRES_URL")
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        manifest, history = tmp / "manifest.ndjson", tmp / "history.ndjson"
        t0 = time.perf_counter()
        generator.write_manifest(
            history, args.history, args.seed + 1, args.economy, DAY - timedelta(days=1)
        )
        counts = generator.write_manifest(manifest, args.parcels, args.seed, args.economy, DAY)
        gen_s = time.perf_counter() - t0
        print(
            f"generated {args.parcels:,} + {args.history:,} parcels in {gen_s:.1f} s "
            f"({manifest.stat().st_size / 1e6:.0f} MB); frauds {counts}",
            flush=True,
        )
        report: dict[str, Any] = {
            "measured_at": started.isoformat(timespec="minutes"),
            "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
            "economy": args.economy,
            "parcels": args.parcels,
            "history": args.history,
            "seed": args.seed,
            "frauds": counts,
            "generate_s": round(gen_s, 1),
            "backends": {},
        }
        for backend in args.backends.split(","):
            if backend == "postgres" and not pg_url:
                print("postgres: skipped (set SMARTCUSTOMS_BENCH_POSTGRES_URL)")
                continue
            result = run_backend(backend, args, tmp, pg_url, manifest, history)
            report["backends"][backend] = result
            print(
                f"[{backend}] {result['decided']:,} parcels in {result['wall_s']} s = "
                f"{result['parcels_per_s']:,} parcels/s, peak {result['peak_mb']} MB; "
                f"time: {result['timings']}",
                flush=True,
            )
            det = result["detection"]
            print(
                f"[{backend}] stopped {det['stopped_share']:.1%}, precision top 5% "
                f"{det['precision_top5']:.3f} vs random {det['precision_random5']:.3f}"
            )
            for kind, d in det["by_kind"].items():
                print(
                    f"    {kind:16} n={d['n']:6}  recall stopped {d['recall_stopped']:.3f}  "
                    f"top5% {d['recall_top5']:.3f}  random {d['recall_random5']:.3f}"
                )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
