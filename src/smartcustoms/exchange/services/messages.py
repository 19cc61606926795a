"""Messages: sign an envelope into the outbox; verify an incoming one and accept it into the
inbox (acting on it through the handler for its type) or refuse it with a precise reason.

Verification checks, in order: the token is a compact JWS with a JSON envelope; the recipient is
an economy this installation receives for; the sender is a registered, active partner of that
economy; the signing key is one of the sender's keys, not revoked, valid when the message was
created and not expired now; the signature; the message's lifetime (with :data:`CLOCK_SKEW`);
that its id has not been accepted before. A refusal is recorded and never acted on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.exc import IntegrityError

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core import signing
from smartcustoms.core.clock import Clock, SystemClock, as_utc
from smartcustoms.core.ids import new_id
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import Conflict, InvalidInput, NotFound
from smartcustoms.exchange.model import (
    CLOCK_SKEW,
    DEFAULT_TTL,
    ENVELOPE_TYP,
    Envelope,
    InboxMessage,
    KeyStatus,
    MessageType,
    OutboxMessage,
    OutboxStatus,
    PartnerStatus,
    Reason,
    Refusal,
    Refused,
    Verdict,
)
from smartcustoms.exchange.repository import ExchangeRepository
from smartcustoms.exchange.services.trust import active_signer
from smartcustoms.exchange.tables import InboxRow, OutboxRow, RefusalRow

__all__ = [
    "Handler",
    "Verified",
    "get_outbox_message",
    "list_inbox",
    "list_outbox",
    "list_refusals",
    "outbox_counts",
    "receive",
    "reverify",
    "send",
    "verify_receipt",
    "verify_token",
]

Handler = Callable[[UnitOfWork, Envelope], None]
"""Acts on an accepted message inside the accepting transaction; raises InvalidInput to refuse."""
MAX_TOKEN = 2_000_000
READERS = (Role.OFFICER, Role.ANALYST)


def _now(clock: Clock | None) -> datetime:
    return (clock or SystemClock()).now()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


# --- sending ---------------------------------------------------------------------------------


def send(
    uow: UnitOfWork,
    principal: Principal,
    secret: str,
    recipient: str,
    type_: MessageType | str,
    body: Mapping[str, Any],
    *,
    in_reply_to: str | None = None,
    subject: str | None = None,
    clock: Clock | None = None,
    ttl: timedelta = DEFAULT_TTL,
) -> OutboxMessage:
    """Sign a message and put it in the outbox; delivery happens separately (and survives
    restarts). Joins the caller's transaction when called from another use case."""
    principal.require(Role.OFFICER, Role.ANALYST)
    recipient = recipient.upper()
    now = _now(clock)
    with uow:
        repo = ExchangeRepository(uow.session)
        partner = repo.partner(principal.economy, recipient)
        if partner is None:
            raise NotFound(f"{recipient} is not a partner of {principal.economy}")
        if partner.status != PartnerStatus.ACTIVE.value:
            raise Conflict(f"partner {recipient} is suspended; nothing is sent to it")
        signer = active_signer(uow, principal.economy, secret)
        envelope = Envelope(
            id=new_id(),
            type=str(type_),
            sender=principal.economy,
            recipient=recipient,
            created=now,
            expires=now + ttl,
            body=dict(body),
            in_reply_to=in_reply_to,
        )
        try:
            token = signing.sign(envelope.to_payload(), signer.key, header={"typ": ENVELOPE_TYP})
        except ValueError as exc:
            raise InvalidInput.single("body", "not_json", str(exc)) from exc
        row = OutboxRow(
            id=envelope.id,
            economy=principal.economy,
            recipient=recipient,
            type=envelope.type,
            subject=subject,
            token=token,
            status=OutboxStatus.PENDING.value,
            attempts=0,
            next_attempt_at=now,
            last_error=None,
            expires_at=envelope.expires,
            created_at=now,
            delivered_at=None,
            receipt=None,
        )
        repo.add(row)
        uow.session.flush()
        uow.commit()
        return outbox_view(row)


def outbox_view(row: OutboxRow) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        economy=row.economy,
        recipient=row.recipient,
        type=row.type,
        status=OutboxStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
        subject=row.subject,
        receipt=row.receipt,
    )


# --- verifying -------------------------------------------------------------------------------


class Verified:
    """An envelope whose signature, sender key and lifetime checked out."""

    def __init__(self, envelope: Envelope, kid: str) -> None:
        self.envelope = envelope
        self.kid = kid


