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
from json.encoder import encode_basestring_ascii
from typing import Any

import orjson

from smartcustoms.db.types import plain
from smartcustoms.declarations.model import Declaration, Item, Party
from smartcustoms.tariff.duties import (
    DeMinimisCheck,
    DutyAssessment,
    DutyLine,
    FxRate,
    ItemValuation,
)

__all__ = [
    "PARTY_ROLES",
    "assessment_from_dict",
    "assessment_json",
    "assessment_to_dict",
    "canonical_json",
    "dec",
    "document_digest",
    "document_hash",
    "from_document",
    "sha256_of",
    "to_document",
]

PARTY_ROLES = ("declarant", "importer", "exporter", "seller", "buyer", "courier")


_DEC_TEXT: dict[Decimal, str] = {}
_DEC_TEXT_SIZE = 65_536


def dec(value: Decimal) -> str:
    """``value`` as plain text without trailing zeros (``str(plain(value))``).

    Remembered per value: a bulk import writes about 25 amounts per declaration, nine in ten
    of them seen before (rates, exchange rates, thresholds, round amounts), and a lookup is a
    fraction of the conversion. Equal amounts have the same text (``plain`` writes the value,
    not its representation: ``12.50`` and ``12.5`` both give ``12.5``) except zero's sign
    (``-0``), so zeros are not remembered; a signalling NaN cannot be hashed and is converted
    each time. Like every amount here, under the default decimal context (nothing changes
    it). Bounded: emptied when full."""
    try:
        text = _DEC_TEXT.get(value)
    except TypeError:  # sNaN
        return _dec_text(value)
    if text is None:
        text = _dec_text(value)
        if value:
            if len(_DEC_TEXT) >= _DEC_TEXT_SIZE:
                _DEC_TEXT.clear()
            _DEC_TEXT[value] = text
    return text


