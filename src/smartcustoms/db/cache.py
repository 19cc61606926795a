"""Caches of data derived from the database, invalidated by change stamps.

A feature that derives something costly from stored data (an economy's tariff schedule, the
compiled case document) names it (``tariff:KR``), calls :func:`bump` in the transaction that
changes its sources, and reads it through :meth:`StampedCache.get` with the stamp read at the
start of the use: one primary-key lookup instead of rebuilding. Stamps are random tokens kept in
the database, so every worker process (and every web worker on other machines) sees a change on
its next use; a value is never served under a stamp other than the one it was built under.
Without a stamp (data older than the stamps, or emptied by hand) nothing is cached.

The cache belongs to a :class:`~smartcustoms.db.engine.Database` (no module-level state) and
reaches use cases through their unit of work (``uow.cache``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from smartcustoms.core.clock import SystemClock
from smartcustoms.core.ids import new_id
from smartcustoms.db.tables import ChangeStampRow

T = TypeVar("T")

__all__ = ["StampedCache", "bump", "stamp_of"]


def stamp_of(session: Session, name: str) -> str | None:
    """The current token of ``name`` (None when it was never changed through :func:`bump`)."""
    return session.scalar(select(ChangeStampRow.token).where(ChangeStampRow.name == name))


def bump(session: Session, name: str, at: datetime | None = None) -> str:
    """Give ``name`` a new token, in the caller's transaction (commits with the change)."""
    token = new_id()
    now = at or SystemClock().now()
    dialect = session.get_bind().dialect.name
    values = {"name": name, "token": token, "changed_at": now}
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        stmt = insert(ChangeStampRow).values(**values)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=[ChangeStampRow.name],
                set_={"token": token, "changed_at": now},
            )
        )
    else:  # pragma: no cover - the platform runs on SQLite and PostgreSQL only
        done = session.execute(
            update(ChangeStampRow).where(ChangeStampRow.name == name).values(**values)
        )
        if not getattr(done, "rowcount", 0):
            session.add(ChangeStampRow(**values))
    return token


class StampedCache:
    """Thread-safe values keyed by (key, stamp). Keys are tuples whose first item names a kind
    (``("tariff", "KR")``); each kind keeps at most ``size`` values (least recently used go), so
    one kind (e.g. compiled documents for many years) never evicts another (tariffs)."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._kinds: dict[Hashable, OrderedDict[Hashable, tuple[str, Any]]] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, stamp: str | None, build: Callable[[], T]) -> T:
        """The value cached for ``key`` under ``stamp``, else ``build()`` (cached when a stamp
        is given). Two threads missing at once both build; the last one stored wins (same
        stamp, same data)."""
        if stamp is None:
            return build()
        kind = key[0] if isinstance(key, tuple) and key else key
        with self._lock:
            entries = self._kinds.setdefault(kind, OrderedDict())
            found = entries.get(key)
            if found is not None and found[0] == stamp:
                entries.move_to_end(key)
                self.hits += 1
                return cast(T, found[1])
            self.misses += 1
        value = build()
        with self._lock:
            entries = self._kinds.setdefault(kind, OrderedDict())
            entries[key] = (stamp, value)
            entries.move_to_end(key)
            while len(entries) > self.size:
                entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._kinds.clear()
