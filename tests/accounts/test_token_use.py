"""Token authentication reads every time and writes rarely: a revoked token, a disabled account
or an expired session is refused on the very next request (in every worker), while the token's
last use is recorded at most once a minute (and always on a new UTC day)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from smartcustoms.accounts import service
from smartcustoms.core.clock import FixedClock
from smartcustoms.db.engine import Database
from smartcustoms.errors import AuthenticationRequired
from smartcustoms.web.app import create_app


def _declarant(db: Database) -> str:
    service.create_economy(db.uow(), "KR", "Korea", "KRW")
    user = service.create_user(
        db.uow(), economy="KR", email="d@kr.test", password="long enough pw", roles=["declarant"]
    )
    return user.id


def _last_used(db: Database, user_id: str) -> datetime | None:
    (token,) = service.list_tokens(db.uow(), user_id)
    return token.last_used_at


class _Writes:
    """Counts the INSERT/UPDATE/DELETE statements sent through ``db``'s engine."""

    def __init__(self, db: Database) -> None:
        self.count = 0
        self._db = db
        event.listen(db.engine, "before_cursor_execute", self._seen)

    def _seen(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.count += 1

    def close(self) -> None:
        event.remove(self._db.engine, "before_cursor_execute", self._seen)


@pytest.fixture
def writes(db: Database) -> Iterator[_Writes]:
    w = _Writes(db)
    yield w
    w.close()


def test_last_use_is_recorded_at_most_once_a_minute(db: Database, writes: _Writes) -> None:
    user_id = _declarant(db)
    clock = FixedClock(datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC))
    token = service.issue_token(db.uow(), user_id, clock=clock)
    assert _last_used(db, user_id) is None

    writes.count = 0
    service.authenticate(db.uow(), token.secret, clock=clock)  # first use: recorded
    assert _last_used(db, user_id) == clock.now()
    assert writes.count == 1
    first = clock.now()
    for _ in range(5):  # within the minute: read only, nothing written
        clock.advance(timedelta(seconds=10))
        assert service.authenticate(db.uow(), token.secret, clock=clock).user_id == user_id
    assert writes.count == 1
    assert _last_used(db, user_id) == first
    clock.advance(timedelta(seconds=11))  # 61 s after the recorded use
    service.authenticate(db.uow(), token.secret, clock=clock)
    assert _last_used(db, user_id) == clock.now()
    assert writes.count == 2


def test_first_use_of_a_day_is_always_recorded(db: Database) -> None:
    """The admin pages show the date of the last use: it must never be the day before."""
    user_id = _declarant(db)
    clock = FixedClock(datetime(2026, 3, 1, 23, 59, 50, tzinfo=UTC))
    token = service.issue_token(db.uow(), user_id, clock=clock)
    service.authenticate(db.uow(), token.secret, clock=clock)
    clock.advance(timedelta(seconds=15))  # 00:00:05 the next day, 15 s later
    service.authenticate(db.uow(), token.secret, clock=clock)
    last = _last_used(db, user_id)
    assert last is not None and last.date().isoformat() == "2026-03-02"


def test_expired_and_disabled_are_refused_at_once(db: Database) -> None:
    user_id = _declarant(db)
    clock = FixedClock(datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC))
    token = service.issue_token(db.uow(), user_id, ttl=timedelta(minutes=5), clock=clock)
    service.authenticate(db.uow(), token.secret, clock=clock)
    clock.advance(timedelta(minutes=5))
    with pytest.raises(AuthenticationRequired, match="expired"):
        service.authenticate(db.uow(), token.secret, clock=clock)

    other = service.issue_token(db.uow(), user_id, clock=clock)
    assert service.authenticate(db.uow(), other.secret, clock=clock).user_id == user_id
    service.set_active(db.uow(), "d@kr.test", False, clock=clock)
    with pytest.raises(AuthenticationRequired):
        service.authenticate(db.uow(), other.secret, clock=clock)


def test_principal_carries_every_role(db: Database) -> None:
    service.create_economy(db.uow(), "KR", "Korea", "KRW")
    user = service.create_user(
        db.uow(),
        economy="KR",
        email="o@kr.test",
        password="long enough pw",
        roles=["officer", "analyst"],
        name="Officer One",
    )
    token = service.issue_token(db.uow(), user.id)
    p = service.authenticate(db.uow(), token.secret)
    assert p == service.principal_of(user)


def test_revoked_token_is_refused_on_the_very_next_request(
    db: Database, settings: Any, client: TestClient
) -> None:
    """Two app instances on one database stand for two workers: a token revoked through one
    is refused by the other on its next request, though it was just used there (within the
    minute in which its use is not written again)."""
    user_id = _declarant(db)
    token = service.issue_token(db.uow(), user_id)
    bearer = {"Authorization": f"Bearer {token.secret}"}
    other_db = Database(db.url)
    try:
        with TestClient(create_app(settings, db=other_db)) as other:
            assert client.get("/api/v1/me", headers=bearer).status_code == 200
            assert client.get("/api/v1/me", headers=bearer).status_code == 200
            gone = other.delete(f"/api/v1/auth/tokens/{token.id}", headers=bearer)
            assert gone.status_code == 204
            assert client.get("/api/v1/me", headers=bearer).status_code == 401
            assert other.get("/api/v1/me", headers=bearer).status_code == 401
    finally:
        other_db.dispose()