def _dec_text(value: Decimal) -> str:
    """:func:`dec` without the memory. Most amounts print without an exponent and with few
    digits: their text is trimmed directly, which is several times faster than two Decimal
    operations and gives the same text (the tests compare both on many values); anything else
    goes through ``plain``."""
    text = str(value)
    # Fewer than 28 characters: fewer digits than the context's precision, so ``plain``'s
    # normalize() would not round.
    if len(text) < 28:
        head, dot, tail = text.partition(".")
        if (head.isdigit() or (head[:1] == "-" and head[1:].isdigit())) and (
            not dot or tail.isdigit()
        ):
            if not dot:
                return text
            tail = tail.rstrip("0")
            return f"{head}.{tail}" if tail else head
    return str(plain(value))


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_of(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def _party(p: Party) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if p.id:
        out["id"] = p.id
    if p.name:
        out["name"] = p.name
    if p.country:
        out["country"] = p.country
    return out


def _item(it: Item) -> dict[str, Any]:
    out: dict[str, Any] = {
        "hs_code": it.hs_code,
        "description": it.description,
        "origin_country": it.origin_country,
        "net_mass_kg": dec(it.net_mass_kg),
        "invoice_value": dec(it.invoice_value),
    }
    # Optional fields in this order, only when given (the order of the stored JSON text).
    if it.origin_indicator is not None:
        out["origin_indicator"] = it.origin_indicator
    if it.quantity is not None:
        out["quantity"] = dec(it.quantity)
    if it.unit is not None:
        out["unit"] = it.unit
    if it.gross_mass_kg is not None:
        out["gross_mass_kg"] = dec(it.gross_mass_kg)
    if it.preference is not None:
        out["preference"] = it.preference
    if it.declared_duty_rate is not None:
        out["declared_duty_rate"] = dec(it.declared_duty_rate)
    return out


def to_document(d: Declaration) -> dict[str, Any]:
    """The declaration in its JSON format (see docs/declarations.md)."""
    # Written out field by field (no getattr loops): bulk intake builds one per row. The key
    # order is part of the stored text: header, items, parties (PARTY_ROLES), dates,
    # countries, national.
    out: dict[str, Any] = {
        "reference": d.reference,
        "kind": str(d.kind),
        "office": d.office,
        "transport_mode": str(d.transport_mode),
        "invoice_currency": d.invoice_currency,
        "incoterm": d.incoterm,
        "freight": dec(d.freight),
        "insurance": dec(d.insurance),
        "items": [_item(it) for it in d.items],
    }
    out["declarant"] = _party(d.declarant)
    if d.importer is not None:
        out["importer"] = _party(d.importer)
    if d.exporter is not None:
        out["exporter"] = _party(d.exporter)
    if d.seller is not None:
        out["seller"] = _party(d.seller)
    if d.buyer is not None:
        out["buyer"] = _party(d.buyer)
    if d.courier is not None:
        out["courier"] = _party(d.courier)
    if d.date is not None:
        out["date"] = d.date.isoformat()
    if d.arrival_date is not None:
        out["arrival_date"] = d.arrival_date.isoformat()
    if d.departure_date is not None:
        out["departure_date"] = d.departure_date.isoformat()
    if d.departure_country:
        out["departure_country"] = d.departure_country
    if d.destination_country:
        out["destination_country"] = d.destination_country
    if d.national:
        out["national"] = dict(sorted(d.national.items()))
    return out


def document_hash(d: Declaration) -> str:
    return document_digest(to_document(d))


def document_digest(document: dict[str, Any]) -> str:
    """:func:`sha256_of` a document (:func:`to_document`'s output: text, lists and objects
    only), written by orjson: for such values its sorted compact UTF-8 is byte for byte
    ``canonical_json`` (a test checks it), in a fraction of the time. What orjson refuses
    (text that is not valid Unicode) goes the ``json`` way, which fails the same as before."""
    try:
        text = orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return sha256_of(document)
    return hashlib.sha256(text).hexdigest()


# --- assessments -------------------------------------------------------------------------------


def _fx_dict(r: FxRate) -> dict[str, Any]:
    return {
        "currency": r.currency,
        "month": r.month.isoformat(),
        "per_usd": dec(r.per_usd),
        "source_quote": r.source_quote,
    }


def _valuation_dict(v: ItemValuation) -> dict[str, Any]:
    return {
        "item": v.item,
        "invoice_value": dec(v.invoice_value),
        "freight": dec(v.freight),
        "insurance": dec(v.insurance),
        "cif": dec(v.cif),
        "customs_value": dec(v.customs_value),
    }


def _line_dict(ln: DutyLine) -> dict[str, Any]:
    return {
        "item": ln.item,
        "tax": ln.tax,
        "base": dec(ln.base),
        "base_unit": ln.base_unit,
        "rate": dec(ln.rate),
        "rate_unit": ln.rate_unit,
        "source": ln.source,
        "amount": dec(ln.amount),
    }


def _de_minimis_dict(m: DeMinimisCheck) -> dict[str, Any]:
    return {
        "threshold": dec(m.threshold),
        "threshold_currency": m.threshold_currency,
        "threshold_local": dec(m.threshold_local),
        "consignment_value": dec(m.consignment_value),
        "scope": m.scope,
        "applies": m.applies,
    }


def assessment_to_dict(a: DutyAssessment) -> dict[str, Any]:
    """The assessment as JSON: every field of the dataclasses in their order, decimals as
    text, dates ISO. Written out per type (bulk intake builds one per row: a generic walk over
    ``dataclasses.fields`` was most of its row-building time); ``assessment_from_dict`` reads
    it back, and a test checks that every field of each class is written."""
    return {
        "currency": a.currency,
        "invoice_currency": a.invoice_currency,
        "date": a.date.isoformat(),
        "rates_used": [_fx_dict(r) for r in a.rates_used],
        "valuation": [_valuation_dict(v) for v in a.valuation],
        "lines": [_line_dict(ln) for ln in a.lines],
        "de_minimis": None if a.de_minimis is None else _de_minimis_dict(a.de_minimis),
        "customs_value": dec(a.customs_value),
        "duty_total": dec(a.duty_total),
        "tax_total": dec(a.tax_total),
        "total": dec(a.total),
        "notes": list(a.notes),
        "complete": a.complete,
    }


def assessment_json(a: DutyAssessment) -> str:
    """``json.dumps(assessment_to_dict(a))``, the text the assessment column stores, written
    directly: no dictionaries, and the amounts (digits, sign, point, exponent: nothing JSON
    escapes) placed between quotes. Text goes through the encoder ``json.dumps`` uses
    (``encode_basestring_ascii``); a value of an unexpected type goes through ``json.dumps``
    itself. tests/declarations/test_document.py compares it with ``json.dumps`` on
    generated assessments."""
    return (
        f'{{"currency": {_s(a.currency)}, "invoice_currency": {_s(a.invoice_currency)}, '
        f'"date": {_day(a.date)}, "rates_used": [{", ".join(map(_fx_json, a.rates_used))}], '
        f'"valuation": [{", ".join(map(_valuation_json, a.valuation))}], '
        f'"lines": [{", ".join(map(_line_json, a.lines))}], '
        f'"de_minimis": {_de_minimis_json(a.de_minimis)}, '
        f'"customs_value": "{dec(a.customs_value)}", "duty_total": "{dec(a.duty_total)}", '
        f'"tax_total": "{dec(a.tax_total)}", "total": "{dec(a.total)}", '
        f'"notes": {_texts(a.notes)}, "complete": {_b(a.complete)}}}'
    )


def _s(value: Any) -> str:
    return encode_basestring_ascii(value) if type(value) is str else json.dumps(value)


def _i(value: Any) -> str:
    return int.__repr__(value) if type(value) is int else json.dumps(value)


def _b(value: Any) -> str:
    return "true" if value is True else "false" if value is False else json.dumps(value)


def _day(value: Any) -> str:
    return f'"{value.isoformat()}"' if type(value) is date else json.dumps(value.isoformat())


def _texts(values: Any) -> str:
    return "[]" if type(values) is list and not values else json.dumps(list(values))


def _fx_json(r: FxRate) -> str:
    return (
        f'{{"currency": {_s(r.currency)}, "month": {_day(r.month)}, '
        f'"per_usd": "{dec(r.per_usd)}", "source_quote": {_s(r.source_quote)}}}'
    )


def _valuation_json(v: ItemValuation) -> str:
    return (
        f'{{"item": {_i(v.item)}, "invoice_value": "{dec(v.invoice_value)}", '
        f'"freight": "{dec(v.freight)}", "insurance": "{dec(v.insurance)}", '
        f'"cif": "{dec(v.cif)}", "customs_value": "{dec(v.customs_value)}"}}'
    )


def _line_json(ln: DutyLine) -> str:
    return (
        f'{{"item": {_i(ln.item)}, "tax": {_s(ln.tax)}, "base": "{dec(ln.base)}", '
        f'"base_unit": {_s(ln.base_unit)}, "rate": "{dec(ln.rate)}", '
        f'"rate_unit": {_s(ln.rate_unit)}, "source": {_s(ln.source)}, '
        f'"amount": "{dec(ln.amount)}"}}'
    )


def _de_minimis_json(m: DeMinimisCheck | None) -> str:
    if m is None:
        return "null"
    return (
        f'{{"threshold": "{dec(m.threshold)}", "threshold_currency": {_s(m.threshold_currency)}, '
        f'"threshold_local": "{dec(m.threshold_local)}", '
        f'"consignment_value": "{dec(m.consignment_value)}", "scope": {_s(m.scope)}, '
        f'"applies": {_b(m.applies)}}}'
    )


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
