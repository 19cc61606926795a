"""Issue 9, defect 5: throttling, lockout, timing, token lifetime, disabling, password policy."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from smartcustoms.accounts import service
from smartcustoms.accounts.model import LoginPolicy
from smartcustoms.audit import service as audit_service
from smartcustoms.core.clock import FixedClock
from smartcustoms.db.engine import Database
from smartcustoms.errors import AuthenticationRequired, InvalidInput, RateLimited
from tests.conftest import Actors
from tests.pages import csrf_token

PASSWORD = "correct horse battery"
POLICY = LoginPolicy(
    window=timedelta(minutes=15), max_account=3, max_client=5, lockout=timedelta(minutes=10)
)


def _fail(db: Database, email: str, clock: FixedClock, client: str = "10.0.0.1") -> None:
    with pytest.raises(AuthenticationRequired):
        service.verify_password(
            db.uow(), email, "wrong password!", client=client, policy=POLICY, clock=clock
        )


def test_an_account_locks_after_repeated_failures_with_an_audit_entry(
    db: Database, actors: Actors
) -> None:
    user = actors.user("KR", "officer", email="lock@kr.test")
    clock = FixedClock(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    for _ in range(3):
        _fail(db, user["email"], clock)
        clock.advance(timedelta(seconds=5))
    # Locked: even the right password is not checked, and the message says so.
    with pytest.raises(RateLimited) as info:
        service.verify_password(
            db.uow(), user["email"], PASSWORD, client="10.0.0.2", policy=POLICY, clock=clock
        )
    assert "locked for 10 more minute" in info.value.message
    assert 0 < info.value.retry_after <= 600
    trail = audit_service.history(db.uow(), user["id"])
    assert [e["action"] for e in trail] == ["login_locked"]
    # Hammering the locked account does not extend the lockout.
    for _ in range(5):
        with pytest.raises(RateLimited):
            service.verify_password(db.uow(), user["email"], "x", policy=POLICY, clock=clock)
    clock.advance(timedelta(minutes=10))
    ok = service.verify_password(
        db.uow(), user["email"], PASSWORD, client="10.0.0.2", policy=POLICY, clock=clock
    )
    assert ok.email == user["email"]


def test_unknown_accounts_lock_the_same_way(db: Database) -> None:
    clock = FixedClock(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    for i in range(3):
        _fail(db, "nobody@kr.test", clock, client=f"10.0.1.{i}")
    with pytest.raises(RateLimited) as info:
        service.verify_password(db.uow(), "nobody@kr.test", "x", policy=POLICY, clock=clock)
    assert "locked" in info.value.message


def test_one_client_is_held_back_across_accounts(db: Database, actors: Actors) -> None:
    user = actors.user("KR", "officer", email="victim@kr.test")
    clock = FixedClock(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    for i in range(5):
        _fail(db, f"guess{i}@kr.test", clock, client="203.0.113.9")
    with pytest.raises(RateLimited) as info:
        service.verify_password(
            db.uow(), user["email"], PASSWORD, client="203.0.113.9", policy=POLICY, clock=clock
        )
    assert "from your address" in info.value.message
    # Another client is not affected.
    service.verify_password(
        db.uow(), user["email"], PASSWORD, client="198.51.100.1", policy=POLICY, clock=clock
    )


def test_unknown_emails_cost_as_much_time_as_wrong_passwords(db: Database, actors: Actors) -> None:
    user = actors.user("KR", "officer", email="timing@kr.test")
    generous = LoginPolicy(max_account=100, max_client=100)

    def cost(email: str) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            with pytest.raises(AuthenticationRequired):
                service.verify_password(db.uow(), email, "wrong password!", policy=generous)
            times.append(time.perf_counter() - start)
        return sorted(times)[1]

    known, unknown = cost(user["email"]), cost("nobody-at-all@kr.test")
    assert unknown > 0.3 * known, (known, unknown)


def test_tokens_expire_and_disabling_revokes_them_all(db: Database, actors: Actors) -> None:
    user = actors.user("KR", "declarant", email="tok@kr.test")
    clock = FixedClock(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    issued = service.issue_token(db.uow(), user["id"], clock=clock)
    assert issued.expires_at == clock.now() + timedelta(days=90)
    clock.advance(timedelta(days=91))
    with pytest.raises(AuthenticationRequired):
        service.authenticate(db.uow(), issued.secret, clock=clock)

    second = service.issue_token(db.uow(), user["id"], ttl=timedelta(days=1))
    assert service.authenticate(db.uow(), second.secret).email == user["email"]
    disabled, revoked = service.set_active(db.uow(), user["email"], False)
    assert not disabled.is_active and revoked == 3  # the fixture's token and both above
    for secret in (user["token"], second.secret):
        with pytest.raises(AuthenticationRequired):
            service.authenticate(db.uow(), secret)
    with pytest.raises(AuthenticationRequired):
        service.verify_password(db.uow(), user["email"], PASSWORD)
    service.set_active(db.uow(), user["email"], True)
    with pytest.raises(AuthenticationRequired):  # old tokens stay revoked
        service.authenticate(db.uow(), second.secret)


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short", "too_short"),
        ("password123", "too_common"),
        ("Summer2024!", "too_common"),
        ("qwertyuiop", "too_common"),
        ("aaaaaaaaaaaa", "too_common"),
        ("policy@kr.test", "same_as_email"),
    ],
)
def test_the_password_policy(db: Database, password: str, code: str) -> None:
    service.create_economy(db.uow(), "KR", "Korea", "KRW")
    with pytest.raises(InvalidInput) as info:
        service.create_user(
            db.uow(), economy="KR", email="policy@kr.test", password=password, roles=["officer"]
        )
    assert code in {e.code for e in info.value.errors}
    assert service.list_users(db.uow()) == []


def test_the_api_and_the_page_answer_429_while_locked(client: TestClient, actors: Actors) -> None:
    user = actors.user("KR", "officer", email="api@kr.test")
    limit = client.app.state.settings.login_max_failures_account
    for _ in range(limit):
        r = client.post("/api/v1/auth/tokens", json={"email": user["email"], "password": "nope"})
        assert r.status_code == 401
    r = client.post("/api/v1/auth/tokens", json={"email": user["email"], "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert r.json()["error"] == "RateLimited" and "locked" in r.json()["detail"]
    page = client.post(
        "/login",
        data={"email": user["email"], "password": PASSWORD, "csrf_token": csrf_token(client)},
        headers={"accept": "text/html"},
    )
    assert page.status_code == 429 and "locked" in page.text


def test_api_tokens_carry_their_expiry(client: TestClient, actors: Actors) -> None:
    user = actors.user("KR", "officer", email="exp@kr.test")
    r = client.post(
        "/api/v1/auth/tokens", json={"email": user["email"], "password": PASSWORD, "days": 7}
    )
    expires = datetime.fromisoformat(r.json()["expires_at"])
    assert timedelta(days=6, hours=23) < expires - datetime.now(UTC) <= timedelta(days=7)
    default = client.post(
        "/api/v1/auth/tokens", json={"email": user["email"], "password": PASSWORD}
    )
    expires = datetime.fromisoformat(default.json()["expires_at"])
    assert timedelta(days=89) < expires - datetime.now(UTC) <= timedelta(days=90)
