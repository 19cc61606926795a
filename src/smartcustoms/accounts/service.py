"""Use cases for economies, users and credentials. Each owns its transaction."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError

from smartcustoms.accounts.model import (
    EconomyInfo,
    IssuedToken,
    LoginPolicy,
    Principal,
    Role,
    TokenInfo,
    User,
)
from smartcustoms.accounts.passwords import password_problems
from smartcustoms.accounts.repository import AccountsRepository, economy_from_row, user_from_row
from smartcustoms.accounts.tables import (
    EconomyRow,
    LoginAttemptRow,
    TokenRow,
    UserRoleRow,
    UserRow,
)
from smartcustoms.audit.log import AuditEvent, AuditLog
from smartcustoms.core import codes
from smartcustoms.core.clock import Clock, as_utc
from smartcustoms.core.ids import new_id, new_token
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import (
    AuthenticationRequired,
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    RateLimited,
)

log = logging.getLogger(__name__)
_hasher = PasswordHasher()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOKEN_PREFIX = "sc_"
DEFAULT_TOKEN_TTL = timedelta(days=90)
DEFAULT_LOGIN_POLICY = LoginPolicy()


@cache
def _dummy_hash() -> str:
    # Checked against when the account does not exist, so that an unknown email costs the same
    # time as a wrong password (no enumeration by timing).
    return _hasher.hash("no such account: this hash only burns time")


def _hash_secret(secret: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough to make a leaked table useless.
    return hashlib.sha256(secret.encode()).hexdigest()


def principal_of(user: User) -> Principal:
    return Principal(user.id, user.email, user.name, user.economy, user.roles)


# --- economies -------------------------------------------------------------------------------


def create_economy(
    uow: UnitOfWork,
    code: str,
    name: str | None = None,
    currency: str | None = None,
    *,
    clock: Clock | None = None,
) -> EconomyInfo:
    """Create an economy; name and currency default from the code (an APEC economy's own,
    else the ISO 3166 name; a non-APEC economy must give its currency)."""
    code = code.strip().upper()
    known = codes.apec_economy(code)
    if not (name or "").strip():
        name = known.name if known else codes.country_name(code) or ""
    if not (currency or "").strip():
        currency = known.currency if known else ""
        if not currency and codes.is_country(code):
            raise InvalidInput.single(
                "currency", "required", f"give the currency of {code} (an ISO 4217 code)"
            )
    currency = (currency or "").strip().upper()
    name = name or ""
    errors = []
    if not codes.is_country(code):
        errors.append(FieldError("code", "unknown_country", f"'{code}' is not an ISO 3166 code"))
    if not codes.is_currency(currency):
        errors.append(
            FieldError("currency", "unknown_currency", f"'{currency}' is not an ISO 4217 code")
        )
    if not name.strip():
        errors.append(FieldError("name", "required", "an economy needs a name"))
    if errors:
        raise InvalidInput(errors)
    with uow:
        repo = AccountsRepository(uow.session)
        if repo.economy(code) is not None:
            raise Conflict(f"economy {code} exists already")
        row = EconomyRow(
            code=code,
            name=name.strip(),
            currency=currency,
            is_apec=code in codes.APEC_CODES,
            created_at=(clock or uow.clock).now(),
        )
        repo.add(row)
        uow.commit()
        return economy_from_row(row)


def ensure_apec_economies(uow: UnitOfWork, *, clock: Clock | None = None) -> int:
    """Create the 21 APEC economies that do not exist yet; returns how many were added."""
    now = (clock or uow.clock).now()
    with uow:
        repo = AccountsRepository(uow.session)
        added = 0
        for e in codes.APEC_ECONOMIES:
            if repo.economy(e.code) is None:
                repo.add(
                    EconomyRow(
                        code=e.code, name=e.name, currency=e.currency, is_apec=True, created_at=now
                    )
                )
                added += 1
        uow.commit()
        return added


def list_economies(uow: UnitOfWork) -> list[EconomyInfo]:
    with uow:
        return [economy_from_row(r) for r in AccountsRepository(uow.session).economies()]


def get_economy(uow: UnitOfWork, code: str) -> EconomyInfo:
    with uow:
        found = AccountsRepository(uow.session).economy_info(code)
        if found is None:
            raise NotFound(f"no economy {code.upper()}")
        return found


# --- users -----------------------------------------------------------------------------------


def parse_roles(values: Iterable[str], path: str = "roles") -> frozenset[Role]:
    roles, errors = set(), []
    for i, value in enumerate(values):
        try:
            roles.add(Role(value.strip().lower()))
        except ValueError:
            allowed = ", ".join(r.value for r in Role)
            errors.append(
                FieldError(
                    f"{path}[{i}]", "unknown_role", f"'{value}' is not a role; use one of {allowed}"
                )
            )
    if not roles and not errors:
        errors.append(FieldError(path, "required", "give at least one role"))
    if errors:
        raise InvalidInput(errors)
    return frozenset(roles)


def create_user(
    uow: UnitOfWork,
    *,
    economy: str,
    email: str,
    password: str,
    roles: Iterable[str],
    name: str = "",
    clock: Clock | None = None,
) -> User:
    email = email.strip().lower()
    errors: list[FieldError] = []
    if len(email) > 254:
        errors.append(
            FieldError("email", "too_long", "an email address has at most 254 characters")
        )
    elif not _EMAIL.match(email):
        errors.append(FieldError("email", "invalid_email", f"'{email}' is not an email address"))
    if len(name.strip()) > 200:
        errors.append(FieldError("name", "too_long", "a name has at most 200 characters"))
    errors.extend(password_problems(password, email))
    try:
        role_set = parse_roles(roles)
    except InvalidInput as exc:
        errors.extend(exc.errors)
        role_set = frozenset()
    with uow:
        repo = AccountsRepository(uow.session)
        if repo.economy(economy) is None:
            errors.append(
                FieldError(
                    "economy",
                    "unknown_economy",
                    f"no economy '{economy.upper()}'; see 'smartcustoms economies list'",
                )
            )
        if errors:
            raise InvalidInput(errors)
        if repo.user_by_email(email) is not None:
            raise Conflict(f"a user with email {email} exists already")
        row = UserRow(
            id=new_id(),
            economy_code=economy.upper(),
            email=email,
            name=name.strip() or email.split("@")[0],
            password_hash=_hasher.hash(password),
            is_active=True,
            created_at=(clock or uow.clock).now(),
        )
        repo.add(row)
        repo.set_roles(row, role_set)
        uow.session.flush()
        user = user_from_row(row)
        uow.commit()
        return user


def list_users(uow: UnitOfWork, economy: str | None = None) -> list[User]:
    with uow:
        return [user_from_row(r) for r in AccountsRepository(uow.session).users(economy)]


def user_by_email(uow: UnitOfWork, email: str) -> User:
    with uow:
        row = AccountsRepository(uow.session).user_by_email(email.strip().lower())
        if row is None:
            raise NotFound(f"no user {email}")
        return user_from_row(row)


def verify_password(
    uow: UnitOfWork,
    email: str,
    password: str,
    *,
    client: str = "",
    policy: LoginPolicy = DEFAULT_LOGIN_POLICY,
    clock: Clock | None = None,
) -> User:
    """Check a password, throttled per account and per client; every attempt is recorded.

    Raises :class:`RateLimited` while the account or the client is held back (the password is
    then not even checked), :class:`AuthenticationRequired` for a wrong email or password.
    """
    now = (clock or uow.clock).now()
    email = email.strip().lower()[:254]
    client = client[:64]
    with uow:
        repo = AccountsRepository(uow.session)
        held = _held_back(repo, email, client, policy, now)
        if held is not None:
            repo.add(LoginAttemptRow(email=email, client=client, outcome="refused", at=now))
            uow.commit()
            raise held
        row = repo.user_by_email(email)
        ok = False
        try:
            if row is None or not row.is_active:
                _hasher.verify(_dummy_hash(), password)  # always fails; costs the same time
            else:
                ok = _hasher.verify(row.password_hash, password)
        except VerificationError:
            ok = False
        repo.add(
            LoginAttemptRow(email=email, client=client, outcome="ok" if ok else "failed", at=now)
        )
        if not ok:
            uow.session.flush()
            if _held_back(repo, email, client, policy, now) is not None:
                _record_lockout(uow, row, email, client, now)
        user = user_from_row(row) if ok and row is not None else None
        uow.commit()
    if user is None:
        raise AuthenticationRequired("wrong email or password")
    return user


def _held_back(
    repo: AccountsRepository, email: str, client: str, policy: LoginPolicy, now: datetime
) -> RateLimited | None:
    # The account: the latest max_account failures since the last success, all within one
    # window, lock it for `lockout` from the last of them. Refused attempts do not count, so
    # hammering a locked account does not extend the lockout.
    since = now - policy.window - policy.lockout
    last_ok = repo.last_success(email)
    if last_ok is not None and last_ok > since:
        since = last_ok
    recent = repo.failures_for_email(email, since)
    n = policy.max_account
    if len(recent) >= n and recent[0] - recent[n - 1] <= policy.window:
        until = recent[0] + policy.lockout
        if until > now:
            seconds = int((until - now).total_seconds()) + 1
            return RateLimited(
                f"too many failed logins for this account: it is locked for "
                f"{-(-seconds // 60)} more minute(s); try again later or ask an administrator",
                seconds,
            )
    # The client: max_client failures within the window hold it back until the oldest leaves.
    if client:
        tries = repo.failures_from_client(client, now - policy.window)
        if len(tries) >= policy.max_client:
            wait = tries[len(tries) - policy.max_client] + policy.window - now
            return RateLimited(
                "too many failed logins from your address; wait a few minutes and try again",
                int(wait.total_seconds()) + 1,
            )
    return None


def _record_lockout(
    uow: UnitOfWork, row: UserRow | None, email: str, client: str, now: datetime
) -> None:
    log.warning("login locked out: email=%s client=%s", email, client or "-")
    if row is None:
        return  # no economy's audit chain to write to; the log and login_attempts keep it
    uow.repo(AuditLog).append(
        row.economy_code,
        [
            AuditEvent(
                entity_kind="user",
                entity_id=row.id,
                action="login_locked",
                actor=email,
                at=now,
                after={"client": client},
                note="too many failed logins",
            )
        ],
    )


def set_active(
    uow: UnitOfWork, email: str, active: bool, *, clock: Clock | None = None
) -> tuple[User, int]:
    """Enable or disable a user; disabling also revokes every token and session of theirs.
    Returns the user and how many tokens were revoked."""
    now = (clock or uow.clock).now()
    with uow:
        repo = AccountsRepository(uow.session)
        row = repo.user_by_email(email.strip().lower())
        if row is None:
            raise NotFound(f"no user {email}")
        row.is_active = active
        revoked = 0 if active else repo.revoke_tokens(row.id, now)
        user = user_from_row(row)
        uow.commit()
        return user, revoked


def revoke_all_tokens(uow: UnitOfWork, email: str, *, clock: Clock | None = None) -> int:
    """Revoke every token and session of a user (who stays enabled); returns how many."""
    now = (clock or uow.clock).now()
    with uow:
        repo = AccountsRepository(uow.session)
        row = repo.user_by_email(email.strip().lower())
        if row is None:
            raise NotFound(f"no user {email}")
        revoked = repo.revoke_tokens(row.id, now)
        uow.commit()
        return revoked


# --- tokens and sessions ---------------------------------------------------------------------


def issue_token(
    uow: UnitOfWork,
    user_id: str,
    *,
    kind: str = "api",
    name: str = "api token",
    ttl: timedelta = DEFAULT_TOKEN_TTL,
    clock: Clock | None = None,
) -> IssuedToken:
    """A new bearer token (or web session); every token has a lifetime."""
    if ttl <= timedelta(0):
        raise InvalidInput.single("ttl", "out_of_range", "a token lives for a positive time")
    now = (clock or uow.clock).now()
    secret = TOKEN_PREFIX + new_token()
    with uow:
        repo = AccountsRepository(uow.session)
        if repo.user(user_id) is None:
            raise NotFound(f"no user {user_id}")
        row = TokenRow(
            id=new_id(),
            user_id=user_id,
            kind=kind,
            name=name,
            secret_hash=_hash_secret(secret),
            created_at=now,
            expires_at=now + ttl,
        )
        repo.add(row)
        uow.commit()
        return IssuedToken(row.id, secret, row.expires_at)


def login(
    uow: UnitOfWork,
    email: str,
    password: str,
    *,
    ttl: timedelta,
    client: str = "",
    policy: LoginPolicy = DEFAULT_LOGIN_POLICY,
    clock: Clock | None = None,
) -> tuple[User, IssuedToken]:
    """Check the password and open a web session (a short-lived token kept in a cookie)."""
    user = verify_password(uow, email, password, client=client, policy=policy, clock=clock)
    return user, issue_token(uow, user.id, kind="session", name="web session", ttl=ttl, clock=clock)


# How stale a token's recorded last use may get: a request within this time of the recorded
# one (and on the same UTC day, the precision the product shows) writes nothing.
LAST_USE_PRECISION = timedelta(minutes=1)


def _last_use_due(now: datetime) -> datetime:
    """A recorded last use before this instant is rewritten: older than LAST_USE_PRECISION, or
    on an earlier UTC day (so the date the admin pages show is always the true one)."""
    utc = as_utc(now)
    midnight = utc.replace(hour=0, minute=0, second=0, microsecond=0)
    return max(utc - LAST_USE_PRECISION, midnight)


def authenticate(uow: UnitOfWork, secret: str, *, clock: Clock | None = None) -> Principal:
    """The caller of a bearer token or session secret.

    Read from the database on every call, so a revoked or expired token, or a disabled
    account, is refused on the very next request, in every worker. Writes only to record the
    token's last use, and that at most once a minute per token (see :func:`_last_use_due`):
    a commit per request was a sixth of an API lodgement's time."""
    now = (clock or uow.clock).now()
    with uow:
        repo = AccountsRepository(uow.session)
        found = repo.credential(_hash_secret(secret))
        if found is None or found.revoked_at is not None:
            raise AuthenticationRequired("unknown or revoked token")
        if found.expires_at is not None and found.expires_at <= now:
            raise AuthenticationRequired("the token or session has expired; log in again")
        if not found.is_active:
            raise AuthenticationRequired("the account is disabled")
        due = _last_use_due(now)
        if found.last_used_at is None or found.last_used_at < due:
            repo.touch_token(found.token_id, now, due)
            uow.commit()
        return Principal(found.user_id, found.email, found.name, found.economy, found.roles)


