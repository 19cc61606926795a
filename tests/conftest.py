"""Shared fixtures: every integration test runs on a real SQLite file and a real PostgreSQL.

- ``db``: a migrated database (parametrised: ``sqlite`` and ``postgres``) with the reference
  data from ``SMARTCUSTOMS_DATA_DIR`` loaded once per session; every table outside the
  reference data is emptied after each test, so tests do not see each other's rows.
- ``empty_db``: a brand-new migrated database per test, for tests of loading itself.
- PostgreSQL: a fresh database per test session on the server that
  ``SMARTCUSTOMS_TEST_POSTGRES_URL`` names (``.ci/run`` sets it); without it the postgres
  variants are skipped locally and fail in CI (``CI=true``), so CI never passes on SQLite alone.

Layout: tests mirror the source tree, ``tests/<feature>/test_<module>.py`` (unit, database and
end-to-end tests of a feature side by side); ``tests/factories.py`` builds valid declarations,
cases and users with overrides. End-to-end tests (a live server, a real Chromium, the CLI or a
fresh clone in a subprocess) carry ``pytest.mark.e2e`` and run on **SQLite only**:
``pytest_generate_tests`` below pins their ``backend`` to ``sqlite`` (they take minutes; the
database tests cover PostgreSQL). Every other test keeps both backends. Browser and server
fixtures (``live_server``, ``browser``, ``page``) come from the plugin ``tests/browser.py``.
Select them with ``pytest -m e2e`` or leave them out with ``-m "not e2e"``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from smartcustoms.db import migrate
from smartcustoms.db.engine import Database
from smartcustoms.db.fulltext import FTS_TABLE
from smartcustoms.db.registry import load_all_tables

pytest_plugins = ["tests.browser"]

BACKENDS = ["sqlite", "postgres"]
E2E_BACKENDS = ["sqlite"]
REFERENCE_PREFIX = "ref_"


def data_dir() -> Path | None:
    value = os.environ.get("SMARTCUSTOMS_DATA_DIR")
    return Path(value) if value and Path(value).is_dir() else None


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    path = data_dir()
    if path is None:
        pytest.skip("SMARTCUSTOMS_DATA_DIR is not set to the shared data directory")
    return path


class PostgresServer:
    """Creates and drops throw-away databases on the test server."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.created: list[str] = []

    def create(self) -> str:
        name = f"sc_test_{uuid.uuid4().hex[:12]}"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.url.set(database=name, drivername="postgresql+psycopg").render_as_string(
            hide_password=False
        )

    def drop_all(self) -> None:
        with self._admin() as conn:
            for name in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self) -> psycopg.Connection:  # type: ignore[type-arg]
        admin = self.url.set(drivername="postgresql", database="postgres")
        return psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    url = os.environ.get("SMARTCUSTOMS_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("SMARTCUSTOMS_TEST_POSTGRES_URL must be set in CI")
        yield None
        return
    server = PostgresServer(url)
    try:
        server._admin().close()
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {url} is not reachable: {exc}")
        yield None
        return
    yield server
    server.drop_all()


def new_database_url(backend: str, tmp_path: Path, server: PostgresServer | None) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / f'sc-{uuid.uuid4().hex[:8]}.db'}"
    if server is None:
        pytest.skip("PostgreSQL tests need SMARTCUSTOMS_TEST_POSTGRES_URL")
    return server.create()


def migrated(url: str) -> Database:
    migrate.upgrade(url, "heads")
    return Database(url)


class SessionDatabases:
    def __init__(self) -> None:
        self.by_backend: dict[str, Database] = {}
        self.reference_loaded: set[str] = set()


@pytest.fixture(scope="session")
def _session_dbs(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer | None
) -> Iterator[SessionDatabases]:
    dbs = SessionDatabases()
    yield dbs
    for db in dbs.by_backend.values():
        db.dispose()


