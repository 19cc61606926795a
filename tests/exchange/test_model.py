"""Envelope parsing and the delivery backoff, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from smartcustoms.exchange.model import Envelope, Reason, Refused
from smartcustoms.exchange.services.delivery import DeliveryPolicy


def test_envelope_round_trip() -> None:
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    env = Envelope("m1", "ping", "KR", "SG", now, now + timedelta(days=1), {"a": 1}, "m0")
    payload = env.to_payload()
    assert payload["created"] == "2026-01-02T03:04:05Z"
    assert Envelope.from_payload(payload) == env


def test_malformed_envelope_names_every_problem() -> None:
    with pytest.raises(Refused) as caught:
        Envelope.from_payload({"id": "", "type": 3, "body": [], "in_reply_to": 5})
    assert caught.value.reason is Reason.MALFORMED
    for name in ("'id'", "'type'", "'sender'", "'recipient'", "'created'", "'expires'",
                 "'body'", "'in_reply_to'"):  # fmt: skip
        assert name in caught.value.message


def test_timestamps_need_a_zone() -> None:
    payload = Envelope(
        "m", "ping", "KR", "SG", datetime.now(UTC), datetime.now(UTC), {}
    ).to_payload()
    payload["created"] = "2026-01-02T03:04:05"
    with pytest.raises(Refused, match="time zone"):
        Envelope.from_payload(payload)


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = DeliveryPolicy(base_delay=timedelta(seconds=30), max_delay=timedelta(minutes=10))
    delays = [policy.delay(n).total_seconds() for n in range(1, 8)]
    assert delays == [30, 60, 120, 240, 480, 600, 600]
