"""`smartcustoms serve --workers 2` on one PostgreSQL: concurrent lodgements, none lost or doubled.

A real server in its own process (uvicorn's process manager, two worker processes sharing the
socket) and several client threads that lodge declarations with their own references (the
idempotency key: unique per declarant), two threads posting every reference at the same moment
and retrying on a network error or a 5xx, as a client that lost an answer would. Afterwards the
database holds exactly one row per reference, and every answer was 201 (first) or 200 (replay).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from tests.declarations.conftest import KR, doc

THREADS = 6  # threads t and t + THREADS // 2 post the same references
PER_THREAD = 15
RETRIES = 3


@pytest.fixture(params=["postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    """Several worker processes share one database: the server setup is PostgreSQL."""
    return str(request.param)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(kr: KR, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = os.environ | {
        "SMARTCUSTOMS_DATABASE_URL": kr.db.url,
        "SMARTCUSTOMS_HOME": str(tmp_path / "home"),
        "SMARTCUSTOMS_ENVIRONMENT": "test",
        "SMARTCUSTOMS_EXCHANGE_DELIVER_EVERY": "0",
    }
    log = tmp_path / "serve.log"  # a file, not a pipe: a full pipe would stall the server
    with log.open("wb") as err:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "smartcustoms",
                "serve",
                "--workers",
                "2",
                "--port",
                str(port),
                "--no-access-log",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"serve --workers 2 did not start: {log.read_text()[-2000:]}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()  # uvicorn's manager stops its workers on SIGTERM
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_two_workers_lose_and_double_nothing(kr: KR, server: str) -> None:
    headers = {"Authorization": kr.users["declarant"]["Authorization"]}
    statuses: list[int] = []
    failures: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def post(http: httpx.Client, reference: str) -> int:
        for attempt in range(RETRIES + 1):
            try:
                r = http.post("/api/v1/declarations", json=doc(reference=reference))
            except httpx.TransportError as exc:
                if attempt == RETRIES:
                    return -1
                failures.append(f"{reference}: retried after {type(exc).__name__}")
                continue
            if r.status_code >= 500 and attempt < RETRIES:
                failures.append(f"{reference}: retried after {r.status_code}")
                continue
            return r.status_code
        return -1

    def client(t: int) -> None:
        group = t % (THREADS // 2)
        mine: list[int] = []
        # A fresh connection per request: the workers take turns accepting them.
        with httpx.Client(base_url=server, headers=headers, timeout=60) as http:
            barrier.wait()
            for i in range(PER_THREAD):
                mine.append(post(http, f"W-{group}-{i}"))
        with lock:
            statuses.extend(mine)

    threads = [threading.Thread(target=client, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(300)

    references = (THREADS // 2) * PER_THREAD
    counts = Counter(statuses)
    assert set(counts) <= {200, 201}, (counts, failures)
    assert counts[201] == references, counts  # each reference created once
    assert counts[200] == references, counts  # and its twin answered as a replay
    with kr.db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT reference, count(*) FROM declarations GROUP BY reference")
        ).all()
    per_reference = dict((str(r), int(n)) for r, n in rows)
    assert len(per_reference) == references
    assert set(per_reference.values()) == {1}
