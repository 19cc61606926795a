"""Read a declaration document and report every problem at once, with its JSON path.

:func:`read_document` is pure (no database): structure, types, codes, ranges and cross-field
rules. :func:`check_hs_codes` adds the nomenclature check, given the set of known subheadings.
Problems are :class:`FieldError` s; ``errors`` block lodging, ``warnings`` are shown to the
declarant but do not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from smartcustoms.core.codes import is_currency
from smartcustoms.core.limits import Limits, shape_problems
from smartcustoms.declarations.intake.reader import STRICT, Policy, Reader
from smartcustoms.declarations.model import (
    INCOTERMS,
    MAX_ITEMS,
    Declaration,
    Item,
    Kind,
    Party,
    TransportMode,
)
from smartcustoms.errors import FieldError

E = TypeVar("E")

EARLIEST_DATE = date(1988, 1, 1)  # the Harmonized System came into force
HS_2022_FROM = date(2022, 1, 1)
ARRIVAL_BEFORE = timedelta(days=365)
ARRIVAL_AFTER = timedelta(days=90)
# Chapter 77 is reserved; 98 and 99 are for national use, never on an international declaration.
HS_CHAPTERS = frozenset(f"{n:02d}" for n in range(1, 98) if n != 77)
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._:/\-]{0,63}$")
MAX_DECIMAL = Decimal("1e15")

HEADER_FIELDS = frozenset(
    {
        "reference",
        "kind",
        "date",
        "office",
        "transport_mode",
        "invoice_currency",
        "incoterm",
        "freight",
        "insurance",
        "declarant",
        "importer",
        "exporter",
        "seller",
        "buyer",
        "courier",
        "departure_country",
        "destination_country",
        "arrival_date",
        "departure_date",
        "national",
        "items",
    }
)
ITEM_FIELDS = frozenset(
    {
        "hs_code",
        "description",
        "origin_country",
        "origin_indicator",
        "quantity",
        "unit",
        "net_mass_kg",
        "gross_mass_kg",
        "invoice_value",
        "preference",
        "declared_duty_rate",
    }
)


MAX_NATIONAL = 100
# A declaration is shallow: header, parties, items and their fields. Far larger is an attack.
DOCUMENT_LIMITS = Limits(max_keys=200, max_items=MAX_ITEMS, max_depth=8)


def read_document(
    raw: Any, *, economy: str, today: date, policy: Policy = STRICT
) -> tuple[Declaration | None, list[FieldError], list[FieldError]]:
    """Parse ``raw`` (decoded JSON) into a :class:`Declaration`.

    Returns ``(declaration or None, errors, warnings)``; the declaration is None whenever there
    is at least one error, so nothing half-checked can be stored.
    """
    r = Reader(policy)
    if not _is_mapping(raw):
        r.err("$", "not_an_object", "a declaration is a JSON object")
        return None, r.errors, r.warnings
    too_big = shape_problems(raw, DOCUMENT_LIMITS)
    if too_big:
        return None, too_big, r.warnings
    for key in sorted(set(raw) - HEADER_FIELDS):
        r.warn(str(key), "unknown_field", f"'{key}' is not a declaration field; it is ignored")
    kind = r.choice(raw, "kind", "kind", _kind, _KINDS)
    reference = r.text(raw, "reference", "reference", max_len=64)
    if reference is not None and not _REFERENCE.match(reference):
        r.err("reference", "invalid_reference", "use letters, digits, space and . _ : / -")
    lodged = r.day(raw, "date", "date")
    if lodged is not None and lodged > today:
        r.err("date", "in_future", f"the declaration date {lodged} is after today ({today})")
    if lodged is not None and lodged < EARLIEST_DATE:
        r.err("date", "too_old", f"the declaration date must be on or after {EARLIEST_DATE}")
    office = r.text(raw, "office", "office", max_len=20)
    mode = r.choice(
        raw,
        "transport_mode",
        "transport_mode",
        _transport_mode,
        _TRANSPORT_MODES,
    )
    currency = r.text(raw, "invoice_currency", "invoice_currency", max_len=3)
    if currency is not None and not is_currency(currency):
        r.err(
            "invoice_currency",
            "unknown_currency",
            f"'{currency}' is not an ISO 4217 currency code (e.g. USD, EUR, KRW)",
        )
        currency = None
    incoterm = r.choice(raw, "incoterm", "incoterm", _incoterm, INCOTERMS)
    freight = r.number(raw, "freight", "freight", required=False) or Decimal(0)
    insurance = r.number(raw, "insurance", "insurance", required=False) or Decimal(0)
    parties = {
        role: _party(r, raw, role)
        for role in ("declarant", "importer", "exporter", "seller", "buyer", "courier")
    }
    if raw.get("declarant") is None:
        r.err("declarant", "required", "say who declares (declarant.id)")
    departure = r.country(raw, "departure_country", "departure_country")
    destination = r.country(raw, "destination_country", "destination_country")
    arrival = r.day(raw, "arrival_date", "arrival_date")
    departure_date = r.day(raw, "departure_date", "departure_date")
    when = lodged or today
    if kind is Kind.IMPORT:
        if raw.get("importer") is None:
            r.err("importer", "required", "an import declaration names the importer")
        if departure == economy:
            r.warn(
                "departure_country",
                "departs_from_destination",
                f"the goods depart from {economy}, the economy they are imported into",
            )
        if destination is not None and destination != economy:
            r.err(
                "destination_country",
                "wrong_destination",
                f"an import into {economy} has {economy} as its destination",
            )
        _window(r, arrival, when, "arrival_date")
    elif kind is Kind.EXPORT:
        if raw.get("exporter") is None:
            r.err("exporter", "required", "an export declaration names the exporter")
        if raw.get("destination_country") is None:
            r.err("destination_country", "required", "an export names its destination country")
        elif destination == economy:
            r.err(
                "destination_country",
                "same_as_origin",
                f"goods exported from {economy} cannot be destined for {economy}",
            )
        if arrival is not None:
            r.err("arrival_date", "not_for_export", "an export has a departure_date instead")
        _window(r, departure_date, when, "departure_date")
    national = _national(r, raw.get("national"))
    items = _items(r, raw.get("items"), kind, economy)
    if r.errors:
        return None, r.errors, r.warnings
    assert kind and reference and office and mode and currency and incoterm and items
    declarant = parties["declarant"]
    assert declarant is not None
    return (
        Declaration(
            reference=reference,
            kind=kind,
            date=lodged,
            office=office,
            transport_mode=mode,
            declarant=declarant,
            importer=parties["importer"],
            exporter=parties["exporter"],
            seller=parties["seller"],
            buyer=parties["buyer"],
            courier=parties["courier"],
            invoice_currency=currency.upper(),
            incoterm=incoterm,
            freight=freight,
            insurance=insurance,
            departure_country=departure,
            destination_country=destination,
            arrival_date=arrival,
            departure_date=departure_date,
            national=national,
            items=tuple(items),
        ),
        r.errors,
        r.warnings,
    )


_KINDS = [k.value for k in Kind]
_TRANSPORT_MODES = [m.value for m in TransportMode]
_KIND_OF = {k.value: k for k in Kind}
_TRANSPORT_MODE_OF = {m.value: m for m in TransportMode}


def _is_mapping(value: Any) -> bool:
    # A decoded JSON object is a dict: decided without the (slow) ABC check.
    return type(value) is dict or isinstance(value, Mapping)


def _kind(text: str) -> Kind:
    found = _KIND_OF.get(text.lower())  # Kind(text.lower()), without the enum call
    if found is None:
        raise ValueError(text)
    return found


def _transport_mode(text: str) -> TransportMode:
    found = _TRANSPORT_MODE_OF.get(text.lower())
    if found is None:
        raise ValueError(text)
    return found


def _incoterm(text: str) -> str:
    code = text.upper()
    if code not in INCOTERMS:
        raise ValueError(code)
    return code


def _window(r: Reader, value: date | None, when: date, key: str) -> None:
    if value is None:
        return
    if value < when - ARRIVAL_BEFORE or value > when + ARRIVAL_AFTER:
        r.err(
            key,
            "out_of_range",
            f"{key.replace('_', ' ')} {value} must lie between "
            f"{when - ARRIVAL_BEFORE} and {when + ARRIVAL_AFTER} (the declaration date "
            f"{when}, 365 days before to 90 days after)",
        )


def _party(r: Reader, raw: Mapping[str, Any], role: str) -> Party | None:
    value = raw.get(role)
    if value is None:
        return None
    if not _is_mapping(value):
        r.err(role, "not_an_object", f"{role} is an object with id, name and country")
        return None
    ident = r.text(value, "id", f"{role}.id", max_len=64)
    name = r.text(value, "name", f"{role}.name", required=False)
    country = r.country(value, "country", f"{role}.country")
    return None if ident is None else Party(ident, name, country)


def _national(r: Reader, value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not _is_mapping(value):
        r.err("national", "not_an_object", "national is an object of code: value pairs")
        return {}
    if len(value) > MAX_NATIONAL:
        r.err(
            "national",
            "too_many_keys",
            f"national has at most {MAX_NATIONAL} elements ({len(value)} given)",
        )
        return {}
    out = {}
    for key, item in value.items():
        if item is None or item == "":
            continue
        if isinstance(item, (dict, list)) or len(str(key)) > 40 or len(str(item)) > 200:
            r.err(f"national.{key}", "invalid", "national elements are short texts")
            continue
        out[str(key)] = str(item)
    return out


def _items(r: Reader, value: Any, kind: Kind | None, economy: str) -> list[Item]:
    if value is None:
        r.err("items", "required", "a declaration has at least one item")
        return []
    if not isinstance(value, list):
        r.err("items", "not_a_list", "items is a list of goods lines")
        return []
    if not 1 <= len(value) <= MAX_ITEMS:
        r.err(
            "items", "item_count", f"a declaration has 1 to {MAX_ITEMS} items ({len(value)} given)"
        )
        return []
    items: list[Item] = []
    seen: dict[tuple[Any, ...], int] = {}
    for i, raw in enumerate(value):
        item = _item(r, raw, f"items[{i}]", kind, economy)
        if item is None:
            continue
        key = (
            item.hs_code,
            item.description.lower(),
            item.origin_country,
            item.preference,
            item.invoice_value,
            item.net_mass_kg,
            item.quantity,
        )
        if key in seen:
            r.err(
                f"items[{i}]",
                "duplicate_item",
                f"this line repeats items[{seen[key]}]; merge them or tell them apart",
            )
        seen.setdefault(key, i)
        items.append(item)
    return items


def normalise_hs(text: str) -> str:
    return text.replace(".", "").replace(" ", "")


def _item(r: Reader, raw: Any, base: str, kind: Kind | None, economy: str) -> Item | None:
    if not _is_mapping(raw):
        r.err(base, "not_an_object", "each item is an object")
        return None
    before = len(r.errors)
    for key in sorted(set(raw) - ITEM_FIELDS):
        r.warn(f"{base}.{key}", "unknown_field", f"'{key}' is not an item field; it is ignored")
    hs_text = r.text(raw, "hs_code", f"{base}.hs_code", max_len=16)
    hs = normalise_hs(hs_text) if hs_text else None
    if hs is not None and not (hs.isdigit() and 6 <= len(hs) <= 10):
        r.err(
            f"{base}.hs_code",
            "invalid_hs_code",
            f"'{hs_text}' is not an HS code: 6 digits, optionally a national extension up "
            "to 10 digits (e.g. 392690 or 3926909000)",
        )
    elif hs is not None and hs[:2] not in HS_CHAPTERS:
        r.err(
            f"{base}.hs_code",
            "unknown_hs_code",
            f"'{hs_text}': chapter {hs[:2]} does not exist in the Harmonized System",
        )
    description = r.text(raw, "description", f"{base}.description", max_len=512)
    origin = r.country(raw, "origin_country", f"{base}.origin_country", required=True)
    if kind is Kind.IMPORT and origin == economy:
        r.warn(
            f"{base}.origin_country",
            "reimport",
            f"origin {economy} is the importing economy itself (a re-import?)",
        )
    indicator = r.text(
        raw, "origin_indicator", f"{base}.origin_indicator", required=False, max_len=4
    )
    p = r.policy
    net = r.number(
        raw, "net_mass_kg", f"{base}.net_mass_kg", positive=True, allow_zero=p.allow_zero_mass
    )
    gross = r.number(raw, "gross_mass_kg", f"{base}.gross_mass_kg", required=False, positive=True)
    if net is not None and gross is not None and net > gross:
        r.err(
            f"{base}.net_mass_kg",
            "net_above_gross",
            f"net mass {net} kg is more than gross mass {gross} kg",
        )
    value = r.number(
        raw, "invoice_value", f"{base}.invoice_value", positive=True, allow_zero=p.allow_zero_value
    )
    quantity = r.number(raw, "quantity", f"{base}.quantity", required=False, positive=True)
    unit = r.text(raw, "unit", f"{base}.unit", required=False, max_len=8)
    if quantity is not None and unit is None:
        r.err(f"{base}.unit", "required", "a quantity needs its unit (e.g. PCE, LTR, PR)")
    preference = r.text(raw, "preference", f"{base}.preference", required=False, max_len=12)
    rate = r.number(raw, "declared_duty_rate", f"{base}.declared_duty_rate", required=False)
    if rate is not None and rate > 1000:
        r.err(f"{base}.declared_duty_rate", "out_of_range", "a duty rate is at most 1000 %")
    if len(r.errors) > before:
        return None
    assert hs and description and origin and net is not None and value is not None
    return Item(
        hs_code=hs,
        description=description,
        origin_country=origin,
        net_mass_kg=net,
        invoice_value=value,
        origin_indicator=indicator,
        quantity=quantity,
        unit=unit.upper() if unit else None,
        gross_mass_kg=gross,
        preference=preference.upper() if preference else None,
        declared_duty_rate=rate,
    )


def check_hs_codes(
    declaration: Declaration,
    known: set[str],
    suggest: Callable[[str], list[str]],
    on: date,
    earlier: Callable[[str], str | None] = lambda _code: None,
) -> tuple[list[FieldError], list[FieldError]]:
    """Check every item's subheading: one rule, the same as the HS pages (issue 8).

    Valid is an HS 2022 subheading. A subheading of an earlier edition (``earlier`` names it)
    is accepted with a warning on a declaration dated before HS 2022 took effect, and only
    then; any other code is an error, with the nearest valid codes.
    """
    return check_hs_list(
        [(f"items[{i}].hs_code", it.hs_code) for i, it in enumerate(declaration.items)],
        known,
        suggest,
        on,
        earlier,
    )


def check_hs_list(
    codes: list[tuple[str, str]],
    known: set[str],
    suggest: Callable[[str], list[str]],
    on: date,
    earlier: Callable[[str], str | None] = lambda _code: None,
) -> tuple[list[FieldError], list[FieldError]]:
    """:func:`check_hs_codes` on (path, code) pairs."""
    errors: list[FieldError] = []
    warnings: list[FieldError] = []
    for path, code in codes:
        hs6 = code[:6]
        if hs6 in known:
            continue
        edition = earlier(hs6)
        if edition and on < HS_2022_FROM:
            warnings.append(
                FieldError(
                    path,
                    "hs_edition",
                    f"{hs6} is an {edition} subheading that HS 2022 replaced; accepted because "
                    f"the declaration is dated before {HS_2022_FROM.isoformat()}",
                )
            )
            continue
        nearest = suggest(hs6)
        hint = f"; did you mean {', '.join(nearest)}?" if nearest else ""
        if edition:
            errors.append(
                FieldError(
                    path,
                    "hs_edition_ended",
                    f"{hs6} is an {edition} subheading, replaced in HS 2022 (in force from "
                    f"{HS_2022_FROM.isoformat()}){hint}",
                )
            )
            continue
        errors.append(
            FieldError(path, "unknown_hs_code", f"{hs6} is not an HS 2022 subheading{hint}")
        )
    return errors, warnings
