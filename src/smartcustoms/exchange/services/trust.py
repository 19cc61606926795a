"""Trust: this installation's signing keys (create, rotate, revoke, JWKS) and the registry of
partner administrations (endpoint, public keys with validity periods, status)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core import signing
from smartcustoms.core.clock import Clock, SystemClock, as_utc
from smartcustoms.core.codes import is_country
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import Conflict, DataUnavailable, FieldError, InvalidInput, NotFound
from smartcustoms.exchange.model import (
    KeyStatus,
    OwnKey,
    Partner,
    PartnerKey,
    PartnerStatus,
)
from smartcustoms.exchange.repository import ExchangeRepository
from smartcustoms.exchange.tables import PartnerKeyRow, PartnerRow, SigningKeyRow

__all__ = [
    "KEY_LIFETIME",
    "RETIRED_GRACE",
    "Signer",
    "active_signer",
    "add_partner",
    "create_key",
    "fetch_partner_keys",
    "get_partner",
    "import_partner_keys",
    "jwks",
    "list_keys",
    "list_partners",
    "refresh_partner_keys",
    "revoke_key",
    "rotate_key",
    "set_partner_status",
]

KEY_LIFETIME = timedelta(days=730)
"""A new key's validity; rotate well before it ends."""
RETIRED_GRACE = timedelta(days=90)
"""How long a rotated-out key keeps verifying (at most until it would have expired anyway)."""
READERS = (Role.OFFICER, Role.ANALYST)
log = logging.getLogger("smartcustoms.exchange")


@dataclass(frozen=True, slots=True)
class Signer:
    economy: str
    kid: str
    key: Ed25519PrivateKey


def _now(clock: Clock | None) -> datetime:
    return (clock or SystemClock()).now()


def _own(row: SigningKeyRow) -> OwnKey:
    return OwnKey(
        kid=row.kid,
        economy=row.economy,
        status=KeyStatus(row.status),
        public_jwk=dict(row.public_jwk),
        created_at=row.created_at,
        not_before=row.not_before,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )


def _partner_key(row: PartnerKeyRow) -> PartnerKey:
    return PartnerKey(
        kid=row.kid,
        partner=row.partner,
        status=KeyStatus(row.status),
        public_jwk=dict(row.public_jwk),
        not_before=row.not_before,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )


# --- own keys --------------------------------------------------------------------------------


def create_key(
    uow: UnitOfWork,
    principal: Principal,
    secret: str,
    *,
    clock: Clock | None = None,
    lifetime: timedelta = KEY_LIFETIME,
) -> OwnKey:
    """A new signing key; it becomes the active one only when the economy has none."""
    principal.require(Role.ADMIN)
    now = _now(clock)
    with uow:
        repo = ExchangeRepository(uow.session)
        active = repo.active_own_key(principal.economy, lock=True)
        row = _new_key_row(principal.economy, secret, now, lifetime)
        row.status = KeyStatus.RETIRED.value if active else KeyStatus.ACTIVE.value
        repo.add(row)
        uow.commit()
        return _own(row)


def _new_key_row(economy: str, secret: str, now: datetime, lifetime: timedelta) -> SigningKeyRow:
    key = signing.generate_private_key()
    kid = signing.key_id(key)
    return SigningKeyRow(
        kid=kid,
        economy=economy,
        status=KeyStatus.ACTIVE.value,
        public_jwk=signing.public_jwk(key),
        sealed_private_key=signing.seal_private_key(key, secret, kid),
        created_at=now,
        not_before=now,
        expires_at=now + lifetime,
        revoked_at=None,
        revocation_reason=None,
    )


def rotate_key(
    uow: UnitOfWork,
    principal: Principal,
    secret: str,
    *,
    clock: Clock | None = None,
    lifetime: timedelta = KEY_LIFETIME,
    grace: timedelta = RETIRED_GRACE,
) -> OwnKey:
    """A new active key; the old one is retired and keeps verifying for ``grace``.

    No downtime: partners that have not imported the new key yet still verify older messages,
    and the JWKS publishes both until the old key expires.
    """
    principal.require(Role.ADMIN)
    now = _now(clock)
    with uow:
        repo = ExchangeRepository(uow.session)
        old = repo.active_own_key(principal.economy, lock=True)
        if old is not None:
            old.status = KeyStatus.RETIRED.value
            limit = now + grace
            old.expires_at = min(as_utc(old.expires_at), limit) if old.expires_at else limit
        row = _new_key_row(principal.economy, secret, now, lifetime)
        repo.add(row)
        uow.commit()
        return _own(row)


def revoke_key(
    uow: UnitOfWork,
    principal: Principal,
    kid: str,
    reason: str = "",
    *,
    clock: Clock | None = None,
) -> OwnKey:
    """Withdraw a key at once: partners refuse everything it signed once they learn of it."""
    principal.require(Role.ADMIN)
    now = _now(clock)
    with uow:
        repo = ExchangeRepository(uow.session)
        row = repo.own_key(principal.economy, kid)
        if row is None:
            raise NotFound(f"no signing key {kid}")
        if row.status == KeyStatus.REVOKED.value:
            raise Conflict(f"key {kid} is already revoked")
        row.status = KeyStatus.REVOKED.value
        row.revoked_at = now
        row.revocation_reason = reason or None
        uow.commit()
        return _own(row)


