"""Factories: small functions that build valid test data, with overrides.

Each returns a fresh deep copy, so a test may edit the result (e.g. to make it invalid):

- declarations: ``declaration(**changes)`` (alias ``document``), ``item(**changes)``,
  ``kr_schedule()`` (a small KR tariff schedule matching ``declaration()``'s items);
- cases: ``case_data(**changes)``, a valid case-repository entry;
- users: ``principal(*roles, economy="KR", **changes)`` (an in-memory ``Principal``, for
  service tests on the fake unit of work) and ``user(db, *roles, economy="KR", email=None)``
  (a stored user with a bearer token, as the ``actors`` fixture makes them).

Formerly tests/unit/declarations/factories.py (declarations) and
tests/integration/cases/helpers.py (``case_data``, still re-exported there).
"""

from __future__ import annotations

import copy
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.tariff.model import ScheduleSettings, SpecificUnit, TariffLine, TariffSchedule

if TYPE_CHECKING:
    from smartcustoms.db.engine import Database

__all__ = [
    "BASE",
    "CASE",
    "PASSWORD",
    "case_data",
    "declaration",
    "document",
    "item",
    "kr_schedule",
    "principal",
    "user",
]

PASSWORD = "correct horse battery"

# --- declarations ------------------------------------------------------------------------------

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


def declaration(**changes: Any) -> dict[str, Any]:
    """A valid KR import declaration document; top-level fields replaced by ``changes``."""
    doc = copy.deepcopy(BASE)
    doc.update(changes)
    return doc


document = declaration  # the name the declaration tests have used


def item(**changes: Any) -> dict[str, Any]:
    """A valid declaration item (the first of ``declaration()``), fields replaced."""
    line = copy.deepcopy(BASE["items"][0])
    line.update(changes)
    return dict(line)


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


# --- cases -------------------------------------------------------------------------------------

CASE: dict[str, Any] = {
    "title": "Automated release of low-risk parcels",
    "year": 2026,
    "summary": "Parcels scored as low risk are released on arrival.",
    "problem": "Millions of small parcels and few officers.",
    "solution": "A machine learning model scores every parcel on pre-arrival data.",
    "priority_areas": ["innovation"],
    "themes": ["cross-border-ecommerce", "risk-management-ai"],
    "technologies": ["machine-learning"],
    "outcomes": [
        {
            "metric": "Median release time",
            "before": 26,
            "after": 2,
            "unit": "hours",
            "source": "Administration statistics 2025",
        }
    ],
}


def case_data(**changes: Any) -> dict[str, Any]:
    """A valid case-repository entry; top-level fields replaced by ``changes``."""
    data = copy.deepcopy(CASE)
    data.update(changes)
    return data


# --- users -------------------------------------------------------------------------------------


def principal(*roles: Role | str, economy: str = "KR", **changes: Any) -> Principal:
    """An in-memory caller with ``roles`` (no database), e.g. ``principal("officer")``."""
    wanted = frozenset(Role(r) for r in roles)
    name = "-".join(r.value for r in sorted(wanted, key=lambda r: r.value)) or "user"
    fields: dict[str, Any] = {
        "user_id": f"u-{name}",
        "email": f"{name}@{economy.lower()}.test",
        "name": name.title(),
        "economy": economy,
        "roles": wanted,
    }
    fields.update(changes)
    return Principal(**fields)


def user(
    db: Database, *roles: str, economy: str = "KR", email: str | None = None
) -> dict[str, str]:
    """A stored user with ``roles`` in ``economy`` (created if missing) and a bearer token:
    ``{"id", "email", "token", "Authorization"}``, password ``PASSWORD``."""
    from smartcustoms.accounts import service
    from smartcustoms.core.codes import apec_economy

    if economy not in {e.code for e in service.list_economies(db.uow())}:
        known = apec_economy(economy)
        name, currency = (known.name, known.currency) if known else (economy, "USD")
        service.create_economy(db.uow(), economy, name, currency)
    email = email or f"{'-'.join(roles) or 'user'}-{uuid.uuid4().hex[:6]}@{economy.lower()}.test"
    stored = service.create_user(
        db.uow(), economy=economy, email=email, password=PASSWORD, roles=list(roles)
    )
    token = service.issue_token(db.uow(), stored.id)
    return {
        "id": stored.id,
        "email": email,
        "token": token.secret,
        "Authorization": f"Bearer {token.secret}",
    }