def _resolver(
    repo: ExchangeRepository, economy: str, sender: str, created: datetime, now: datetime
) -> Callable[[Mapping[str, Any]], Ed25519PublicKey]:
    def resolve(header: Mapping[str, Any]) -> Ed25519PublicKey:
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise Refused(Reason.UNKNOWN_KEY, "the signature names no key ('kid')")
        key = repo.partner_key(economy, sender, kid)
        if key is None:
            raise Refused(
                Reason.UNKNOWN_KEY, f"key {kid} is not one of {sender}'s keys known to {economy}"
            )
        if key.status == KeyStatus.REVOKED.value:
            when = as_utc(key.revoked_at).isoformat() if key.revoked_at else "earlier"
            raise Refused(Reason.REVOKED_KEY, f"{sender}'s key {kid} was revoked ({when})")
        nbf = as_utc(key.not_before)
        if created < nbf - CLOCK_SKEW:
            raise Refused(
                Reason.KEY_NOT_VALID,
                f"the message was created {created.isoformat()}, before {sender}'s key {kid} "
                f"became valid ({nbf.isoformat()})",
            )
        if key.expires_at is not None and now > as_utc(key.expires_at):
            raise Refused(
                Reason.KEY_NOT_VALID,
                f"{sender}'s key {kid} expired {as_utc(key.expires_at).isoformat()}",
            )
        return signing.public_key_from_jwk(key.public_jwk)

    return resolve


def verify_token(
    uow: UnitOfWork,
    token: str,
    *,
    clock: Clock | None = None,
    expected_recipient: str | None = None,
    check_lifetime: bool = True,
    check_replay: bool = True,
) -> Verified:
    """Every check of the module docstring; raises :class:`Refused` with the first failure."""
    now = _now(clock)
    if not isinstance(token, str) or not token.strip():
        raise Refused(Reason.MALFORMED, "the request carries no message")
    token = token.strip()
    if len(token) > MAX_TOKEN:
        raise Refused(Reason.MALFORMED, f"the message is larger than {MAX_TOKEN} bytes")
    try:
        unverified = signing.read_unverified(token)
    except signing.SignatureInvalid as exc:
        raise Refused(Reason.MALFORMED, exc.message) from exc
    alg = unverified.header.get("alg")
    if alg != signing.ALGORITHM:
        raise Refused(
            Reason.BAD_ALGORITHM, f"algorithm {alg!r} is not accepted; messages use Ed25519"
        )
    envelope = Envelope.from_payload(unverified.payload)
    with uow:
        repo = ExchangeRepository(uow.session)
        hosted = repo.economies_with_keys()
        if envelope.recipient not in hosted or (
            expected_recipient is not None and envelope.recipient != expected_recipient
        ):
            raise Refused(
                Reason.WRONG_RECIPIENT,
                f"the message is addressed to {envelope.recipient}, which this installation "
                "does not receive for",
            )
        partner = repo.partner(envelope.recipient, envelope.sender)
        if partner is None:
            raise Refused(
                Reason.UNKNOWN_SENDER,
                f"{envelope.sender} is not a partner of {envelope.recipient}",
            )
        if partner.status != PartnerStatus.ACTIVE.value:
            raise Refused(
                Reason.SENDER_SUSPENDED, f"{envelope.recipient} has suspended {envelope.sender}"
            )
        resolve = _resolver(repo, envelope.recipient, envelope.sender, envelope.created, now)
        try:
            signed = signing.verify(token, resolve)
        except signing.SignatureInvalid as exc:
            raise Refused(Reason.BAD_SIGNATURE, exc.message) from exc
        envelope = Envelope.from_payload(signed.payload)
        kid = str(signed.header["kid"])
        if check_lifetime:
            if envelope.created > now + CLOCK_SKEW:
                raise Refused(
                    Reason.NOT_YET_VALID,
                    f"the message claims to be created {envelope.created.isoformat()}, "
                    f"in the future (now {now.isoformat()})",
                )
            if now > envelope.expires + CLOCK_SKEW:
                raise Refused(
                    Reason.EXPIRED,
                    f"the message expired {envelope.expires.isoformat()} (now {now.isoformat()})",
                )
            if envelope.expires < envelope.created:
                raise Refused(Reason.MALFORMED, "the message expires before it was created")
        if check_replay:
            seen = repo.inbox_message(envelope.recipient, envelope.sender, envelope.id)
            if seen is not None:
                raise Refused(
                    Reason.REPLAY,
                    f"message {envelope.id} from {envelope.sender} was already accepted "
                    f"{as_utc(seen.received_at).isoformat()}; it is not acted on again",
                )
        return Verified(envelope, kid)