def _session_db(request: pytest.FixtureRequest, backend: str) -> Database:
    dbs: SessionDatabases = request.getfixturevalue("_session_dbs")
    if backend not in dbs.by_backend:
        tmp = request.getfixturevalue("tmp_path_factory").mktemp(backend)
        url = new_database_url(backend, tmp, request.getfixturevalue("postgres_server"))
        dbs.by_backend[backend] = migrated(url)
    db = dbs.by_backend[backend]
    if backend not in dbs.reference_loaded:
        load_reference(db)
        dbs.reference_loaded.add(backend)
    return db


def load_reference(db: Database) -> None:
    """Load reference data once per session: the shared data if present, else the sample."""
    from smartcustoms.reference import service as reference
    from smartcustoms.reference.sources import ReferenceSource

    path = data_dir()
    source = ReferenceSource.from_directory(path) if path else ReferenceSource.sample()
    reference.load(db.uow(), source)


def clean(db: Database) -> None:
    """Empty every non-reference table (children first) and the non-reference search index."""
    metadata = load_all_tables().metadata
    with db.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            if not table.name.startswith(REFERENCE_PREFIX):
                conn.execute(table.delete())
        conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE kind NOT LIKE 'ref%'"))


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """e2e tests run on SQLite only: a ``parametrize`` mark on ``backend`` (added before the
    fixture's own params are applied) replaces the fixture's ``sqlite``/``postgres`` params."""
    if "backend" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("e2e") is None:
        return
    for mark in metafunc.definition.iter_markers("parametrize"):
        names = mark.args[0] if mark.args else mark.kwargs.get("argnames", "")
        if "backend" in (names.replace(" ", "").split(",") if isinstance(names, str) else names):
            return  # the test chose its backends itself
    metafunc.definition.add_marker(pytest.mark.parametrize("backend", E2E_BACKENDS, indirect=True))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db(request: pytest.FixtureRequest, backend: str) -> Iterator[Database]:
    database = _session_db(request, backend)
    clean(database)
    yield database
    clean(database)


@pytest.fixture
def empty_db(
    backend: str, tmp_path: Path, postgres_server: PostgresServer | None
) -> Iterator[Database]:
    database = migrated(new_database_url(backend, tmp_path, postgres_server))
    yield database
    database.dispose()


# --- people and clients ----------------------------------------------------------------------


class Actors:
    """Creates economies and users with roles, and hands out bearer headers for them."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def economy(self, code: str) -> str:
        from smartcustoms.accounts import service
        from smartcustoms.core.codes import apec_economy

        known = {e.code for e in service.list_economies(self.db.uow())}
        if code not in known:
            e = apec_economy(code)
            name, currency = (e.name, e.currency) if e else (code, "USD")
            service.create_economy(self.db.uow(), code, name, currency)
        return code

    def user(self, economy: str, *roles: str, email: str | None = None) -> dict[str, str]:
        """A user with ``roles``; returns ``{"id", "email", "token", "Authorization"}``."""
        from tests.factories import user

        return user(self.db, *roles, economy=self.economy(economy), email=email)

    @staticmethod
    def headers(actor: dict[str, str]) -> dict[str, str]:
        return {"Authorization": actor["Authorization"]}


@pytest.fixture
def actors(db: Database) -> Actors:
    return Actors(db)


@pytest.fixture
def settings(tmp_path: Path, db: Database):  # type: ignore[no-untyped-def]
    from smartcustoms.config import Settings

    return Settings(
        environment="test", home=tmp_path / "home", database_url=db.url, data_dir=data_dir()
    )


@pytest.fixture
def client(settings, db: Database):  # type: ignore[no-untyped-def]
    """An in-process HTTP client for the API (ASGI transport; same app, same database)."""
    from fastapi.testclient import TestClient

    from smartcustoms.web.app import create_app

    with TestClient(create_app(settings, db=db)) as test_client:
        yield test_client
