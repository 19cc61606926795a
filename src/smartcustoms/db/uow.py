"""Unit of work: the service layer's handle on one transaction.

Services open it (``with uow:``), do their work through repositories built on
``uow.session``, and call ``uow.commit()``. Leaving the block without a commit rolls
back, so a failure half-way stores nothing. Entering again while already inside
(one service calling another) reuses the same session and transaction.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from smartcustoms.db.cache import StampedCache


class UnitOfWork:
    def __init__(
        self, session_factory: sessionmaker[Session], cache: StampedCache | None = None
    ) -> None:
        self._factory = session_factory
        # Derived data shared by every unit of work of one Database (see db.cache); a unit of
        # work made on its own gets a private one, which is always correct, merely colder.
        self.cache = cache if cache is not None else StampedCache()
        self._session: Session | None = None
        self._depth = 0

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work inside a 'with uow:' block")
        return self._session

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def __enter__(self) -> UnitOfWork:
        if self._depth == 0:
            self._session = self._factory()
        self._depth += 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth == 0 and self._session is not None:
            self._session.rollback()
            self._session.close()
            self._session = None

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
