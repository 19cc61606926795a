"""Demo wiring: two economies on one installation that already exchange (idempotent).

Each gets a signing key and the other as partner (endpoint: this server), imports the other's
public keys, records their AEO mutual recognition arrangement and requires verified
certificates of origin for preferences; KR queues an AEO status message and a certificate of
origin for SG, delivered by the web app's exchange rounds once it serves."""

from __future__ import annotations

from collections.abc import Callable

from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations.service import system_principal
from smartcustoms.exchange.services import aeo, certificates, trust

__all__ = ["connect_demo"]


def connect_demo(
    new_uow: Callable[[], UnitOfWork], secret: str, base_url: str, economies: tuple[str, str]
) -> str:
    first, second = economies
    admins = {e: system_principal(e, "demo") for e in economies}
    made = 0
    for e in economies:
        if not any(k.status.value == "active" for k in trust.list_keys(new_uow(), admins[e])):
            trust.create_key(new_uow(), admins[e], secret)
            made += 1
    for here, there in ((first, second), (second, first)):
        trust.add_partner(new_uow(), admins[here], there, base_url, f"Customs of {there}")
        trust.import_partner_keys(new_uow(), admins[here], there, trust.jwks(new_uow(), there))
        aeo.record_mra(
            new_uow(),
            admins[here],
            there,
            name=f"{first}-{second} AEO mutual recognition arrangement",
            valid_from="2010-01-01",
        )
    certificates.set_policy(new_uow(), admins[second], certificate_required_for_preference=True)
    if made:
        aeo.set_aeo(new_uow(), admins[first], secret, f"{first}-AEO-0001", name="Demo AEO trader")
        certificates.issue(
            new_uow(),
            admins[first],
            secret,
            {
                "importing_economy": second,
                "trade_agreement": f"{first}-{second} free trade agreement",
                "exporter": {"id": f"{first}-EXP-0001", "name": "Demo exporter"},
                "importer": {"id": f"{second}-IMP-0001", "name": "Demo importer"},
                "goods": [
                    {
                        "hs_code": "850760",
                        "description": "Lithium-ion accumulators",
                        "origin_criterion": "CTH",
                    }
                ],
            },
            base_url=base_url,
        )
    return f"{first} and {second} exchange through {base_url} ({made} keys created)"
