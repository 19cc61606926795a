"""Live lodgement while a large import runs: 8 API clients against a 150,000-row import.

Issue 9's check that large imports no longer break live lodgement: one transaction holding the
SQLite write lock past the busy timeout used to make 2.2% of concurrent API submissions fail
with "database is locked". Prepares the database as ``bench/api_submit.py`` does, starts
``uvicorn`` in its own process, writes a file of ``--rows`` declarations (the KCS files
repeated with fresh declaration ids), runs ``smartcustoms declarations import`` on it in
another process (chunks of ``--chunk-size`` rows, each its own transaction) and, for as long
as the import runs, posts declarations from ``--clients`` client threads. Prints and writes
the import's rows/s and the submissions' count, errors, p50 and p99.

    SMARTCUSTOMS_DATA_DIR=../shared/data .venv/bin/python bench/import_under_load.py \\
        --rows 150000 --json import_under_load.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from api_submit import free_port, prepare, run_load, start_server

from smartcustoms.declarations.demo import KCS_DIR, SPLITS


def write_file(data: Path, rows: int, out: Path) -> int:
    """``rows`` KCS rows (the three splits, repeated) with fresh, unique declaration ids."""
    frames = [pd.read_csv(data / KCS_DIR / s, dtype=str) for s in SPLITS]
    base = pd.concat(frames, ignore_index=True)
    repeats = -(-rows // len(base))
    big = pd.concat([base] * repeats, ignore_index=True).iloc[:rows].copy()
    big["Declaration ID"] = [f"L{i:09d}" for i in range(len(big))]
    big.to_csv(out, index=False)
    return len(big)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=150_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--chunk-size", type=int, default=10_000)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    data = Path(os.environ.get("SMARTCUSTOMS_DATA_DIR", "../shared/data"))
    machine = (
        f"{platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()})"
    )
    when = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    print(f"measured {when} on {machine}")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        token, _ = prepare(url, data)
        big = Path(tmp) / "big.csv"
        rows = write_file(data, args.rows, big)
        print(f"prepared: {rows:,} rows to import, {args.clients} API clients")
        port = free_port()
        server = start_server(url, Path(tmp) / "home", port)
        env = os.environ | {"SMARTCUSTOMS_DATABASE_URL": url, "SMARTCUSTOMS_HOME": tmp}
        try:
            started = time.perf_counter()
            importer = subprocess.Popen(
                [sys.executable, "-m", "smartcustoms", "declarations", "import", str(big),
                 "--profile", "kcs-cdd", "--economy", "KR", "--chunk-size",
                 str(args.chunk_size), "--json"],
                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )  # fmt: skip
            slices: list[dict[str, Any]] = []
            n = 0
            while importer.poll() is None:
                slices.append(
                    run_load(f"http://127.0.0.1:{port}", token, args.clients, 10.0, f"L{n}")
                )
                n += 1
            _out, err = importer.communicate()
            took = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(30)
    requests = sum(int(s["requests"]) for s in slices)
    errors = sum(int(s["errors"]) for s in slices)
    worst_p99 = max((float(s["p99_ms"]) for s in slices), default=0.0)
    result = {
        "measured": when,
        "machine": machine,
        "rows": rows,
        "chunk_size": args.chunk_size,
        "import_exit_code": importer.returncode,
        "import_seconds": round(took, 1),
        "import_rows_per_second": round(rows / took, 1),
        "clients": args.clients,
        "submissions": requests,
        "submission_errors": errors,
        "first_error": next((s["first_error"] for s in slices if s["first_error"]), ""),
        "p50_ms_per_slice": [round(float(s["p50_ms"]), 1) for s in slices],
        "worst_p99_ms": round(worst_p99, 1),
    }
    print(
        f"import: exit {importer.returncode}, {rows:,} rows in {took:.0f} s "
        f"({rows / took:,.0f} rows/s); API while it ran: {requests:,} submissions from "
        f"{args.clients} clients, {errors} errors, worst p99 {worst_p99:.0f} ms"
    )
    if importer.returncode != 0:
        print(err.decode()[-2000:])
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
