"""Federated learning between administrations over the exchange: each round an economy sends
its risk model update (the trees of its fraud booster, never a declaration) to its partners as
a signed ``risk_model_update`` message; the receiver verifies the signature like any message
(:mod:`.messages`), checks the body (:func:`smartcustoms.risk.ml.online.federated.update_problems`:
only the update's keys, a model text that parses, its SHA-256) and stores it for its shared
scores (:mod:`smartcustoms.risk.federation`). A tampered message, or one from a party that is
not a trusted partner, is refused before any handler runs, so it never changes a model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core.clock import Clock
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import FieldError, InvalidInput
from smartcustoms.exchange.model import Envelope, MessageType, OutboxMessage, PartnerStatus
from smartcustoms.exchange.repository import ExchangeRepository
from smartcustoms.exchange.services import messages

# The risk side (numpy, pandas, LightGBM) is imported where used: the handlers table is built
# at every CLI start-up, which must stay cheap.
if TYPE_CHECKING:
    from smartcustoms.risk.ml.online.federated import ModelUpdate

__all__ = ["federated_round", "receive_model_update", "send_model_update"]


def send_model_update(
    uow: UnitOfWork,
    principal: Principal,
    secret: str,
    partner: str,
    update: ModelUpdate,
    *,
    round_: int = 1,
    clock: Clock | None = None,
) -> OutboxMessage:
    """Sign ``update`` into the outbox for ``partner`` (delivered like every message)."""
    from smartcustoms.risk.ml.online.federated import update_problems

    principal.require(Role.ANALYST)
    body = update.body(round_)
    problems = update_problems(body)
    if problems:
        raise InvalidInput([FieldError(p, "invalid", m) for p, m in problems])
    return messages.send(
        uow,
        principal,
        secret,
        partner,
        MessageType.RISK_MODEL_UPDATE,
        body,
        subject=f"risk model update, round {round_}",
        clock=clock,
    )


def federated_round(
    uow: UnitOfWork,
    principal: Principal,
    secret: str,
    *,
    round_: int = 1,
    clock: Clock | None = None,
) -> list[OutboxMessage]:
    """One round: the active model's update to every active partner, in one transaction."""
    from smartcustoms.risk import federation

    principal.require(Role.ANALYST)
    with uow:
        update = federation.local_update(uow, principal.economy)
        partners = [
            p.partner
            for p in ExchangeRepository(uow.session).partners(principal.economy)
            if p.status == PartnerStatus.ACTIVE.value
        ]
        sent = [
            send_model_update(uow, principal, secret, p, update, round_=round_, clock=clock)
            for p in partners
        ]
        uow.commit()
    return sent


def receive_model_update(uow: UnitOfWork, envelope: Envelope) -> None:
    """Handler of an accepted ``risk_model_update``: check the body, store the update."""
    from smartcustoms.risk import federation
    from smartcustoms.risk.ml.online.federated import ModelUpdate, update_problems

    body: Any = envelope.body
    problems = update_problems(body)
    if problems:
        raise InvalidInput([FieldError(p, "invalid", m) for p, m in problems])
    update = ModelUpdate(
        envelope.sender,
        str(body["model"]),
        tuple(str(f) for f in body["features"]),
        int(body["training_rows"]),
    )
    federation.store_partner_update(
        uow,
        envelope.recipient,
        envelope.sender,
        envelope.id,
        int(body["round"]),
        update,
        uow.clock.now(),
    )
