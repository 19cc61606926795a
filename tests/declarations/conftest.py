"""KR set up for declaration tests: a small tariff schedule, a declarant and an officer."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from smartcustoms.accounts import service as accounts
from smartcustoms.accounts.model import Principal
from smartcustoms.db.engine import Database
from smartcustoms.declarations import service
from smartcustoms.tariff import service as tariff
from smartcustoms.tariff.model import ScheduleSettings, SpecificUnit, TariffLine

# HS codes that both the shared HS data and the built-in reference sample hold.
DOC: dict[str, Any] = {
    "reference": "INV-1",
    "kind": "import",
    "date": "2021-05-14",
    "office": "020",
    "transport_mode": "sea",
    "invoice_currency": "USD",
    "incoterm": "FOB",
    "freight": "100",
    "insurance": "20",
    "declarant": {"id": "BRK-001", "country": "KR"},
    "importer": {"id": "IMP-778", "country": "KR"},
    "seller": {"id": "SEL-12", "country": "CN"},
    "departure_country": "CN",
    "items": [
        {
            "hs_code": "850760",
            "description": "Li-ion packs",
            "origin_country": "CN",
            "net_mass_kg": "180",
            "invoice_value": "3000",
            "preference": "FCN1",
        },
        {
            "hs_code": "850440",
            "description": "Inverters",
            "origin_country": "VN",
            "quantity": "200",
            "unit": "PCE",
            "net_mass_kg": "40",
            "invoice_value": "2000",
            "preference": "FCN1",
        },
        {
            "hs_code": "902710",
            "description": "Gas analysers",
            "origin_country": "US",
            "net_mass_kg": "50",
            "invoice_value": "1000",
        },
    ],
}


def doc(**changes: Any) -> dict[str, Any]:
    d = copy.deepcopy(DOC)
    d.update(changes)
    return d


@dataclass
class KR:
    db: Database
    declarant: Principal
    declarant2: Principal
    officer: Principal
    analyst: Principal
    actors: Any
    users: dict[str, dict[str, str]]

    def quiet_lanes(self, lane: str | None = None) -> None:
        """No random selection; ``lane`` forces every declaration into it by a party rule."""
        rules = [{"name": "force", "lane": lane, "party": "BRK-001"}] if lane else []
        service.set_assessor_config(
            self.db.uow(),
            self.analyst,
            {"random_red_rate": 0, "random_yellow_rate": 0, "rules": rules},
        )


def principal(db: Database, email: str) -> Principal:
    return accounts.principal_of(accounts.user_by_email(db.uow(), email))


@pytest.fixture
def kr(db: Database, actors: Any) -> KR:
    users = {
        name: actors.user("KR", role)
        for name, role in (
            ("declarant", "declarant"),
            ("declarant2", "declarant"),
            ("officer", "officer"),
            ("analyst", "analyst"),
        )
    }
    tariff.set_schedule(
        db.uow(),
        service.system_principal("KR"),
        ScheduleSettings(
            economy="KR",
            vat_rate=Decimal(10),
            de_minimis_amount=Decimal(150),
            de_minimis_currency="USD",
            default_rate_type="A",
            source="test",
        ),
        [
            TariffLine("85", "A", Decimal(8)),
            TariffLine("850760", "FCN1", Decimal(0), origins=frozenset({"CN"})),
            TariffLine("8504", "A", Decimal(13), Decimal(500), SpecificUnit.UNIT),
            TariffLine("9027", "A", Decimal(3), Decimal(1000), SpecificUnit.KG),
        ],
    )
    p = {k: principal(db, v["email"]) for k, v in users.items()}
    k = KR(db, p["declarant"], p["declarant2"], p["officer"], p["analyst"], actors, users)
    k.quiet_lanes()
    return k


from tests.declarations.fixtures_e2e import *  # noqa: E402, F403  (fixtures of the former tests/e2e/declarations/conftest.py)