def revoke_token(
    uow: UnitOfWork, token_id: str, *, by: Principal | None = None, clock: Clock | None = None
) -> None:
    with uow:
        repo = AccountsRepository(uow.session)
        token = repo.token(token_id)
        owner = None if token is None else repo.user(token.user_id)
        # Someone else's token in another economy is reported as absent, not as forbidden.
        if (
            token is None
            or owner is None
            or (
                by is not None
                and by.user_id != owner.id
                and not (by.has(Role.ADMIN) and by.economy == owner.economy_code)
            )
        ):
            raise NotFound(f"no token {token_id}")
        token.revoked_at = (clock or uow.clock).now()
        uow.commit()


def revoke_secret(uow: UnitOfWork, secret: str, *, clock: Clock | None = None) -> None:
    """Log out: revoke the session whose secret the cookie holds (silently if unknown)."""
    with uow:
        token = AccountsRepository(uow.session).token_by_hash(_hash_secret(secret))
        if token is not None and token.revoked_at is None:
            token.revoked_at = (clock or uow.clock).now()
            uow.commit()


def list_tokens(uow: UnitOfWork, user_id: str) -> list[TokenInfo]:
    with uow:
        return [
            TokenInfo(
                t.id,
                t.kind,
                t.name,
                t.secret_hash,
                t.created_at,
                t.expires_at,
                t.revoked_at,
                t.last_used_at,
            )
            for t in AccountsRepository(uow.session).tokens(user_id)
        ]


