"""Economies, users, roles and credentials on both databases."""

from datetime import UTC, datetime, timedelta

import pytest

from smartcustoms.accounts import service
from smartcustoms.accounts.model import Role
from smartcustoms.core.clock import FixedClock
from smartcustoms.db.engine import Database
from smartcustoms.errors import AuthenticationRequired, Conflict, InvalidInput, NotFound


def test_apec_economies_created_once(db: Database) -> None:
    assert service.ensure_apec_economies(db.uow()) == 21
    assert service.ensure_apec_economies(db.uow()) == 0
    kr = service.get_economy(db.uow(), "kr")
    assert (kr.code, kr.currency, kr.is_apec) == ("KR", "KRW", True)


def test_create_economy_reports_every_problem(db: Database) -> None:
    with pytest.raises(InvalidInput) as info:
        service.create_economy(db.uow(), "XX", "", "KRX")
    assert {e.path for e in info.value.errors} == {"code", "name", "currency"}
    assert service.list_economies(db.uow()) == []


def test_user_creation_validates_everything_at_once(db: Database) -> None:
    service.create_economy(db.uow(), "KR", "Korea", "KRW")
    with pytest.raises(InvalidInput) as info:
        service.create_user(
            db.uow(), economy="ZZ", email="nope", password="short", roles=["officer", "wizard"]
        )
    assert {e.path for e in info.value.errors} == {"email", "password", "roles[1]", "economy"}
    assert service.list_users(db.uow()) == []


def test_password_login_and_tokens(db: Database) -> None:
    service.create_economy(db.uow(), "KR", "Korea", "KRW")
    user = service.create_user(
        db.uow(),
        economy="KR",
        email="Officer@KR.test",
        password="long enough pw",
        roles=["officer", "analyst"],
    )
    assert user.email == "officer@kr.test" and user.roles == {Role.OFFICER, Role.ANALYST}
    with pytest.raises(Conflict):
        service.create_user(
            db.uow(),
            economy="KR",
            email="officer@kr.test",
            password="long enough pw",
            roles=["officer"],
        )
    with pytest.raises(AuthenticationRequired):
        service.verify_password(db.uow(), "officer@kr.test", "wrong password")

    token = service.issue_token(db.uow(), user.id)
    principal = service.authenticate(db.uow(), token.secret)
    assert principal.economy == "KR" and principal.has(Role.OFFICER)
    assert not principal.has(Role.KNOWLEDGE_MANAGER)

    service.revoke_token(db.uow(), token.id)
    with pytest.raises(AuthenticationRequired):
        service.authenticate(db.uow(), token.secret)


def test_tokens_are_hashed_at_rest(db: Database) -> None:
    service.create_economy(db.uow(), "KR", "Korea", "KRW")
    user = service.create_user(
        db.uow(), economy="KR", email="a@kr.test", password="long enough pw", roles=["declarant"]
    )
    token = service.issue_token(db.uow(), user.id)
    stored = service.list_tokens(db.uow(), user.id)
    assert len(stored) == 1 and token.secret not in stored[0].secret_hash


def test_sessions_expire(db: Database) -> None:
    clock = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
    service.create_economy(db.uow(), "KR", "Korea", "KRW")
    service.create_user(
        db.uow(), economy="KR", email="a@kr.test", password="long enough pw", roles=["declarant"]
    )
    _, session = service.login(
        db.uow(), "a@kr.test", "long enough pw", ttl=timedelta(hours=1), clock=clock
    )
    assert service.authenticate(db.uow(), session.secret, clock=clock).email == "a@kr.test"
    clock.advance(timedelta(hours=2))
    with pytest.raises(AuthenticationRequired, match="expired"):
        service.authenticate(db.uow(), session.secret, clock=clock)


def test_admin_cannot_revoke_tokens_of_another_economy(db: Database) -> None:
    for code, ccy in (("KR", "KRW"), ("SG", "SGD")):
        service.create_economy(db.uow(), code, code, ccy)
    kr = service.create_user(
        db.uow(), economy="KR", email="k@kr.test", password="long enough pw", roles=["declarant"]
    )
    sg_admin = service.create_user(
        db.uow(), economy="SG", email="a@sg.test", password="long enough pw", roles=["admin"]
    )
    token = service.issue_token(db.uow(), kr.id)
    admin = service.principal_of(sg_admin)
    with pytest.raises(NotFound):
        service.revoke_token(db.uow(), token.id, by=admin)
    assert service.authenticate(db.uow(), token.secret).user_id == kr.id


def test_schema_has_no_drift(db: Database) -> None:
    from smartcustoms.db import migrate

    migrate.check(db.url)


def test_services_read_the_clock_of_the_composition_root(db: Database) -> None:
    """``bootstrap(clock=...)`` reaches every use case through ``uow.clock``; an explicit
    ``clock=`` argument still wins, and a bare unit of work reads the system clock."""
    from smartcustoms.bootstrap import bootstrap
    from smartcustoms.config import Settings

    then = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    wired = bootstrap(
        Settings(environment="test", database_url=db.url), db=db, clock=FixedClock(then)
    )
    service.create_economy(wired.uow(), "KR", "Korea", "KRW")
    user = service.create_user(
        wired.uow(), economy="KR", email="a@kr.test", password="long enough pw", roles=["officer"]
    )
    assert user.created_at.replace(tzinfo=UTC) == then
    earlier = then - timedelta(days=400)
    other = service.create_user(
        wired.uow(),
        economy="KR",
        email="b@kr.test",
        password="long enough pw",
        roles=["officer"],
        clock=FixedClock(earlier),
    )
    assert other.created_at.replace(tzinfo=UTC) == earlier
    bare = service.create_user(
        db.uow(), economy="KR", email="c@kr.test", password="long enough pw", roles=["officer"]
    )
    assert abs(bare.created_at.replace(tzinfo=UTC) - datetime.now(UTC)) < timedelta(minutes=5)
