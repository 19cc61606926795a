"""What an accepted message does on arrival, by type. Built by a function (no registry), so
callers pass exactly the handlers they want to :func:`.messages.receive`."""

from __future__ import annotations

from collections.abc import Mapping

from smartcustoms.exchange.model import MessageType
from smartcustoms.exchange.services import aeo, alerts, certificates, model_updates, prearrival
from smartcustoms.exchange.services.messages import Handler

__all__ = ["default_handlers"]


def default_handlers() -> Mapping[str, Handler]:
    return {
        MessageType.PRE_ARRIVAL.value: prearrival.store_pre_arrival,
        MessageType.CERTIFICATE_OF_ORIGIN.value: certificates.receive_certificate,
        MessageType.CERTIFICATE_REVOCATION.value: certificates.receive_revocation,
        MessageType.AEO_STATUS.value: aeo.receive_aeo_status,
        MessageType.RISK_ALERT.value: alerts.receive_alert,
        MessageType.RISK_MODEL_UPDATE.value: model_updates.receive_model_update,
    }
