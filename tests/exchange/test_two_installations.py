"""Two running installations exchange signed messages over real HTTP (SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from smartcustoms.core import signing
from smartcustoms.core.clock import FixedClock
from smartcustoms.core.ids import new_id
from smartcustoms.exchange.model import ENVELOPE_TYP, Envelope, MessageType, OutboxStatus
from smartcustoms.exchange.services import delivery, messages, trust
from smartcustoms.exchange.services.delivery import INBOX_PATH

from .conftest import Installation, Pair


def _send(inst: Installation, to: str, body: dict[str, Any] | None = None) -> str:
    out = messages.send(inst.db.uow(), inst.admin, inst.secret, to, MessageType.PING, body or {})
    return out.id


def _inbox_ids(inst: Installation) -> list[str]:
    from sqlalchemy import select

    from smartcustoms.exchange.tables import InboxRow

    with inst.db.uow() as uow:
        return list(uow.session.scalars(select(InboxRow.message_id)).all())


def _post(inst: Installation, token: str) -> httpx.Response:
    return httpx.post(
        inst.url + INBOX_PATH, content=token, headers={"content-type": "application/jose"}
    )


def _signed(inst: Installation, **overrides: Any) -> str:
    """A token signed with the installation's active key, with envelope fields overridden."""
    now = datetime.now(UTC)
    env = Envelope(
        id=new_id(),
        type=MessageType.PING.value,
        sender=inst.economy,
        recipient="SG",
        created=now,
        expires=now + timedelta(hours=1),
        body={"hello": "world"},
    ).to_payload()
    env.update(overrides)
    signer = trust.active_signer(inst.db.uow(), inst.economy, inst.secret)
    return signing.sign(env, signer.key, header={"typ": ENVELOPE_TYP})


def test_message_delivered_with_a_signed_receipt(pair: Pair) -> None:
    a, b = pair.a, pair.b
    message_id = _send(a, "SG", {"note": "first contact"})
    report = delivery.deliver_due(a.db.uow)
    assert report.delivered == [message_id]
    out = messages.get_outbox_message(a.db.uow(), a.admin, message_id)
    assert out.status is OutboxStatus.DELIVERED
    assert out.receipt is not None and out.receipt["verified"] is True
    assert out.receipt["body"]["message_id"] == message_id
    inbox = messages.list_inbox(b.db.uow(), b.admin)
    assert [m.id for m in inbox] and inbox[0].body == {"note": "first contact"}
    assert inbox[0].sender == "KR"
    # Nothing is due any more.
    assert delivery.deliver_due(a.db.uow).attempted == 0


def test_partner_down_outbox_holds_then_delivers_exactly_once(pair: Pair) -> None:
    a, b = pair.a, pair.b
    b.stop()
    message_id = _send(a, "SG", {"n": 1})
    report = delivery.deliver_due(a.db.uow)
    assert report.retrying == [message_id]
    held = messages.get_outbox_message(a.db.uow(), a.admin, message_id)
    assert held.status is OutboxStatus.PENDING and held.attempts == 1
    assert held.last_error and "Connect" in held.last_error
    # Backoff: not due again at once, due after the delay.
    assert delivery.deliver_due(a.db.uow).attempted == 0
    # Both sides restart (A's connections dropped as by kill -9); B comes back.
    a.restart_database()
    b.start()
    later = FixedClock(datetime.now(UTC) + timedelta(minutes=2))
    report = delivery.deliver_due(a.db.uow, clock=later)
    assert report.delivered == [message_id]
    assert (
        delivery.deliver_due(a.db.uow, clock=FixedClock(later.now() + timedelta(days=1))).attempted
        == 0
    )
    # Delivering the same token again (a retry after a lost answer) is not acted on twice.
    token = _outbox_token(a, message_id)
    again = _post(b, token)
    assert again.status_code == 422 and again.json()["reason"] == "replay"
    assert again.json()["duplicate"] is True and again.json()["receipt"]
    assert _inbox_ids(b).count(message_id) == 1


def _outbox_token(inst: Installation, message_id: str) -> str:
    from smartcustoms.exchange.tables import OutboxRow

    with inst.db.uow() as uow:
        row = uow.session.get(OutboxRow, message_id)
        assert row is not None
        return row.token


def test_dead_letter_after_retries_are_exhausted(pair: Pair) -> None:
    a, b = pair.a, pair.b
    b.stop()
    message_id = _send(a, "SG")
    policy = delivery.DeliveryPolicy(base_delay=timedelta(seconds=1), max_attempts=3)
    now = datetime.now(UTC)
    outcomes = []
    for i in range(3):
        clock = FixedClock(now + timedelta(minutes=5 * i))
        outcomes.append(delivery.deliver_due(a.db.uow, clock=clock, policy=policy))
    assert outcomes[0].retrying == [message_id] and outcomes[1].retrying == [message_id]
    assert outcomes[2].dead == [message_id]
    dead = messages.get_outbox_message(a.db.uow(), a.admin, message_id)
    assert dead.status is OutboxStatus.DEAD and "gave up after 3 attempts" in (
        dead.last_error or ""
    )
    # Requeued once the partner is back: delivered.
    b.start()
    delivery.requeue(a.db.uow(), "KR", message_id)
    assert delivery.deliver_due(a.db.uow).delivered == [message_id]


