"""Pure domain objects for economies, users and the caller of a request."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from smartcustoms.errors import PermissionDenied


class Role(enum.StrEnum):
    DECLARANT = "declarant"
    OFFICER = "officer"
    ANALYST = "analyst"
    KNOWLEDGE_MANAGER = "knowledge_manager"
    ADMIN = "admin"
    PLATFORM = "platform"  # e-commerce marketplace lodging parcel manifests and orders
    CARRIER = "carrier"  # express carrier / postal operator lodging manifests and waybills


@dataclass(frozen=True, slots=True)
class EconomyInfo:
    code: str
    name: str
    currency: str
    is_apec: bool


@dataclass(frozen=True, slots=True)
class User:
    id: str
    economy: str
    email: str
    name: str
    roles: frozenset[Role]
    is_active: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: every economy-scoped query filters on ``economy``."""

    user_id: str
    email: str
    name: str
    economy: str
    roles: frozenset[Role] = field(default_factory=frozenset)

    def has(self, *roles: Role) -> bool:
        # Admins of an economy may do everything within it.
        return Role.ADMIN in self.roles or any(r in self.roles for r in roles)

    def require(self, *roles: Role) -> None:
        if not self.has(*roles):
            wanted = " or ".join(r.value for r in roles)
            raise PermissionDenied(f"this needs the role {wanted}")


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    """How many failed logins are tolerated before an account or a client is held back.

    Failures are counted over ``window``; ``max_account`` failures for one email lock it for
    ``lockout`` (whether the account exists or not, so a lockout reveals nothing), and
    ``max_client`` failures from one client address hold that client back until the oldest
    of them leaves the window.
    """

    window: timedelta = timedelta(minutes=15)
    max_account: int = 5
    max_client: int = 30
    lockout: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly issued credential: ``secret`` is shown once and stored only as a hash."""

    id: str
    secret: str
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What may be shown about a stored credential: never the secret, only its hash."""

    id: str
    kind: str
    name: str
    secret_hash: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    """The last request made with it, to the minute (recorded at most once a minute, and
    always on the first use of a UTC day)."""
