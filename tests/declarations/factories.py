"""Valid declaration documents to start tests from (edit a copy to make it invalid)."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from smartcustoms.tariff.model import ScheduleSettings, SpecificUnit, TariffLine, TariffSchedule

BASE: dict[str, Any] = {
    "reference": "INV-2021-0042",
    "kind": "import",
    "date": "2021-05-14",
    "office": "020",
    "transport_mode": "sea",
    "invoice_currency": "USD",
    "incoterm": "FOB",
    "freight": "100",
    "insurance": "20",
    "declarant": {"id": "BRK-001", "name": "Han Customs Brokers", "country": "KR"},
    "importer": {"id": "IMP-778", "name": "Seoul Trading", "country": "KR"},
    "seller": {"id": "SEL-12", "country": "CN"},
    "departure_country": "CN",
    "items": [
        {
            "hs_code": "850760",
            "description": "Lithium-ion battery packs",
            "origin_country": "CN",
            "net_mass_kg": "180",
            "gross_mass_kg": "200",
            "invoice_value": "3000",
            "preference": "FCN1",
        },
        {
            "hs_code": "6109.10",
            "description": "Cotton T-shirts",
            "origin_country": "VN",
            "quantity": "200",
            "unit": "PCE",
            "net_mass_kg": "40",
            "invoice_value": "2000",
            "preference": "FCN1",
        },
        {
            "hs_code": "020130",
            "description": "Fresh boneless beef",
            "origin_country": "AU",
            "net_mass_kg": "50",
            "gross_mass_kg": "55",
            "invoice_value": "1000",
        },
    ],
}


def document(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    doc.update(changes)
    return doc


def kr_schedule() -> TariffSchedule:
    """A small KR schedule: a preference, an ad valorem + per-unit and + per-kg duty."""
    return TariffSchedule(
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
            TariffLine("6109", "A", Decimal(13), Decimal(500), SpecificUnit.UNIT),
            TariffLine("6109", "FCN1", Decimal(5), origins=frozenset({"CN"})),
            TariffLine("0201", "A", Decimal(40), Decimal(1000), SpecificUnit.KG),
        ],
    )
