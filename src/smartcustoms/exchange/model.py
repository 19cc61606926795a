"""Exchange between administrations as plain objects: the envelope, keys, refusal reasons.

An *envelope* is the signed unit: a compact JWS (see :mod:`smartcustoms.core.signing`) whose
payload is the canonical JSON of ``{"id", "type", "sender", "recipient", "created",
"expires", "in_reply_to", "body"}``. Sender and recipient are economy codes (ISO alpha-2).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from smartcustoms.errors import SmartCustomsError

__all__ = [
    "CLOCK_SKEW",
    "DEFAULT_TTL",
    "Envelope",
    "KeyStatus",
    "MessageType",
    "OutboxStatus",
    "PartnerStatus",
    "Reason",
    "Refused",
]

CLOCK_SKEW = timedelta(minutes=5)
"""How far apart two administrations' clocks may be before a message is refused."""
DEFAULT_TTL = timedelta(days=7)
"""How long a message stays deliverable (the outbox retries within this window)."""
ENVELOPE_TYP = "smartcustoms-exchange+jws"


class MessageType(enum.StrEnum):
    PING = "ping"
    RECEIPT = "receipt"
    PRE_ARRIVAL = "pre_arrival"
    CERTIFICATE_OF_ORIGIN = "certificate_of_origin"
    CERTIFICATE_REVOCATION = "certificate_revocation"
    AEO_STATUS = "aeo_status"
    RISK_ALERT = "risk_alert"
    RISK_MODEL_UPDATE = "risk_model_update"


class KeyStatus(enum.StrEnum):
    ACTIVE = "active"
    """Signs new messages (own keys) / verifies messages (partner keys)."""
    RETIRED = "retired"
    """Rotated out: signs nothing new, still verifies until it expires."""
    REVOKED = "revoked"
    """Compromised or withdrawn: verifies nothing, not even old messages."""


class PartnerStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    REFUSED = "refused"
    """The partner answered and refused it (a permanent answer: not retried)."""
    DEAD = "dead"
    """Retries exhausted or the message expired before delivery: needs a person."""


class Reason(enum.StrEnum):
    """Why an incoming message was refused; each comes with a sentence naming the detail."""

    MALFORMED = "malformed"
    BAD_ALGORITHM = "bad_algorithm"
    WRONG_RECIPIENT = "wrong_recipient"
    UNKNOWN_SENDER = "unknown_sender"
    SENDER_SUSPENDED = "sender_suspended"
    UNKNOWN_KEY = "unknown_key"
    REVOKED_KEY = "revoked_key"
    KEY_NOT_VALID = "key_not_valid"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    REPLAY = "replay"
    UNSUPPORTED_TYPE = "unsupported_type"
    INVALID_BODY = "invalid_body"


class Refused(SmartCustomsError):
    """Verification verdict: the message must not be acted on. A domain error, so that the
    unit of work passes it through as it is (it re-raises anything else as OperationFailed)."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Envelope:
    id: str
    type: str
    sender: str
    recipient: str
    created: datetime
    expires: datetime
    body: dict[str, Any]
    in_reply_to: str | None = None

    def to_payload(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "sender": self.sender,
            "recipient": self.recipient,
            "created": _iso(self.created),
            "expires": _iso(self.expires),
            "in_reply_to": self.in_reply_to,
            "body": self.body,
        }

    @classmethod
    def from_payload(cls, payload: Any) -> Envelope:
        """Read a payload; raises :class:`Refused` (malformed) naming every missing field."""
        if not isinstance(payload, dict):
            raise Refused(Reason.MALFORMED, "the signed payload is not a JSON object")
        problems: list[str] = []
        for name in ("id", "type", "sender", "recipient", "created", "expires"):
            if not isinstance(payload.get(name), str) or not payload.get(name):
                problems.append(f"'{name}' is missing or not a string")
        if not isinstance(payload.get("body"), dict):
            problems.append("'body' is missing or not an object")
        reply = payload.get("in_reply_to")
        if reply is not None and not isinstance(reply, str):
            problems.append("'in_reply_to' is not a string")
        created = expires = None
        if not problems:
            try:
                created = _parse(payload["created"])
                expires = _parse(payload["expires"])
            except ValueError as exc:
                problems.append(f"a timestamp is not ISO 8601 with a zone: {exc}")
        if problems or created is None or expires is None:
            raise Refused(Reason.MALFORMED, "malformed envelope: " + "; ".join(problems))
        return cls(
            id=payload["id"],
            type=payload["type"],
            sender=payload["sender"].upper(),
            recipient=payload["recipient"].upper(),
            created=created,
            expires=expires,
            body=payload["body"],
            in_reply_to=reply,
        )


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def _parse(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"'{value}' has no time zone")
    return parsed


@dataclass(frozen=True, slots=True)
class OwnKey:
    kid: str
    economy: str
    status: KeyStatus
    public_jwk: dict[str, str]
    created_at: datetime
    not_before: datetime
    expires_at: datetime | None
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PartnerKey:
    kid: str
    partner: str
    status: KeyStatus
    public_jwk: dict[str, str]
    not_before: datetime
    expires_at: datetime | None
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Partner:
    economy: str
    """The home economy that keeps this partner."""
    partner: str
    name: str
    endpoint: str
    status: PartnerStatus
    keys: list[PartnerKey] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    id: str
    economy: str
    recipient: str
    type: str
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    subject: str | None
    receipt: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class InboxMessage:
    id: str
    economy: str
    sender: str
    type: str
    created: datetime
    received_at: datetime
    kid: str
    body: dict[str, Any]
    in_reply_to: str | None
    token: str


@dataclass(frozen=True, slots=True)
class Refusal:
    id: str
    economy: str | None
    sender: str | None
    message_id: str | None
    reason: Reason
    detail: str
    received_at: datetime


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the inbox answers: accepted (with a signed receipt) or refused (with a reason)."""

    accepted: bool
    message_id: str | None
    reason: Reason | None = None
    detail: str = ""
    receipt: str | None = None
    """The signed receipt (compact JWS), when the recipient could sign one."""
    duplicate: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": "accepted" if self.accepted else "refused",
            "message_id": self.message_id,
            "reason": self.reason.value if self.reason else None,
            "detail": self.detail,
            "receipt": self.receipt,
            "duplicate": self.duplicate,
        }