# --- receiving -------------------------------------------------------------------------------


def receive(
    uow: UnitOfWork,
    secret: str,
    token: str,
    handlers: Mapping[str, Handler],
    *,
    clock: Clock | None = None,
    refresh_keys: Callable[[UnitOfWork, str, str], bool] | None = None,
) -> Verdict:
    """The inbox: verify, store, act and sign a receipt, all in one transaction; or refuse.

    ``refresh_keys(uow, economy, partner)``, when given, is asked to fetch the partner's key
    set again when a message names a key not known yet; the message is then checked once more.

    Idempotent: delivering the same message again is refused as a replay (and recorded), but
    the answer carries the original receipt, so a sender retrying after a lost answer marks it
    delivered; nothing is acted on twice.
    """
    now = _now(clock)
    try:
        try:
            verified = verify_token(uow, token, clock=clock)
        except Refused as first:
            if first.reason is not Reason.UNKNOWN_KEY or refresh_keys is None:
                raise
            env = Envelope.from_payload(signing.read_unverified(token.strip()).payload)
            if not refresh_keys(uow, env.recipient, env.sender):
                raise
            verified = verify_token(uow, token, clock=clock)  # once more, with the new keys
        return _accept(uow, secret, token, verified, handlers, now)
    except Refused as refusal:
        return _refuse(uow, token, refusal, now)


def _accept(
    uow: UnitOfWork,
    secret: str,
    token: str,
    verified: Verified,
    handlers: Mapping[str, Handler],
    now: datetime,
) -> Verdict:
    envelope = verified.envelope
    handler = handlers.get(envelope.type)
    if handler is None and envelope.type not in (MessageType.PING, MessageType.RECEIPT):
        raise Refused(Reason.UNSUPPORTED_TYPE, f"message type '{envelope.type}' is not supported")
    with uow:
        repo = ExchangeRepository(uow.session)
        row = InboxRow(
            id=new_id(),
            economy=envelope.recipient,
            sender=envelope.sender,
            message_id=envelope.id,
            type=envelope.type,
            kid=verified.kid,
            created=envelope.created,
            expires=envelope.expires,
            in_reply_to=envelope.in_reply_to,
            body=envelope.body,
            token=token.strip(),
            token_digest=_digest(token.strip()),
            receipt=None,
            received_at=now,
        )
        try:
            repo.add(row)
            uow.session.flush()
        except IntegrityError as exc:
            # A concurrent delivery of the same message won: a replay.
            uow.rollback()
            raise Refused(
                Reason.REPLAY, f"message {envelope.id} from {envelope.sender} was already accepted"
            ) from exc
        if handler is not None:
            try:
                handler(uow, envelope)
            except InvalidInput as exc:
                uow.rollback()
                problems = "; ".join(f"{e.path}: {e.message}" for e in exc.errors) or exc.message
                raise Refused(
                    Reason.INVALID_BODY, f"the {envelope.type} body is invalid: {problems}"
                ) from exc
        row.receipt = _receipt(uow, secret, envelope, row.token_digest, now)
        uow.commit()
        return Verdict(True, envelope.id, receipt=row.receipt)


def _receipt(
    uow: UnitOfWork, secret: str, envelope: Envelope, token_digest: str, now: datetime
) -> str:
    signer = active_signer(uow, envelope.recipient, secret)
    receipt = Envelope(
        id=new_id(),
        type=MessageType.RECEIPT.value,
        sender=envelope.recipient,
        recipient=envelope.sender,
        created=now,
        expires=now + DEFAULT_TTL,
        body={"message_id": envelope.id, "status": "accepted", "token_sha256": token_digest},
        in_reply_to=envelope.id,
    )
    return signing.sign(receipt.to_payload(), signer.key, header={"typ": ENVELOPE_TYP})


