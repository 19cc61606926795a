"""Unit of work: the service layer's handle on one transaction.

Services open it (``with uow:``), do their work through the repositories it hands out
(``uow.repo(DeclarationRepository)``, built on ``uow.session``) and call ``uow.commit()``.

- **Only the outermost block commits.** Entering again while already inside (one use case
  calling another) joins the same session and transaction, and ``commit()`` there does
  nothing: the outer use case decides. A nested part that may fail on its own without
  failing the whole runs in :meth:`UnitOfWork.savepoint`.
- **Leaving the outermost block without a commit rolls back**, so a failure half-way stores
  nothing.
- **Failures surface as domain errors.** An exception that is not a
  :class:`~smartcustoms.errors.SmartCustomsError` (a missing model file, a database error)
  leaving the outermost block is re-raised as :class:`~smartcustoms.errors.OperationFailed`
  (its cause chained), after the rollback.

:func:`transactional` wraps a use case in an outermost-or-joined block that commits at its
end, for use-case modules that are not a feature's ``service`` module.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from smartcustoms.core.clock import Clock, SystemClock
from smartcustoms.core.ports import Ports
from smartcustoms.db.cache import StampedCache
from smartcustoms.errors import OperationFailed, SmartCustomsError

__all__ = ["UnitOfWork", "transactional"]

R = TypeVar("R")
P = ParamSpec("P")
Repo = TypeVar("Repo")

_SYSTEM_CLOCK = SystemClock()  # stateless: reads the system time on every call


class UnitOfWork:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        cache: StampedCache | None = None,
        ports: Ports | None = None,
    ) -> None:
        self._factory = session_factory
        # Derived data shared by every unit of work of one Database (see db.cache); a unit of
        # work made on its own gets a private one, which is always correct, merely colder.
        self.cache = cache if cache is not None else StampedCache()
        self._session: Session | None = None
        self._depth = 0
        self._repos: dict[type[Any], Any] = {}
        self.ports = ports
        """What the composition root passed in (see :mod:`smartcustoms.bootstrap`), or None
        for a bare unit of work (then services fall back to their defaults)."""

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work inside a 'with uow:' block")
        return self._session

    @property
    def clock(self) -> Clock:
        """The application's clock (``Ports.clock``), the system clock for a bare unit of work.
        Services take ``clock or uow.clock``: an explicit clock (a test, a replay) wins."""
        return self.ports.clock if self.ports is not None else _SYSTEM_CLOCK

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    @property
    def depth(self) -> int:
        """How many ``with`` blocks are open (1: the outermost use case)."""
        return self._depth

    def repo(self, kind: type[Repo]) -> Repo:
        """The repository ``kind`` (a class taking the session) of this transaction."""
        found = self._repos.get(kind)
        if found is None:
            found = self._repos[kind] = kind(self.session)  # type: ignore[call-arg]
        return found

    def __enter__(self) -> UnitOfWork:
        if self._depth == 0:
            self._begin()
        self._depth += 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth > 0:
            return
        self._end()
        if isinstance(exc, Exception) and not isinstance(exc, SmartCustomsError):
            raise OperationFailed.of(exc) from exc

    def _begin(self) -> None:
        self._session = self._factory()
        self._repos = {}

    def _end(self) -> None:
        if self._session is not None:
            try:
                self._session.rollback()
            finally:
                self._session.close()
                self._session = None
                self._repos = {}

    def commit(self) -> None:
        """Commit, when called by the outermost use case; inside a nested one: nothing."""
        if self._depth <= 1:
            self.session.commit()

    def rollback(self) -> None:
        """Roll the whole transaction back (the outermost use case's decision)."""
        self.session.rollback()

    def lock_for_write(self) -> None:
        """Take the database's write lock now, before the reads a write depends on.

        On SQLite (WAL) a transaction that read first and writes later fails at once with
        "database is locked" when another writer committed in between (its snapshot is stale;
        the busy timeout does not apply). Lodgement calls this before its reads, so while a
        bulk import commits chunk after chunk, a submission waits for the lock (up to the busy
        timeout) instead of failing. ``BEGIN IMMEDIATE`` only opens a transaction that is not
        open yet (SELECTs alone do not open one under Python's sqlite3); PostgreSQL needs none
        of this (row locks and compare-and-set guard its writes).
        """
        if self.dialect != "sqlite":
            return
        raw = self.session.connection().connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            raw.execute("BEGIN IMMEDIATE")

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested part that may fail alone: on an exception only its own writes are undone
        (the exception still propagates)."""
        with self.session.begin_nested():
            yield


def transactional(
    fn: Callable[Concatenate[UnitOfWork, P], R],
) -> Callable[Concatenate[UnitOfWork, P], R]:
    """Run the use case ``fn(uow, ...)`` in ``with uow:`` and commit at its end (which, when
    called from another use case, joins that one's transaction and leaves the commit to it)."""

    @functools.wraps(fn)
    def run(uow: UnitOfWork, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with uow:
            result = fn(uow, *args, **kwargs)
            uow.commit()
            return result

    return run
