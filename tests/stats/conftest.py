"""A hand-made KR fixture for statistics: a few declarations whose figures are computed by
hand in the tests (values in KRW, CIF, no freight, so customs value = invoice value)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from smartcustoms.core.clock import FixedClock
from smartcustoms.declarations import service as declarations
from smartcustoms.declarations.model import DeclarationRecord
from tests.declarations.conftest import KR, kr  # noqa: F401  (fixture)

BASE: dict[str, Any] = {
    "kind": "import",
    "office": "020",
    "transport_mode": "sea",
    "invoice_currency": "KRW",
    "incoterm": "CIF",
    "declarant": {"id": "BRK-001", "country": "KR"},
    "importer": {"id": "IMP-1", "country": "KR"},
    "seller": {"id": "SEL-1", "country": "CN"},
}


def item(hs: str, origin: str, value: int, mass: int = 10) -> dict[str, Any]:
    return {
        "hs_code": hs,
        "description": f"goods of {hs}",
        "origin_country": origin,
        "net_mass_kg": str(mass),
        "invoice_value": str(value),
    }


def document(ref: str, day: str, items: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    d = copy.deepcopy(BASE)
    d.update(reference=ref, date=day, items=items, **kw)
    return d


EXPORT = {
    "kind": "export",
    "exporter": {"id": "EXP-1", "country": "KR"},
    "buyer": {"id": "BUY-1", "country": "JP"},
    "destination_country": "JP",
    "importer": None,
    "seller": None,
}

# reference, date, items, extra fields. Q2 2021 in KRW: CN 1,000,000, DE 500,000 (April),
# US 300,000 by air (May), export to JP 200,000 (May). 2021-Q1: 400,000; 2020-Q2: 800,000.
FIXTURE: list[tuple[str, str, list[dict[str, Any]], dict[str, Any]]] = [
    ("D1", "2021-04-10", [item("850760", "CN", 1_000_000), item("854143", "DE", 500_000)], {}),
    ("D2", "2021-05-20", [item("902710", "US", 300_000, 5)], {"transport_mode": "air"}),
    ("D3", "2021-05-03", [item("850760", "KR", 200_000)], EXPORT),
    ("D4", "2021-01-15", [item("850760", "CN", 400_000)], {}),
    ("D5", "2020-04-12", [item("850760", "CN", 800_000)], {}),
]


@dataclass
class StatsKR:
    kr: KR
    records: dict[str, DeclarationRecord]
    clock: FixedClock


def lodge(k: KR, ref: str, day: str, items: list[dict[str, Any]], extra: dict[str, Any],
          clock: FixedClock | None = None) -> DeclarationRecord:  # fmt: skip
    doc = document(ref, day, items, **extra)
    doc = {key: value for key, value in doc.items() if value is not None}
    return declarations.submit(k.db.uow(), k.declarant, doc, clock=clock).record


@pytest.fixture
def stats_kr(kr: KR) -> StatsKR:  # noqa: F811
    clock = FixedClock(datetime(2021, 6, 30, 9, 0, tzinfo=UTC))
    records = {}
    for ref, day, items, extra in FIXTURE:
        records[ref] = lodge(kr, ref, day, items, extra, clock)
        clock.advance(timedelta(minutes=1))
    assert all(r.assessment and r.assessment.customs_value for r in records.values())
    assert records["D1"].assessment.customs_value == Decimal(1_500_000)  # type: ignore[union-attr]
    return StatsKR(kr, records, clock)


from tests.stats.fixtures_e2e import *  # noqa: E402, F403  (fixtures of the former tests/e2e/stats/conftest.py)
