"""Use cases for economies, users and credentials. Each owns its transaction."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError

from smartcustoms.accounts.model import (
    EconomyInfo,
    IssuedToken,
    Principal,
    Role,
    TokenInfo,
    User,
)
from smartcustoms.accounts.repository import AccountsRepository, economy_from_row, user_from_row
from smartcustoms.accounts.tables import EconomyRow, TokenRow, UserRow
from smartcustoms.core import codes
from smartcustoms.core.clock import Clock, SystemClock
from smartcustoms.core.ids import new_id, new_token
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import (
    AuthenticationRequired,
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
)

_hasher = PasswordHasher()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8
TOKEN_PREFIX = "sc_"


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
            created_at=(clock or SystemClock()).now(),
        )
        repo.add(row)
        uow.commit()
        return economy_from_row(row)


def ensure_apec_economies(uow: UnitOfWork, *, clock: Clock | None = None) -> int:
    """Create the 21 APEC economies that do not exist yet; returns how many were added."""
    now = (clock or SystemClock()).now()
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
        row = AccountsRepository(uow.session).economy(code)
        if row is None:
            raise NotFound(f"no economy {code.upper()}")
        return economy_from_row(row)


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
    if not _EMAIL.match(email):
        errors.append(FieldError("email", "invalid_email", f"'{email}' is not an email address"))
    if len(password) < MIN_PASSWORD:
        errors.append(
            FieldError(
                "password", "too_short", f"a password needs at least {MIN_PASSWORD} characters"
            )
        )
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
            created_at=(clock or SystemClock()).now(),
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


def verify_password(uow: UnitOfWork, email: str, password: str) -> User:
    with uow:
        row = AccountsRepository(uow.session).user_by_email(email.strip().lower())
        if row is None or not row.is_active:
            raise AuthenticationRequired("wrong email or password")
        try:
            _hasher.verify(row.password_hash, password)
        except VerificationError:
            raise AuthenticationRequired("wrong email or password") from None
        return user_from_row(row)


# --- tokens and sessions ---------------------------------------------------------------------


def issue_token(
    uow: UnitOfWork,
    user_id: str,
    *,
    kind: str = "api",
    name: str = "api token",
    ttl: timedelta | None = None,
    clock: Clock | None = None,
) -> IssuedToken:
    now = (clock or SystemClock()).now()
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
            expires_at=None if ttl is None else now + ttl,
        )
        repo.add(row)
        uow.commit()
        return IssuedToken(row.id, secret, row.expires_at)


def login(
    uow: UnitOfWork, email: str, password: str, *, ttl: timedelta, clock: Clock | None = None
) -> tuple[User, IssuedToken]:
    """Check the password and open a web session (a short-lived token kept in a cookie)."""
    user = verify_password(uow, email, password)
    return user, issue_token(uow, user.id, kind="session", name="web session", ttl=ttl, clock=clock)


def authenticate(uow: UnitOfWork, secret: str, *, clock: Clock | None = None) -> Principal:
    now = (clock or SystemClock()).now()
    with uow:
        repo = AccountsRepository(uow.session)
        token = repo.token_by_hash(_hash_secret(secret))
        if token is None or token.revoked_at is not None:
            raise AuthenticationRequired("unknown or revoked token")
        if token.expires_at is not None and token.expires_at <= now:
            raise AuthenticationRequired("the token or session has expired; log in again")
        user = repo.user(token.user_id)
        if user is None or not user.is_active:
            raise AuthenticationRequired("the account is disabled")
        token.last_used_at = now
        uow.commit()
        return principal_of(user_from_row(user))


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
        token.revoked_at = (clock or SystemClock()).now()
        uow.commit()


def revoke_secret(uow: UnitOfWork, secret: str, *, clock: Clock | None = None) -> None:
    """Log out: revoke the session whose secret the cookie holds (silently if unknown)."""
    with uow:
        token = AccountsRepository(uow.session).token_by_hash(_hash_secret(secret))
        if token is not None and token.revoked_at is None:
            token.revoked_at = (clock or SystemClock()).now()
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