def list_keys(uow: UnitOfWork, principal: Principal) -> list[OwnKey]:
    principal.require(*READERS)
    with uow:
        return [_own(r) for r in ExchangeRepository(uow.session).own_keys(principal.economy)]


def active_signer(uow: UnitOfWork, economy: str, secret: str) -> Signer:
    with uow:
        row = ExchangeRepository(uow.session).active_own_key(economy)
        if row is None:
            raise Conflict(
                f"{economy} has no active signing key; create one "
                "('smartcustoms exchange keys create')"
            )
        return Signer(
            economy, row.kid, signing.unseal_private_key(row.sealed_private_key, secret, row.kid)
        )


def jwks(uow: UnitOfWork, economy: str) -> dict[str, Any]:
    """The public key set partners import: every key with its status and validity period.

    Revoked keys stay listed (status ``revoked``) so that importing partners learn of the
    revocation; ``nbf``/``exp`` are seconds since the epoch, as in JWT.
    """
    with uow:
        keys = []
        for row in ExchangeRepository(uow.session).own_keys(economy.upper()):
            jwk: dict[str, Any] = dict(row.public_jwk)
            jwk["status"] = row.status
            jwk["nbf"] = int(as_utc(row.not_before).timestamp())
            if row.expires_at is not None:
                jwk["exp"] = int(as_utc(row.expires_at).timestamp())
            keys.append(jwk)
        return {"economy": economy.upper(), "keys": keys}


# --- partners --------------------------------------------------------------------------------


def _check_endpoint(endpoint: str, errors: list[FieldError]) -> str:
    endpoint = endpoint.strip().rstrip("/")
    parsed = urlparse(endpoint)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        errors.append(
            FieldError(
                "endpoint", "invalid", "the endpoint is the partner's base URL, http(s)://host"
            )
        )
    return endpoint


def add_partner(
    uow: UnitOfWork,
    principal: Principal,
    partner: str,
    endpoint: str,
    name: str = "",
    *,
    clock: Clock | None = None,
) -> Partner:
    """Register a partner administration, or change its endpoint and name."""
    principal.require(Role.ADMIN)
    errors: list[FieldError] = []
    code = partner.strip().upper()
    if not is_country(code):
        errors.append(FieldError("partner", "unknown_economy", f"'{partner}' is not an ISO code"))
    elif code == principal.economy:
        errors.append(FieldError("partner", "self", "an economy is not its own partner"))
    endpoint = _check_endpoint(endpoint, errors)
    if errors:
        raise InvalidInput(errors)
    now = _now(clock)
    with uow:
        repo = ExchangeRepository(uow.session)
        row = repo.partner(principal.economy, code)
        if row is None:
            row = PartnerRow(
                economy=principal.economy,
                partner=code,
                name=name or code,
                endpoint=endpoint,
                status=PartnerStatus.ACTIVE.value,
                created_at=now,
                updated_at=now,
            )
            repo.add(row)
        else:
            row.endpoint = endpoint
            row.name = name or row.name
            row.updated_at = now
        uow.commit()
        return _partner(repo, row)


def _partner(repo: ExchangeRepository, row: PartnerRow) -> Partner:
    return Partner(
        economy=row.economy,
        partner=row.partner,
        name=row.name,
        endpoint=row.endpoint,
        status=PartnerStatus(row.status),
        keys=[_partner_key(k) for k in repo.partner_keys(row.economy, row.partner)],
    )


def set_partner_status(
    uow: UnitOfWork,
    principal: Principal,
    partner: str,
    status: PartnerStatus,
    *,
    clock: Clock | None = None,
) -> Partner:
    principal.require(Role.ADMIN)
    with uow:
        repo = ExchangeRepository(uow.session)
        row = repo.partner(principal.economy, partner.upper())
        if row is None:
            raise NotFound(f"no partner {partner.upper()}")
        row.status = status.value
        row.updated_at = _now(clock)
        uow.commit()
        return _partner(repo, row)


def list_partners(uow: UnitOfWork, principal: Principal) -> list[Partner]:
    principal.require(*READERS)
    with uow:
        repo = ExchangeRepository(uow.session)
        return [_partner(repo, r) for r in repo.partners(principal.economy)]


def get_partner(uow: UnitOfWork, principal: Principal, partner: str) -> Partner:
    principal.require(*READERS)
    with uow:
        repo = ExchangeRepository(uow.session)
        row = repo.partner(principal.economy, partner.upper())
        if row is None:
            raise NotFound(f"no partner {partner.upper()}")
        return _partner(repo, row)


