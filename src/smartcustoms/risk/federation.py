"""Learning across economies through signed model updates: the risk side.

A partner's update arrives as a verified exchange message (``risk_model_update``, handled by
:mod:`smartcustoms.exchange.services.model_updates`) and is stored here; the economy's shared
scores are the mean of its own booster and its partners' latest updates
(:func:`.ml.online.federated.ensemble_predict`). What goes out is the active model's fraud
booster: trees, feature names, a row count, never a declaration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from smartcustoms.core.ids import new_id
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import Conflict
from smartcustoms.risk import registry
from smartcustoms.risk.ml.online.federated import ModelUpdate, ensemble_predict
from smartcustoms.risk.repository import RiskRepository
from smartcustoms.risk.tables import PartnerUpdateRow

__all__ = [
    "ReceivedUpdate",
    "latest_partner_updates",
    "local_update",
    "shared_scores",
    "store_partner_update",
]


@dataclass(frozen=True, slots=True)
class ReceivedUpdate:
    partner: str
    message_id: str
    round: int
    update: ModelUpdate
    received_at: datetime


def local_update(uow: UnitOfWork, economy: str) -> ModelUpdate:
    """The update this economy sends: its active model's fraud booster."""
    active = registry.active_info(uow, economy)
    if active is None:
        raise Conflict(f"{economy} has no active risk model to share")
    model = registry.load_model(uow, active.directory)
    return ModelUpdate(
        economy,
        model.fraud_booster_.model_to_string(),
        tuple(str(f) for f in model.feature_names_in_),
        int(model.n_training_rows_),
    )


def store_partner_update(
    uow: UnitOfWork,
    economy: str,
    partner: str,
    message_id: str,
    round_: int,
    update: ModelUpdate,
    now: datetime,
) -> None:
    """Keep a verified update (inside the accepting transaction of the exchange inbox)."""
    with uow:
        uow.repo(RiskRepository).add(
            PartnerUpdateRow(
                id=new_id(),
                economy=economy,
                partner=partner,
                message_id=message_id,
                round=round_,
                features=list(update.features),
                training_rows=update.training_rows,
                model_sha256=update.payload()["model_sha256"],
                model=update.model,
                received_at=now,
            )
        )
        uow.commit()


def latest_partner_updates(uow: UnitOfWork, economy: str) -> list[ReceivedUpdate]:
    """Each partner's latest update (the highest round, then the latest received)."""
    with uow:
        rows = uow.repo(RiskRepository).partner_updates(economy)
        latest: dict[str, ReceivedUpdate] = {}
        for r in rows:
            found = ReceivedUpdate(
                r.partner,
                r.message_id,
                r.round,
                ModelUpdate(r.partner, r.model, tuple(r.features), r.training_rows),
                r.received_at,
            )
            held = latest.get(r.partner)
            if held is None or found.round >= held.round:
                latest[r.partner] = found
    return [latest[p] for p in sorted(latest)]


def shared_scores(
    uow: UnitOfWork, economy: str, local: object, features: list[str], matrix: np.ndarray
) -> np.ndarray:
    """Scores of ``matrix`` by the local booster and the partners' latest updates."""
    partners = [u.update for u in latest_partner_updates(uow, economy)]
    return ensemble_predict(local, features, partners, matrix)