def _refuse(uow: UnitOfWork, token: str, refusal: Refused, now: datetime) -> Verdict:
    text = token if isinstance(token, str) else ""
    economy = sender = message_id = None
    try:
        env = Envelope.from_payload(signing.read_unverified(text.strip()).payload)
        economy, sender, message_id = env.recipient[:2], env.sender[:2], env.id[:64]
    except (signing.SignatureInvalid, Refused):
        pass
    duplicate_receipt = None
    with uow:
        repo = ExchangeRepository(uow.session)
        if refusal.reason is Reason.REPLAY and economy and sender and message_id:
            seen = repo.inbox_message(economy, sender, message_id)
            if seen is not None and seen.token_digest == _digest(text.strip()):
                duplicate_receipt = seen.receipt
        repo.add(
            RefusalRow(
                id=new_id(),
                economy=economy,
                sender=sender,
                message_id=message_id,
                reason=refusal.reason.value,
                detail=refusal.message,
                token_digest=_digest(text),
                token=text[:MAX_TOKEN],
                received_at=now,
            )
        )
        uow.commit()
    return Verdict(
        False,
        message_id,
        refusal.reason,
        refusal.message,
        receipt=duplicate_receipt,
        duplicate=duplicate_receipt is not None,
    )


def verify_receipt(
    uow: UnitOfWork, receipt: str, economy: str, message_id: str, *, clock: Clock | None = None
) -> Envelope:
    """Check a receipt returned for ``message_id``: signed by the recipient, about that message.

    Receipts are not replay-checked (the same receipt answers every retry of one message)."""
    verified = verify_token(
        uow, receipt, clock=clock, expected_recipient=economy, check_replay=False
    )
    env = verified.envelope
    if env.type != MessageType.RECEIPT.value or env.in_reply_to != message_id:
        raise Refused(Reason.INVALID_BODY, f"the receipt is not for message {message_id}")
    return env


def reverify(
    uow: UnitOfWork, principal: Principal, inbox_id: str, *, clock: Clock | None = None
) -> dict[str, Any]:
    """Check a stored message's signature again today (e.g. after the sender rotated keys)."""
    principal.require(*READERS)
    with uow:
        row = _inbox_row(uow, principal, inbox_id)
        token = row.token
    try:
        verified = verify_token(
            uow,
            token,
            clock=clock,
            expected_recipient=principal.economy,
            check_lifetime=False,
            check_replay=False,
        )
    except Refused as exc:
        return {"valid": False, "reason": exc.reason.value, "detail": exc.message}
    return {"valid": True, "kid": verified.kid, "reason": None, "detail": "signature verifies"}


def _inbox_row(uow: UnitOfWork, principal: Principal, inbox_id: str) -> InboxRow:
    row = uow.session.get(InboxRow, inbox_id)
    if row is None or row.economy != principal.economy:
        raise NotFound(f"no inbox message {inbox_id}")
    return row


# --- reading ---------------------------------------------------------------------------------


def _inbox_view(row: InboxRow) -> InboxMessage:
    return InboxMessage(
        id=row.id,
        economy=row.economy,
        sender=row.sender,
        type=row.type,
        created=row.created,
        received_at=row.received_at,
        kid=row.kid,
        body=row.body,
        in_reply_to=row.in_reply_to,
        token=row.token,
    )


def list_inbox(
    uow: UnitOfWork, principal: Principal, type_: str | None = None, limit: int = 200
) -> list[InboxMessage]:
    principal.require(*READERS)
    with uow:
        rows = ExchangeRepository(uow.session).inbox(principal.economy, type_, limit)
        return [_inbox_view(r) for r in rows]


def list_outbox(
    uow: UnitOfWork, principal: Principal, status: str | None = None, limit: int = 200
) -> list[OutboxMessage]:
    principal.require(*READERS)
    with uow:
        rows = ExchangeRepository(uow.session).outbox(principal.economy, status, limit)
        return [outbox_view(r) for r in rows]


def get_outbox_message(uow: UnitOfWork, principal: Principal, message_id: str) -> OutboxMessage:
    principal.require(*READERS)
    with uow:
        row = ExchangeRepository(uow.session).outbox_message(principal.economy, message_id)
        if row is None:
            raise NotFound(f"no outbox message {message_id}")
        return outbox_view(row)


def outbox_counts(uow: UnitOfWork, principal: Principal) -> dict[str, int]:
    principal.require(*READERS)
    with uow:
        return ExchangeRepository(uow.session).outbox_counts(principal.economy)


def list_refusals(uow: UnitOfWork, principal: Principal, limit: int = 200) -> list[Refusal]:
    principal.require(*READERS)
    with uow:
        return [
            Refusal(
                r.id,
                r.economy,
                r.sender,
                r.message_id,
                Reason(r.reason),
                r.detail,
                r.received_at,
            )
            for r in ExchangeRepository(uow.session).refusals(principal.economy, limit)
        ]
