"""Queries for economies, users and tokens. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from smartcustoms.accounts.model import EconomyInfo, Role, User
from smartcustoms.accounts.tables import (
    EconomyRow,
    LoginAttemptRow,
    TokenRow,
    UserRoleRow,
    UserRow,
)


def economy_from_row(row: EconomyRow) -> EconomyInfo:
    return EconomyInfo(row.code, row.name, row.currency, row.is_apec)


def user_from_row(row: UserRow) -> User:
    return User(
        id=row.id,
        economy=row.economy_code,
        email=row.email,
        name=row.name,
        roles=frozenset(Role(r.role) for r in row.roles),
        is_active=row.is_active,
        created_at=row.created_at,
    )


@dataclass(frozen=True, slots=True)
class Credential:
    """What authenticating a bearer secret needs: its token and the owner, as plain values."""

    token_id: str
    revoked_at: datetime | None
    expires_at: datetime | None
    last_used_at: datetime | None
    user_id: str
    email: str
    name: str
    economy: str
    is_active: bool
    roles: frozenset[Role]


_TOKENS, _USERS, _ROLES = TokenRow.__table__.c, UserRow.__table__.c, UserRoleRow.__table__.c
# Built once: constructing the statement cost about as much as running it. Table columns (a
# Core statement) skip the ORM's compile and result steps, which plain values do not need.
_CREDENTIAL = (
    select(
        _TOKENS.id,
        _TOKENS.revoked_at,
        _TOKENS.expires_at,
        _TOKENS.last_used_at,
        _USERS.id,
        _USERS.email,
        _USERS.name,
        _USERS.economy_code,
        _USERS.is_active,
        _ROLES.role,
    )
    .join(UserRow.__table__, _USERS.id == _TOKENS.user_id)
    .outerjoin(UserRoleRow.__table__, _ROLES.user_id == _USERS.id)
    .where(_TOKENS.secret_hash == bindparam("secret_hash"))
)


_ECONOMIES = EconomyRow.__table__.c
_ECONOMY = select(_ECONOMIES.code, _ECONOMIES.name, _ECONOMIES.currency, _ECONOMIES.is_apec).where(
    _ECONOMIES.code == bindparam("code")
)


class AccountsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def economy(self, code: str) -> EconomyRow | None:
        return self.session.get(EconomyRow, code.upper())

    def economy_info(self, code: str) -> EconomyInfo | None:
        """An economy as plain values (every lodgement reads its economy's currency)."""
        row = self.session.execute(_ECONOMY, {"code": code.upper()}).first()
        return None if row is None else EconomyInfo(*row)

    def economies(self) -> Sequence[EconomyRow]:
        return self.session.scalars(select(EconomyRow).order_by(EconomyRow.code)).all()

    def add(self, row: EconomyRow | UserRow | TokenRow | LoginAttemptRow) -> None:
        self.session.add(row)

    def user(self, user_id: str) -> UserRow | None:
        return self.session.get(UserRow, user_id)

    def user_by_email(self, email: str) -> UserRow | None:
        return self.session.scalars(select(UserRow).where(UserRow.email == email.lower())).first()

    def users(self, economy: str | None = None) -> Sequence[UserRow]:
        stmt = select(UserRow).order_by(UserRow.economy_code, UserRow.email)
        if economy is not None:
            stmt = stmt.where(UserRow.economy_code == economy)
        return self.session.scalars(stmt).all()

    def set_roles(self, user: UserRow, roles: frozenset[Role]) -> None:
        user.roles = [UserRoleRow(role=r.value) for r in sorted(roles)]

    def token_by_hash(self, secret_hash: str) -> TokenRow | None:
        return self.session.scalars(
            select(TokenRow).where(TokenRow.secret_hash == secret_hash)
        ).first()

    def credential(self, secret_hash: str) -> Credential | None:
        """The token of ``secret_hash`` with its owner and roles, in one statement (a row per
        role) and without ORM objects: every authenticated request runs it."""
        rows = self.session.execute(_CREDENTIAL, {"secret_hash": secret_hash}).all()
        if not rows:
            return None
        first = rows[0]
        return Credential(
            *first[:9],
            roles=frozenset(Role(r[9]) for r in rows if r[9] is not None),
        )

    def touch_token(self, token_id: str, at: datetime, older_than: datetime) -> None:
        """Record ``at`` as the token's last use unless one after ``older_than`` is stored
        (another request or worker recorded it meanwhile)."""
        self.session.execute(
            update(TokenRow)
            .where(
                TokenRow.id == token_id,
                or_(TokenRow.last_used_at.is_(None), TokenRow.last_used_at < older_than),
            )
            .values(last_used_at=at)
        )

    def token(self, token_id: str) -> TokenRow | None:
        return self.session.get(TokenRow, token_id)

    def tokens(self, user_id: str) -> Sequence[TokenRow]:
        return self.session.scalars(
            select(TokenRow).where(TokenRow.user_id == user_id).order_by(TokenRow.created_at)
        ).all()

    def revoke_tokens(self, user_id: str, at: datetime) -> int:
        """Revoke every live token and session of a user; returns how many."""
        result = self.session.execute(
            update(TokenRow)
            .where(TokenRow.user_id == user_id, TokenRow.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    # --- login attempts ---------------------------------------------------------------------

    def last_success(self, email: str) -> datetime | None:
        return self.session.scalar(
            select(func.max(LoginAttemptRow.at)).where(
                LoginAttemptRow.email == email, LoginAttemptRow.outcome == "ok"
            )
        )

    def failures_for_email(self, email: str, since: datetime) -> list[datetime]:
        """Times of failed logins for ``email`` after ``since``, newest first."""
        return list(
            self.session.scalars(
                select(LoginAttemptRow.at)
                .where(
                    LoginAttemptRow.email == email,
                    LoginAttemptRow.outcome == "failed",
                    LoginAttemptRow.at > since,
                )
                .order_by(LoginAttemptRow.at.desc())
            )
        )

    def failures_from_client(self, client: str, since: datetime) -> list[datetime]:
        """Times of failed logins from ``client`` after ``since``, oldest first."""
        return list(
            self.session.scalars(
                select(LoginAttemptRow.at)
                .where(
                    LoginAttemptRow.client == client,
                    LoginAttemptRow.outcome == "failed",
                    LoginAttemptRow.at > since,
                )
                .order_by(LoginAttemptRow.at)
            )
        )
