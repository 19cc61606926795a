"""One round of the exchange's background work: queue what is due to partners (pre-arrival data
of released exports), match arrived imports with stored pre-arrival data, deliver the outbox.

The web app runs a round every ``exchange_deliver_every`` seconds; ``smartcustoms exchange
outbox deliver [--loop N]`` runs rounds from the command line."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from smartcustoms.core.clock import Clock
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.exchange.repository import ExchangeRepository
from smartcustoms.exchange.services import delivery, prearrival

__all__ = ["CycleReport", "run_cycle"]

log = logging.getLogger("smartcustoms.exchange")


@dataclass
class CycleReport:
    queued: list[str] = field(default_factory=list)
    matched: dict[str, str] = field(default_factory=dict)
    delivery: delivery.DeliveryReport = field(default_factory=delivery.DeliveryReport)

    def to_dict(self) -> dict[str, object]:
        return {
            "queued": self.queued,
            "matched": self.matched,
            "delivered": self.delivery.delivered,
            "retrying": self.delivery.retrying,
            "refused": self.delivery.refused,
            "dead": self.delivery.dead,
        }


def run_cycle(
    new_uow: Callable[[], UnitOfWork],
    secret: str,
    *,
    economy: str | None = None,
    clock: Clock | None = None,
    client: httpx.Client | None = None,
    policy: delivery.DeliveryPolicy | None = None,
) -> CycleReport:
    report = CycleReport()
    with new_uow() as uow:
        economies = sorted(ExchangeRepository(uow.session).economies_with_keys())
    for code in economies:
        if economy and code != economy:
            continue
        report.queued += prearrival.enqueue_released_exports(new_uow(), code, secret, clock=clock)
        report.matched.update(prearrival.match_imports(new_uow(), code, clock=clock).matched)
    report.delivery = delivery.deliver_due(
        new_uow, clock=clock, client=client, policy=policy, economy=economy
    )
    return report
