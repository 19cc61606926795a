"""Engine and session factory for SQLite (embedded default) and PostgreSQL (server)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from smartcustoms.core.ports import Ports
from smartcustoms.db.cache import StampedCache
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import InvalidInput


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and route them to psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
    event.listen(engine, "before_cursor_execute", _refuse_nul)
    return engine


_JSON_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")
_CONTAINERS = (dict, list, tuple)


def has_nul_text(text: str) -> bool:
    """A raw NUL, or the JSON escape of one (a JSON column's serialised value)."""
    return "\x00" in text or ("\\u0000" in text and _JSON_NUL.search(text) is not None)


def _has_nul(params: Any) -> bool:
    # Statement parameters: a tuple or dict, or a list of them for executemany. The text values
    # of one level are scanned as one string (the separator ends any backslash run, so an
    # escape cannot span two values); nested containers are looked into.
    if isinstance(params, str):
        return has_nul_text(params)
    if isinstance(params, dict):
        params = list(params.values())
    elif not isinstance(params, (list, tuple)):
        return False
    texts = [v for v in params if isinstance(v, str)]
    if texts and has_nul_text("\n".join(texts)):
        return True
    return any(_has_nul(v) for v in params if isinstance(v, _CONTAINERS))


def refuse_nul() -> InvalidInput:
    """The error for text holding NUL, on every way to the database (this engine hook and the
    bulk writer, :mod:`smartcustoms.db.bulk`)."""
    return InvalidInput.single(
        "", "nul_character", "text may not contain the NUL character (\\u0000)"
    )


def _refuse_nul(
    _conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, _many: bool
) -> None:
    # PostgreSQL cannot store NUL in text and SQLite would store a string that no search finds:
    # refuse it the same way on both, as bad input, whatever way it came in (API, page, CLI).
    if _has_nul(parameters):
        raise refuse_nul()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the web server read while a batch import writes; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


class Database:
    """An engine and its session factory; hands out a fresh unit of work per use case."""

    def __init__(self, url: str, **kwargs: Any) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url, **kwargs)
        self.session_factory = make_session_factory(self.engine)
        self.cache = StampedCache()
        self.ports: Ports | None = None

    def with_ports(self, ports: Ports) -> Database:
        """The same database (engine and sessions shared) handing out units of work that
        carry ``ports``; this one is left as it was."""
        other = object.__new__(Database)
        other.url, other.engine, other.session_factory = self.url, self.engine, self.session_factory
        other.cache = self.cache
        other.ports = ports
        return other

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, self.cache, self.ports)

    def dispose(self) -> None:
        self.engine.dispose()
