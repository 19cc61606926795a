"""Two real installations: two databases, two uvicorn servers on loopback ports.

Installation A serves Korea (KR), installation B serves Singapore (SG). Each has its own
database (both on the parametrised backend), its own secret key and its own signing key; each
registers the other as a partner and fetches its JWKS over HTTP, as two administrations do.
The outbox background loop is off (``exchange_deliver_every=0``): tests deliver explicitly.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn

from smartcustoms.accounts.model import Principal
from smartcustoms.config import Settings
from smartcustoms.core.clock import FixedClock
from smartcustoms.db.engine import Database
from smartcustoms.declarations.service import system_principal
from smartcustoms.exchange.services import trust
from tests.conftest import (
    SessionDatabases,
    clean,
    data_dir,
    load_reference,
    migrated,
    new_database_url,
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Installation:
    """One SmartCustoms installation for one economy, with a server that can stop and start."""

    def __init__(self, economy: str, db: Database, home: Path, secret: str) -> None:
        self.economy = economy
        self.db = db
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.settings = Settings(
            environment="test",
            home=home,
            database_url=db.url,
            data_dir=data_dir(),
            secret_key=secret,
            exchange_deliver_every=0,
        )
        self.admin: Principal = system_principal(economy, "exchange-test")
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def secret(self) -> str:
        return self.settings.secret_key

    def start(self) -> None:
        from smartcustoms.web.app import create_app

        server = uvicorn.Server(
            uvicorn.Config(
                create_app(self.settings, db=self.db),
                host="127.0.0.1",
                port=self.port,
                log_level="warning",
            )
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        self._server, self._thread = server, thread

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def restart_database(self) -> None:
        """Drop every connection, as a process restart (or kill -9) would."""
        self.db.dispose()
        self.db = Database(self.db.url)


class Pair:
    def __init__(self, a: Installation, b: Installation) -> None:
        self.a, self.b = a, b


_pairs: dict[str, tuple[Database, Database]] = {}


@pytest.fixture
def pair(
    backend: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> Iterator[Pair]:
    if backend not in _pairs:
        server = request.getfixturevalue("postgres_server")
        tmp = request.getfixturevalue("tmp_path_factory").mktemp(f"pair-{backend}")
        dbs: SessionDatabases = request.getfixturevalue("_session_dbs")
        a = migrated(new_database_url(backend, tmp, server))
        b = migrated(new_database_url(backend, tmp, server))
        for d in (a, b):
            load_reference(d)
        # Registered with the session databases so that they are disposed at the end.
        dbs.by_backend[f"{backend}-exchange-a"] = a
        dbs.by_backend[f"{backend}-exchange-b"] = b
        _pairs[backend] = (a, b)
    db_a, db_b = _pairs[backend]
    for d in (db_a, db_b):
        clean(d)
    a = Installation("KR", db_a, tmp_path / "a", "secret-of-korea-customs-0123456789")
    b = Installation("SG", db_b, tmp_path / "b", "secret-of-singapore-customs-9876543")
    _economy(a)
    _economy(b)
    a.start()
    b.start()
    try:
        connect(a, b)
        yield Pair(a, b)
    finally:
        a.stop()
        b.stop()
        for d in (a.db, b.db):
            clean(d)
        for inst, shared in ((a, db_a), (b, db_b)):
            if inst.db is not shared:  # a restart_database() made its own: close it
                inst.db.dispose()


def _economy(inst: Installation) -> None:
    from smartcustoms.accounts import service
    from smartcustoms.core.codes import apec_economy

    e = apec_economy(inst.economy)
    assert e is not None
    service.create_economy(inst.db.uow(), e.code, e.name, e.currency)


def connect(a: Installation, b: Installation) -> None:
    """What two administrations do once: keys, partner entries, JWKS fetched over HTTP."""
    # Keys made a month ago, so tests may sign messages dated in the past.
    month_ago = FixedClock(datetime.now(UTC) - timedelta(days=30))
    for inst in (a, b):
        trust.create_key(inst.db.uow(), inst.admin, inst.secret, clock=month_ago)
    trust.add_partner(a.db.uow(), a.admin, b.economy, b.url, "Singapore Customs")
    trust.add_partner(b.db.uow(), b.admin, a.economy, a.url, "Korea Customs Service")
    with httpx.Client(timeout=10) as http:
        trust.fetch_partner_keys(a.db.uow(), a.admin, b.economy, client=http)
        trust.fetch_partner_keys(b.db.uow(), b.admin, a.economy, client=http)
