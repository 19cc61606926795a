"""The JSON form of declarations and assessments, and the canonical text that gets hashed.

Decimals travel as strings ("1234.5") so no JSON reader turns money into floats; the canonical
form sorts keys, drops absent fields and writes decimals without trailing zeros, so the same
declaration always hashes the same way (idempotency, audit chain).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

from smartcustoms.db.types import plain
from smartcustoms.declarations.model import Declaration, Item, Party
from smartcustoms.tariff.duties import (
    DeMinimisCheck,
    DutyAssessment,
    DutyLine,
    FxRate,
    ItemValuation,
)

PARTY_ROLES = ("declarant", "importer", "exporter", "seller", "buyer", "courier")


def dec(value: Decimal) -> str:
    return str(plain(value))


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_of(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def _party(p: Party) -> dict[str, Any]:
    return {k: v for k, v in (("id", p.id), ("name", p.name), ("country", p.country)) if v}


def _item(it: Item) -> dict[str, Any]:
    out: dict[str, Any] = {
        "hs_code": it.hs_code,
        "description": it.description,
        "origin_country": it.origin_country,
        "net_mass_kg": dec(it.net_mass_kg),
        "invoice_value": dec(it.invoice_value),
    }
    optional = {
        "origin_indicator": it.origin_indicator,
        "quantity": None if it.quantity is None else dec(it.quantity),
        "unit": it.unit,
        "gross_mass_kg": None if it.gross_mass_kg is None else dec(it.gross_mass_kg),
        "preference": it.preference,
        "declared_duty_rate": None if it.declared_duty_rate is None else dec(it.declared_duty_rate),
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    return out


def to_document(d: Declaration) -> dict[str, Any]:
    """The declaration in its JSON format (see docs/declarations.md)."""
    out: dict[str, Any] = {
        "reference": d.reference,
        "kind": d.kind.value,
        "office": d.office,
        "transport_mode": d.transport_mode.value,
        "invoice_currency": d.invoice_currency,
        "incoterm": d.incoterm,
        "freight": dec(d.freight),
        "insurance": dec(d.insurance),
        "items": [_item(it) for it in d.items],
    }
    for role in PARTY_ROLES:
        party = getattr(d, role)
        if party is not None:
            out[role] = _party(party)
    for key in ("date", "arrival_date", "departure_date"):
        value: date | None = getattr(d, key)
        if value is not None:
            out[key] = value.isoformat()
    for key in ("departure_country", "destination_country"):
        if getattr(d, key):
            out[key] = getattr(d, key)
    if d.national:
        out["national"] = dict(sorted(d.national.items()))
    return out


def document_hash(d: Declaration) -> str:
    return sha256_of(to_document(d))


# --- assessments -------------------------------------------------------------------------------


def assessment_to_dict(a: DutyAssessment) -> dict[str, Any]:
    def conv(obj: Any) -> Any:
        if isinstance(obj, Decimal):
            return dec(obj)
        if isinstance(obj, date):
            return obj.isoformat()
        if isinstance(obj, list):
            return [conv(v) for v in obj]
        if hasattr(obj, "__dataclass_fields__"):
            return {k: conv(getattr(obj, k)) for k in obj.__dataclass_fields__}
        return obj

    result: dict[str, Any] = conv(a)
    return result


def assessment_from_dict(d: dict[str, Any]) -> DutyAssessment:
    D = Decimal
    dm = d.get("de_minimis")
    return DutyAssessment(
        currency=d["currency"],
        invoice_currency=d["invoice_currency"],
        date=date.fromisoformat(d["date"]),
        rates_used=[
            FxRate(
                r["currency"], date.fromisoformat(r["month"]), D(r["per_usd"]), r["source_quote"]
            )
            for r in d["rates_used"]
        ],
        valuation=[
            ItemValuation(
                v["item"],
                D(v["invoice_value"]),
                D(v["freight"]),
                D(v["insurance"]),
                D(v["cif"]),
                D(v["customs_value"]),
            )
            for v in d["valuation"]
        ],
        lines=[
            DutyLine(
                ln["item"],
                ln["tax"],
                D(ln["base"]),
                ln["base_unit"],
                D(ln["rate"]),
                ln["rate_unit"],
                ln["source"],
                D(ln["amount"]),
            )
            for ln in d["lines"]
        ],
        de_minimis=None
        if dm is None
        else DeMinimisCheck(
            D(dm["threshold"]),
            dm["threshold_currency"],
            D(dm["threshold_local"]),
            D(dm["consignment_value"]),
            dm["scope"],
            dm["applies"],
        ),
        customs_value=D(d["customs_value"]),
        duty_total=D(d["duty_total"]),
        tax_total=D(d["tax_total"]),
        total=D(d["total"]),
        notes=list(d.get("notes", [])),
        complete=bool(d.get("complete", True)),
    )


def from_document(doc: dict[str, Any]) -> Declaration:
    """Rebuild a stored (already validated) document; no checks here."""
    from smartcustoms.declarations.model import Kind, TransportMode

    def party(key: str) -> Party | None:
        p = doc.get(key)
        return None if p is None else Party(p["id"], p.get("name"), p.get("country"))

    def opt_dec(value: Any) -> Decimal | None:
        return None if value is None else Decimal(value)

    def opt_day(value: Any) -> date | None:
        return None if value is None else date.fromisoformat(value)

    items = tuple(
        Item(
            hs_code=it["hs_code"],
            description=it["description"],
            origin_country=it["origin_country"],
            net_mass_kg=Decimal(it["net_mass_kg"]),
            invoice_value=Decimal(it["invoice_value"]),
            origin_indicator=it.get("origin_indicator"),
            quantity=opt_dec(it.get("quantity")),
            unit=it.get("unit"),
            gross_mass_kg=opt_dec(it.get("gross_mass_kg")),
            preference=it.get("preference"),
            declared_duty_rate=opt_dec(it.get("declared_duty_rate")),
        )
        for it in doc["items"]
    )
    declarant = party("declarant")
    assert declarant is not None
    return Declaration(
        reference=doc["reference"],
        kind=Kind(doc["kind"]),
        office=doc["office"],
        transport_mode=TransportMode(doc["transport_mode"]),
        declarant=declarant,
        invoice_currency=doc["invoice_currency"],
        incoterm=doc["incoterm"],
        items=items,
        date=opt_day(doc.get("date")),
        importer=party("importer"),
        exporter=party("exporter"),
        seller=party("seller"),
        buyer=party("buyer"),
        courier=party("courier"),
        departure_country=doc.get("departure_country"),
        destination_country=doc.get("destination_country"),
        arrival_date=opt_day(doc.get("arrival_date")),
        departure_date=opt_day(doc.get("departure_date")),
        freight=Decimal(doc.get("freight", "0")),
        insurance=Decimal(doc.get("insurance", "0")),
        national=dict(doc.get("national") or {}),
    )
