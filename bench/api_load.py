"""API submit-and-score latency at fixed request rates (open loop), 1 and N server workers.

Prepares a fresh database as ``bench/api_submit.py`` does (reference data, the KR demonstration
tariff of about 4,800 lines, a declarant with an API token, random selection off) plus a learned
risk model active under a 3% red / 7% yellow budget. Then for each worker count it starts
``smartcustoms serve --workers N`` in its own process on 127.0.0.1 and, from a *separate
load-generating process* (asyncio + httpx), posts new three-item declarations (a unique reference
each: validate, duties, features, learned score, lane, store, audit) at a fixed rate for a fixed
time. Open loop: request i is due at ``start + i / rate`` whether or not earlier ones have been
answered, and its latency is counted from when it was due, so a server that falls behind shows it
in the percentiles instead of slowing the generator down (no coordinated omission). An error is
any answer but 201, or no answer within 10 s.

On PostgreSQL when ``SMARTCUSTOMS_BENCH_POSTGRES_URL`` (or ``SMARTCUSTOMS_TEST_POSTGRES_URL``) is
set, else SQLite. The generator shares the machine with the server: on 2 cores it takes CPU the
server would otherwise have, which the figures include.

    SMARTCUSTOMS_DATA_DIR=../shared/data .venv/bin/python bench/api_load.py \\
        --rates 100 250 500 --workers 1 2 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

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
from api_submit import DOC, free_port, prepare

from smartcustoms.db.engine import Database
from smartcustoms.declarations.demo import KCS_DIR
from smartcustoms.declarations.service import system_principal
from smartcustoms.risk import operations, training
from smartcustoms.risk.ml.frame import read_frame

TIMEOUT_S = 10.0
MAX_IN_FLIGHT = 200  # more open requests than this: the next due one is an error, not a queue
MODEL = {"n_estimators": 60, "random_state": 0}
BUDGET = {"red": 0.03, "yellow": 0.07, "exploration": 0.01, "aeo_factor": 0.5}


def activate_model(url: str, data: Path, files_dir: Path) -> None:
    """Submit *and score*: a learned model (train split, early stopping on the validation
    split) active for KR under a 3% red / 7% yellow budget, as in bench/intake.py."""
    db = Database(url)
    p = system_principal("KR")
    operations.set_budget(db.uow(), p, BUDGET)
    base = data / KCS_DIR
    train = read_frame(base / "df_syn_train_eng.csv")
    valid = read_frame(base / "df_syn_valid_eng.csv")
    training.train_from_frames(db.uow(), p, files_dir, train, valid, params=MODEL, activate=True)
    db.dispose()


# -- the load generator (runs in its own process) ----------------------------------------------
async def _generate(base: str, token: str, rate: float, seconds: float, tag: str) -> dict[str, Any]:
    total = int(rate * seconds)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    body = json.dumps(DOC)
    limits = httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=MAX_IN_FLIGHT)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    # Never closed: the process ends with os._exit once the figures are printed, so a
    # connection the server never answered cannot hold the generator past its deadline.
    http = httpx.AsyncClient(base_url=base, headers=headers, timeout=TIMEOUT_S, limits=limits)
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2
    in_flight = [0]

    async def one(i: int) -> None:
        due = start + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if in_flight[0] >= MAX_IN_FLIGHT:
            # The server is this far behind: the request would only queue in the client.
            errors["dropped: too many in flight"] = errors.get("dropped: too many in flight", 0) + 1
            return
        content = body.replace('"kind"', f'"reference": "{tag}-{i}", "kind"', 1)
        in_flight[0] += 1
        try:
            # A hard deadline per request: httpx's timeout applies to each phase
            # (pool, connect, write, read) separately.
            r = await asyncio.wait_for(
                http.post("/api/v1/declarations", content=content), TIMEOUT_S
            )
            key = None if r.status_code == 201 else f"HTTP {r.status_code}"
        except (httpx.HTTPError, TimeoutError) as exc:
            key = type(exc).__name__
        finally:
            in_flight[0] -= 1
        if key:
            errors[key] = errors.get(key, 0) + 1
        else:
            latencies.append(loop.time() - due)

    tasks = [asyncio.create_task(one(i)) for i in range(total)]
    # Bounded: every request is due within `seconds` and has TIMEOUT_S to finish; a task still
    # pending after that (the loop itself starved of CPU) counts as an error.
    _, pending = await asyncio.wait(tasks, timeout=seconds + TIMEOUT_S + 10)
    for task in pending:
        task.cancel()
    if pending:
        errors["unfinished"] = len(pending)
    elapsed = min(loop.time() - start, seconds + TIMEOUT_S)
    latencies.sort()

    def pct(p: float) -> float | None:
        if not latencies:
            return None
        return round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 2)

    return {
        "rate": rate,
        "seconds": seconds,
        "sent": total,
        "ok": len(latencies),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "achieved_per_s": round(len(latencies) / max(elapsed, seconds), 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": pct(1.0),
    }


def generator_main(argv: list[str]) -> None:
    base, token, rate, seconds, tag = argv
    result = asyncio.run(_generate(base, token, float(rate), float(seconds), tag))
    print(json.dumps(result), flush=True)
    os._exit(0)  # skip closing connections the server may never answer (see _generate)


# -- the driver --------------------------------------------------------------------------------
def start_server(url: str, home: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "SMARTCUSTOMS_DATABASE_URL": url,
        "SMARTCUSTOMS_HOME": str(home),
        "SMARTCUSTOMS_EXCHANGE_DELIVER_EVERY": "0",
    }
    command = [sys.executable, "-m", "smartcustoms", "serve", "--port", str(port)]
    command += ["--workers", str(workers), "--no-access-log"]
    log = (home.parent / f"serve-{workers}.log").open("wb")  # a pipe could fill and stall
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not start within 90 s")


def run_rate(base: str, token: str, rate: float, seconds: float, tag: str) -> dict[str, Any]:
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--generate", base, token, str(rate), str(seconds), tag],
            check=True,
            capture_output=True,
            text=True,
            timeout=seconds + TIMEOUT_S + 120,
        )
    except subprocess.TimeoutExpired:
        sent = int(rate * seconds)
        return {
            "rate": rate,
            "seconds": seconds,
            "sent": sent,
            "ok": 0,
            "errors": sent,
            "error_kinds": {"generator did not finish": sent},
            "achieved_per_s": 0.0,
            "p50_ms": None,
            "p95_ms": None,
            "p99_ms": None,
        }
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--generate":
        generator_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rates", type=float, nargs="+", default=[100, 250, 500])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, os.cpu_count() or 2])
    parser.add_argument("--seconds", type=float, default=5.0 if quick() else 20.0)
    parser.add_argument("--backend", choices=["auto", "sqlite", "postgres"], default="auto")
    parser.add_argument(
        "--no-model", action="store_true", help="rule-based lanes only (no learned model)"
    )
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    data = Path(os.environ.get("SMARTCUSTOMS_DATA_DIR", "../shared/data"))
    pg = postgres_url()
    backend = args.backend if args.backend != "auto" else ("postgres" if pg else "sqlite")
    print(
        f"measured {now()} on {machine_line()}; {backend}; "
        f"{'rule-based lanes' if args.no_model else 'learned model'}; load {load_average()}"
    )
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url, name = fresh_database(backend, tmp, pg)
        try:
            token, lines = prepare(url, data)
            home = tmp / "home"
            if not args.no_model:
                activate_model(url, data, home / "files")
            for workers in args.workers:
                port = free_port()
                server = start_server(url, home, port, workers)
                base = f"http://127.0.0.1:{port}"
                try:
                    run_rate(base, token, 20, 2.0, f"warm-{workers}")
                    for rate in args.rates:
                        r = run_rate(base, token, rate, args.seconds, f"w{workers}-r{rate:g}")
                        r |= {"workers": workers, "load_average": load_average()}
                        results.append(r)
                        print(
                            f"workers {workers}, {rate:>5g} req/s for {args.seconds:g} s: "
                            f"achieved {r['achieved_per_s']}/s, p50 {r['p50_ms']} ms, "
                            f"p95 {r['p95_ms']} ms, p99 {r['p99_ms']} ms, errors {r['errors']} "
                            f"{r.get('error_kinds') or ''} (load {r['load_average'][0]:.1f})"
                        )
                finally:
                    server.terminate()
                    server.wait(30)
        finally:
            if name and pg:
                drop_postgres(pg, name)
    write_result(
        "api_load_rules" if args.no_model else "api_load",
        {
            "backend": backend,
            "learned_model": not args.no_model,
            "tariff_lines": lines,
            "seconds": args.seconds,
            "results": results,
        },
        args.json,
    )


if __name__ == "__main__":
    main()
