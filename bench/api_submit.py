"""API submissions per second and latency, against a real uvicorn server on loopback.

Prepares a fresh SQLite database (reference data from ``SMARTCUSTOMS_DATA_DIR``, the APEC
economies, a KR declarant with an API token, and the KR demonstration tariff schedule derived
from the KCS files: about 4,800 lines), starts ``uvicorn`` in a separate process on
127.0.0.1, then for 1 and 8 concurrent clients (threads, one HTTP connection each) posts new
declarations (a unique reference each; three items) for a fixed time. Prints and writes
submissions/s and p50/p99 latency per client count, with the machine and date.

    SMARTCUSTOMS_DATA_DIR=../shared/data .venv/bin/python bench/api_submit.py \\
        --seconds 20 --label after --json api_submit.json
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from smartcustoms.accounts import service as accounts
from smartcustoms.db import migrate
from smartcustoms.db.engine import Database
from smartcustoms.declarations import service
from smartcustoms.declarations.demo import KCS_DIR, SPLITS, load_kr_demo_schedule
from smartcustoms.reference import service as reference
from smartcustoms.reference.sources import ReferenceSource

DOC: dict[str, Any] = {
    "kind": "import",
    "date": "2021-05-14",
    "office": "020",
    "transport_mode": "sea",
    "invoice_currency": "USD",
    "incoterm": "FOB",
    "freight": "100",
    "insurance": "20",
    "declarant": {"id": "BRK-001", "country": "KR"},
    "importer": {"id": "IMP-778", "country": "KR"},
    "seller": {"id": "SEL-12", "country": "CN"},
    "departure_country": "CN",
    "items": [
        {
            "hs_code": "850760",
            "description": "Li-ion packs",
            "origin_country": "CN",
            "net_mass_kg": "180",
            "invoice_value": "3000",
            "preference": "FCN1",
        },
        {
            "hs_code": "850440",
            "description": "Inverters",
            "origin_country": "VN",
            "net_mass_kg": "40",
            "invoice_value": "2000",
        },
        {
            "hs_code": "902710",
            "description": "Gas analysers",
            "origin_country": "US",
            "net_mass_kg": "50",
            "invoice_value": "1000",
        },
    ],
}


def prepare(url: str, data: Path) -> tuple[str, int]:
    """Migrate and fill the database; returns (bearer token, tariff lines)."""
    migrate.upgrade(url, "heads")
    db = Database(url)
    reference.load(
        db.uow(), ReferenceSource.from_directory(data), datasets=["hs", "countries", "fx"]
    )
    accounts.ensure_apec_economies(db.uow())
    user = accounts.create_user(
        db.uow(),
        economy="KR",
        email="bench-declarant@kr.test",
        password=secrets.token_urlsafe(16),
        roles=["declarant"],
    )
    token = accounts.issue_token(db.uow(), user.id).secret
    splits = [data / KCS_DIR / s for s in SPLITS if (data / KCS_DIR / s).is_file()]
    lines = load_kr_demo_schedule(db.uow(), splits)
    # No random selection: every declaration takes the same path through the lifecycle.
    service.set_assessor_config(
        db.uow(),
        service.system_principal("KR"),
        {"random_red_rate": 0, "random_yellow_rate": 0, "rules": []},
    )
    db.dispose()
    return token, lines


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SERVER = """
import sys, uvicorn
from smartcustoms.config import Settings
from smartcustoms.web.app import create_app
app = create_app(Settings(database_url=sys.argv[1], home=sys.argv[2]))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[3]), log_level="warning", access_log=False)
"""


def start_server(url: str, home: Path, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, url, str(home), str(port)], env=os.environ.copy()
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start within 60 s")


def run_load(
    base: str, token: str, clients: int, seconds: float, tag: str
) -> dict[str, float | int]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start_at = time.monotonic() + 0.5
    stop_at = start_at + seconds

    def client(n: int) -> None:
        mine: list[float] = []
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
            time.sleep(max(0.0, start_at - time.monotonic()))
            i = 0
            while time.monotonic() < stop_at:
                doc = copy.deepcopy(DOC)
                doc["reference"] = f"{tag}-{clients}-{n}-{i}"
                t0 = time.perf_counter()
                r = http.post("/api/v1/declarations", json=doc)
                mine.append(time.perf_counter() - t0)
                if r.status_code != 201:
                    with lock:
                        errors.append(f"{r.status_code} {r.text[:200]}")
                i += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = max(seconds, time.monotonic() - start_at)
    ordered = sorted(latencies)
    return {
        "clients": clients,
        "requests": len(latencies),
        "errors": len(errors),
        "per_second": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
        "first_error": errors[0] if errors else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0, help="load time per client count")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--label", default="run", help="e.g. before / after")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()
    data = Path(os.environ.get("SMARTCUSTOMS_DATA_DIR", "../shared/data"))
    machine = (
        f"{platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()})"
    )
    when = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    print(f"measured {when} on {machine}; label {args.label}")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        started = time.perf_counter()
        token, lines = prepare(url, data)
        print(f"prepared in {time.perf_counter() - started:.1f} s: KR schedule of {lines} lines")
        port = free_port()
        server = start_server(url, Path(tmp) / "home", port)
        base = f"http://127.0.0.1:{port}"
        try:
            run_load(base, token, 1, 2.0, f"warm-{args.label}")
            results = []
            for clients in args.clients:
                r = run_load(base, token, clients, args.seconds, args.label)
                results.append(r)
                print(
                    f"{clients:>2} client(s): {r['requests']:>5} submissions in "
                    f"{args.seconds:.0f} s = {r['per_second']:6.1f}/s, p50 {r['p50_ms']:7.1f} ms, "
                    f"p99 {r['p99_ms']:7.1f} ms, errors {r['errors']} {r['first_error']}"
                )
        finally:
            server.terminate()
            server.wait(30)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "label": args.label,
                    "measured": when,
                    "machine": machine,
                    "tariff_lines": lines,
                    "seconds": args.seconds,
                    "results": results,
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