def _epoch(value: Any, path: str, errors: list[FieldError]) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        errors.append(FieldError(path, "invalid", "a time is whole seconds since the epoch"))
        return None
    return datetime.fromtimestamp(value, UTC)


def import_partner_keys(
    uow: UnitOfWork,
    principal: Principal,
    partner: str,
    key_set: Mapping[str, Any],
    *,
    clock: Clock | None = None,
) -> Partner:
    """Import a partner's JWKS: new keys are added, statuses follow the set (a key revoked there
    is revoked here); a key once revoked here never comes back."""
    principal.require(Role.ADMIN)
    now = _now(clock)
    raw_keys = key_set.get("keys") if isinstance(key_set, Mapping) else None
    if not isinstance(raw_keys, list):
        raise InvalidInput.single("keys", "missing", "a JWKS is an object with a 'keys' list")
    errors: list[FieldError] = []
    parsed: list[tuple[str, dict[str, Any], str, datetime, datetime | None]] = []
    for i, jwk in enumerate(raw_keys):
        path = f"keys[{i}]"
        if not isinstance(jwk, dict):
            errors.append(FieldError(path, "invalid", "each key is a JSON object"))
            continue
        try:
            public = signing.public_key_from_jwk(jwk)
        except ValueError as exc:
            errors.append(FieldError(path, "invalid_key", str(exc)))
            continue
        kid = signing.key_id(public)
        if jwk.get("kid") not in (None, kid):
            errors.append(FieldError(f"{path}.kid", "mismatch", "kid is not the key's thumbprint"))
            continue
        status = str(jwk.get("status", KeyStatus.ACTIVE.value))
        if status not in {s.value for s in KeyStatus}:
            errors.append(FieldError(f"{path}.status", "invalid", f"unknown status '{status}'"))
            continue
        nbf = _epoch(jwk.get("nbf"), f"{path}.nbf", errors) or now
        exp = _epoch(jwk.get("exp"), f"{path}.exp", errors)
        parsed.append((kid, signing.public_jwk(public), status, nbf, exp))
    if errors:
        raise InvalidInput(errors)
    with uow:
        repo = ExchangeRepository(uow.session)
        prow = repo.partner(principal.economy, partner.upper())
        if prow is None:
            raise NotFound(f"no partner {partner.upper()}; add it first")
        for kid, jwk_public, status, nbf, exp in parsed:
            row = repo.partner_key(prow.economy, prow.partner, kid)
            if row is None:
                repo.add(
                    PartnerKeyRow(
                        economy=prow.economy,
                        partner=prow.partner,
                        kid=kid,
                        public_jwk=jwk_public,
                        status=status,
                        not_before=nbf,
                        expires_at=exp,
                        revoked_at=now if status == KeyStatus.REVOKED.value else None,
                        imported_at=now,
                    )
                )
            elif row.status != KeyStatus.REVOKED.value:
                row.status = status
                row.expires_at = exp
                if status == KeyStatus.REVOKED.value:
                    row.revoked_at = now
        uow.commit()
        return _partner(repo, prow)


def fetch_partner_keys(
    uow: UnitOfWork,
    principal: Principal,
    partner: str,
    *,
    client: httpx.Client | None = None,
    clock: Clock | None = None,
) -> Partner:
    """Download the partner's JWKS from its endpoint and import it."""
    current = get_partner(uow, principal, partner)
    url = f"{current.endpoint}/api/v1/exchange/jwks/{current.partner}"
    owned = client is None
    http = client or httpx.Client(timeout=10)
    try:
        response = http.get(url)
        response.raise_for_status()
        key_set = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise DataUnavailable(f"could not fetch {url}: {exc}") from exc
    finally:
        if owned:
            http.close()
    return import_partner_keys(uow, principal, partner, key_set, clock=clock)


REFRESH_INTERVAL = timedelta(minutes=1)
"""At most one automatic JWKS refresh per partner in this interval."""


def refresh_partner_keys(
    uow: UnitOfWork,
    economy: str,
    partner: str,
    *,
    client: httpx.Client | None = None,
    clock: Clock | None = None,
) -> bool:
    """Fetch a partner's key set again because a message names a key not known yet (the
    partner rotated): rotation without downtime. Rate-limited, so messages naming made-up keys
    cannot make this installation hammer the partner. True when the set was fetched."""
    now = _now(clock)
    with uow:
        row = ExchangeRepository(uow.session).partner(economy, partner)
        if row is None or row.status != PartnerStatus.ACTIVE.value:
            return False
        last = row.keys_refreshed_at
        if last is not None and now - as_utc(last) < REFRESH_INTERVAL:
            return False
        row.keys_refreshed_at = now  # claimed before the fetch: concurrent refusals do not pile up
        uow.commit()
    from smartcustoms.declarations.service import system_principal

    try:
        fetch_partner_keys(
            uow, system_principal(economy, "exchange"), partner, client=client, clock=clock
        )
    except (DataUnavailable, InvalidInput) as exc:
        log.warning("exchange: refreshing %s's keys for %s failed: %s", partner, economy, exc)
        return False
    return True
