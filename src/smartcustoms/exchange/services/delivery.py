"""Delivery of the outbox to partners' inboxes: retries with exponential backoff, a dead-letter
state with an alert, and signed receipts checked before a message counts as delivered.

Each message is handled in its own transaction, locked while it is sent (PostgreSQL skips
rows another worker holds), so several workers never send one message at the same time; the
partner's inbox is idempotent, so a message sent again after a crash is acted on once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from smartcustoms.core.clock import Clock, SystemClock, as_utc
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import Conflict, NotFound
from smartcustoms.exchange.model import OutboxStatus, Refused
from smartcustoms.exchange.repository import ExchangeRepository
from smartcustoms.exchange.services.messages import verify_receipt
from smartcustoms.exchange.tables import OutboxRow

__all__ = ["INBOX_PATH", "DeliveryPolicy", "DeliveryReport", "deliver_due", "requeue"]

log = logging.getLogger("smartcustoms.exchange")
INBOX_PATH = "/api/v1/exchange/inbox"
LEASE = timedelta(seconds=30)
"""How long a claimed message is left alone by other workers while one sends it."""


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    base_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=1)
    max_attempts: int = 12
    timeout_seconds: float = 10.0

    def delay(self, attempts: int) -> timedelta:
        """Wait after the ``attempts``-th failure: base, 2×base, 4×base, ... up to max."""
        seconds = self.base_delay.total_seconds() * 2 ** max(0, attempts - 1)
        return min(timedelta(seconds=seconds), self.max_delay)


@dataclass
class DeliveryReport:
    delivered: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    dead: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return len(self.delivered) + len(self.retrying) + len(self.refused) + len(self.dead)


def deliver_due(
    new_uow: Callable[[], UnitOfWork],
    *,
    clock: Clock | None = None,
    client: httpx.Client | None = None,
    policy: DeliveryPolicy | None = None,
    economy: str | None = None,
    limit: int = 100,
) -> DeliveryReport:
    """Send every pending message whose next attempt is due; returns what happened to each."""
    clock = clock or SystemClock()
    policy = policy or DeliveryPolicy()
    report = DeliveryReport()
    owned = client is None
    http = client or httpx.Client(timeout=policy.timeout_seconds)
    try:
        with new_uow() as uow:
            due = list(ExchangeRepository(uow.session).due(clock.now(), economy, limit))
        for message_id in due:
            _deliver_one(new_uow, message_id, clock, http, policy, report)
    finally:
        if owned:
            http.close()
    return report


def _deliver_one(
    new_uow: Callable[[], UnitOfWork],
    message_id: str,
    clock: Clock,
    http: httpx.Client,
    policy: DeliveryPolicy,
    report: DeliveryReport,
) -> None:
    # 1. Claim: lock the row, count the attempt and lease it for the time one send may take,
    #    so no other worker picks it meanwhile; commit before talking to the network.
    with new_uow() as uow:
        repo = ExchangeRepository(uow.session)
        row = repo.lock_outbox(message_id)
        now = clock.now()
        if row is None or row.status != OutboxStatus.PENDING.value:
            return  # another worker has it, or it was settled meanwhile
        if row.next_attempt_at is not None and as_utc(row.next_attempt_at) > now:
            return
        if now > as_utc(row.expires_at):
            _dead(row, "the message expired before it could be delivered", report)
            uow.commit()
            return
        partner = repo.partner(row.economy, row.recipient)
        if partner is None:
            _dead(row, f"{row.recipient} is no longer a partner", report)
            uow.commit()
            return
        url, token, attempts = partner.endpoint + INBOX_PATH, row.token, row.attempts + 1
        row.attempts = attempts
        row.next_attempt_at = now + LEASE + timedelta(seconds=policy.timeout_seconds)
        uow.commit()
    # 2. Send, outside any transaction.
    error: str | None = None
    response: httpx.Response | None = None
    try:
        response = http.post(url, content=token, headers={"content-type": "application/jose"})
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    # 3. Settle.
    with new_uow() as uow:
        row = ExchangeRepository(uow.session).lock_outbox(message_id)
        if row is None or row.status != OutboxStatus.PENDING.value:
            return
        now = clock.now()
        if response is None:
            _retry(row, now, error or "no answer", policy, report)
            uow.commit()
            return
        answer = _json(response)
        receipt = answer.get("receipt")
        if response.status_code == 200 or (isinstance(receipt, str) and answer.get("duplicate")):
            _settle_delivered(uow, row, receipt, clock, report)
        elif 400 <= response.status_code < 500 and answer.get("reason"):
            row.status = OutboxStatus.REFUSED.value
            row.next_attempt_at = None
            row.last_error = f"refused by {row.recipient}: {answer.get('reason')}: " + str(
                answer.get("detail", "")
            )
            row.receipt = answer
            report.refused.append(row.id)
            log.warning("exchange: message %s %s", row.id, row.last_error)
        else:
            _retry(row, now, f"HTTP {response.status_code} from {url}", policy, report)
        uow.commit()


def _json(response: httpx.Response) -> dict[str, object]:
    try:
        value = response.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _settle_delivered(
    uow: UnitOfWork,
    row: OutboxRow,
    receipt: object,
    clock: Clock,
    report: DeliveryReport,
) -> None:
    now = clock.now()
    row.status = OutboxStatus.DELIVERED.value
    row.delivered_at = now
    row.next_attempt_at = None
    stored: dict[str, object] = {"token": receipt, "verified": False}
    if isinstance(receipt, str):
        try:
            env = verify_receipt(uow, receipt, row.economy, row.id, clock=clock)
            stored.update(verified=True, receipt_id=env.id, body=env.body)
            row.last_error = None
        except Refused as exc:
            stored["error"] = f"{exc.reason.value}: {exc.message}"
            row.last_error = f"delivered, but the receipt did not verify: {exc.message}"
    else:
        row.last_error = "delivered, but no receipt came back"
    row.receipt = stored
    report.delivered.append(row.id)


def _retry(
    row: OutboxRow, now: datetime, error: str, policy: DeliveryPolicy, report: DeliveryReport
) -> None:
    row.last_error = error
    if row.attempts >= policy.max_attempts:
        _dead(row, f"gave up after {row.attempts} attempts; last error: {error}", report)
        return
    row.next_attempt_at = now + policy.delay(row.attempts)
    report.retrying.append(row.id)


def _dead(row: OutboxRow, why: str, report: DeliveryReport) -> None:
    row.status = OutboxStatus.DEAD.value
    row.next_attempt_at = None
    row.last_error = why
    report.dead.append(row.id)
    # The alert: operators watch the log and the outbox page's dead-letter count.
    log.error("exchange: message %s to %s is dead-lettered: %s", row.id, row.recipient, why)


def requeue(uow: UnitOfWork, economy: str, message_id: str, *, clock: Clock | None = None) -> None:
    """Put a refused or dead message back in the queue (after the cause was fixed)."""
    now = (clock or uow.clock).now()
    with uow:
        row = ExchangeRepository(uow.session).outbox_message(economy, message_id)
        if row is None:
            raise NotFound(f"no outbox message {message_id}")
        if row.status == OutboxStatus.DELIVERED.value:
            raise Conflict(f"message {message_id} was delivered already")
        row.status = OutboxStatus.PENDING.value
        row.attempts = 0
        row.next_attempt_at = now
        uow.commit()