# --- administration (the admin pages; the CLI uses the same functions) -------------------------


def _user_in(repo: AccountsRepository, user_id: str, economy: str) -> UserRow:
    # A user of another economy is reported as absent, not as forbidden (no enumeration).
    row = repo.user(user_id)
    if row is None or row.economy_code != economy.upper():
        raise NotFound(f"no user {user_id}")
    return row


def get_user(uow: UnitOfWork, user_id: str, economy: str) -> User:
    """One user of ``economy`` (NotFound for a user of another economy)."""
    with uow:
        return user_from_row(_user_in(AccountsRepository(uow.session), user_id, economy))


def set_roles(uow: UnitOfWork, user_id: str, economy: str, roles: Iterable[str]) -> User:
    """Replace the roles of a user of ``economy``; every role is checked, at least one given."""
    role_set = parse_roles(roles)
    with uow:
        repo = AccountsRepository(uow.session)
        row = _user_in(repo, user_id, economy)
        # Keep the role rows that stay: replacing them all would delete and re-insert the same
        # (user, role) keys in one flush, which the unique key refuses.
        wanted = {r.value for r in role_set}
        current = {r.role for r in row.roles}
        row.roles = [r for r in row.roles if r.role in wanted] + [
            UserRoleRow(role=v) for v in sorted(wanted - current)
        ]
        uow.session.flush()
        user = user_from_row(row)
        uow.commit()
        return user