def _flip_payload(token: str) -> str:
    header, payload, sig = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["body"]["hello"] = "worle"  # one byte changed, still canonical JSON
    raw = signing.canonical_json(data)
    return ".".join([header, base64.urlsafe_b64encode(raw).rstrip(b"=").decode(), sig])


def _flip_signature(token: str) -> str:
    header, payload, sig = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
    raw[10] ^= 0x01
    return ".".join([header, payload, base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()])


def test_every_bad_message_is_refused_with_its_reason(pair: Pair) -> None:
    a, b = pair.a, pair.b
    now = datetime.now(UTC)
    good = _signed(a)
    replayed_id = new_id()
    first = _signed(a, id=replayed_id)
    assert _post(b, first).status_code == 200
    stranger = signing.generate_private_key()
    unknown_key_token = signing.sign(
        signing.read_unverified(good).payload, stranger, header={"typ": ENVELOPE_TYP}
    )
    cases = {
        "payload byte flipped": (_flip_payload(good), "bad_signature"),
        "signature byte flipped": (_flip_signature(good), "bad_signature"),
        "expired": (
            _signed(
                a,
                created=(now - timedelta(days=9)).isoformat(),
                expires=(now - timedelta(days=2)).isoformat(),
            ),
            "expired",
        ),
        "created in the future": (
            _signed(a, created=(now + timedelta(hours=2)).isoformat()),
            "not_yet_valid",
        ),
        "replayed id, new content": (
            _signed(a, id=replayed_id, body={"other": 1}),
            "replay",
        ),
        "replayed token": (first, "replay"),
        "unknown key": (unknown_key_token, "unknown_key"),
        "another recipient": (_signed(a, recipient="JP"), "wrong_recipient"),
        "not a JWS": ("hello.world", "malformed"),
        "empty": ("", "malformed"),
    }
    for name, (token, reason) in cases.items():
        response = _post(b, token)
        assert response.status_code == 422, name
        body = response.json()
        assert body["status"] == "refused", name
        assert body["reason"] == reason, (name, body)
        assert body["detail"], name
    # Nothing refused was acted on: only the one good message is in B's inbox.
    assert _inbox_ids(b) == [replayed_id]
    refusals = messages.list_refusals(b.db.uow(), b.admin)
    reasons = sorted(r.reason.value for r in refusals)
    # Refusals that named SG as recipient are recorded under SG (the others under no economy).
    assert "wrong_recipient" not in reasons
    assert len(refusals) >= 6
    # The good message itself was never sent, so it is still acceptable.
    assert _post(b, good).status_code == 200


def test_revoked_key_is_refused_after_the_partner_learns_of_it(pair: Pair) -> None:
    a, b = pair.a, pair.b
    old = trust.active_signer(a.db.uow(), "KR", a.secret)
    token = _signed(a)
    trust.rotate_key(a.db.uow(), a.admin, a.secret)
    trust.revoke_key(a.db.uow(), a.admin, old.kid, "laptop stolen")
    with httpx.Client() as http:
        trust.fetch_partner_keys(b.db.uow(), b.admin, "KR", client=http)
    response = _post(b, token)
    assert response.status_code == 422
    assert response.json()["reason"] == "revoked_key"
    assert old.kid in response.json()["detail"]
    # Messages signed with the new key go through.
    assert _post(b, _signed(a)).status_code == 200


def test_rotation_keeps_old_messages_verifiable(pair: Pair) -> None:
    a, b = pair.a, pair.b
    first = _send(a, "SG", {"n": 1})
    assert delivery.deliver_due(a.db.uow).delivered == [first]
    old = trust.active_signer(a.db.uow(), "KR", a.secret)
    new_key = trust.rotate_key(a.db.uow(), a.admin, a.secret)
    assert new_key.kid != old.kid
    # B does not know the new key yet: the first message signed with it makes B fetch A's key
    # set (rotation without downtime) and it is accepted.
    second = _send(a, "SG", {"n": 2})
    assert delivery.deliver_due(a.db.uow).delivered == [second]
    known = {k.kid for k in trust.get_partner(b.db.uow(), b.admin, "KR").keys}
    assert new_key.kid in known
    # A made-up key does not trigger another fetch within the rate-limit interval.
    stranger = signing.sign(
        signing.read_unverified(_signed(a)).payload,
        signing.generate_private_key(),
        header={"typ": ENVELOPE_TYP},
    )
    assert _post(b, stranger).json()["reason"] == "unknown_key"
    inbox = {m.body["n"]: m for m in messages.list_inbox(b.db.uow(), b.admin)}
    check_old = messages.reverify(b.db.uow(), b.admin, inbox[1].id)
    assert check_old == {
        "valid": True,
        "kid": old.kid,
        "reason": None,
        "detail": "signature verifies",
    }
    assert messages.reverify(b.db.uow(), b.admin, inbox[2].id)["kid"] == new_key.kid
    # A retired key still verifies new messages until it expires.
    jwks = trust.jwks(a.db.uow(), "KR")
    statuses = {k["kid"]: k["status"] for k in jwks["keys"]}
    assert statuses == {old.kid: "retired", new_key.kid: "active"}


@pytest.mark.parametrize("endpoint", ["/api/v1/exchange/jwks/KR"])
def test_jwks_is_public_and_holds_no_private_material(pair: Pair, endpoint: str) -> None:
    response = httpx.get(pair.a.url + endpoint)
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert keys and all("d" not in k and k["kty"] == "OKP" for k in keys)