def reset_password(
    uow: UnitOfWork, user_id: str, economy: str, password: str, *, clock: Clock | None = None
) -> int:
    """Give a user of ``economy`` a new password (the same rules as at creation) and revoke
    their tokens and sessions, so whoever knew the old one is out; returns how many."""
    now = (clock or uow.clock).now()
    with uow:
        repo = AccountsRepository(uow.session)
        row = _user_in(repo, user_id, economy)
        problems = password_problems(password, row.email)
        if problems:
            raise InvalidInput(problems)
        row.password_hash = _hasher.hash(password)
        revoked = repo.revoke_tokens(row.id, now)
        uow.commit()
        return revoked


def economy_tokens(uow: UnitOfWork, economy: str) -> list[tuple[User, TokenInfo]]:
    """Every API token (not web sessions) of the users of ``economy``, oldest first."""
    with uow:
        repo = AccountsRepository(uow.session)
        out: list[tuple[User, TokenInfo]] = []
        for user_row in repo.users(economy.upper()):
            user = user_from_row(user_row)
            out += [
                (
                    user,
                    TokenInfo(
                        t.id,
                        t.kind,
                        t.name,
                        t.secret_hash,
                        t.created_at,
                        t.expires_at,
                        t.revoked_at,
                        t.last_used_at,
                    ),
                )
                for t in repo.tokens(user_row.id)
                if t.kind == "api"
            ]
        return sorted(out, key=lambda pair: pair[1].created_at)
