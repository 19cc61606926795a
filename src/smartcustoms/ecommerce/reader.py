"""Manifests in: NDJSON (one parcel per line), a JSON array, or CSV with one row per item.

Everything becomes ``(line, parcel dict)`` in the canonical NDJSON shape (see docs/ecommerce.md);
a line that cannot be read becomes ``(line, BadParcel)``. CSV columns are mapped by a profile:
``flat`` (the canonical names), ``h7`` (an EU H7-like flat file: one row per item, intrinsic
value per item) and ``ceb621`` (a China CEB621-like inventory list with customs numeric
currency and country codes). Rows of one parcel follow each other and share the waybill.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from smartcustoms.ecommerce.model import BadParcel

__all__ = ["PROFILES", "Profile", "Source", "detect_format", "digest", "read_manifest"]

Record = tuple[int, dict[str, Any] | BadParcel]


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    title: str
    columns: dict[str, str]
    """canonical field -> CSV column"""
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    """canonical field -> {file code: canonical code}"""
    item_value: bool = False
    """True: the file gives each item's total value, not its unit price."""


_CANONICAL = (
    "waybill",
    "order_no",
    "platform",
    "carrier",
    "seller",
    "buyer_id",
    "buyer_name",
    "buyer_region",
    "consignee_address",
    "currency",
    "freight",
    "insurance",
    "gross_weight",
    "vendor_tax_id",
    "tax_collected",
    "item_description",
    "item_hs_code",
    "item_quantity",
    "item_unit_price",
    "item_currency",
    "item_origin",
)
_CEB_COUNTRY = {
    "142": "CN",
    "502": "US",
    "116": "JP",
    "133": "KR",
    "303": "GB",
    "304": "DE",
    "141": "VN",
    "110": "HK",
    "132": "SG",
    "601": "AU",
}
_CEB_CURRENCY = {
    "142": "CNY",
    "502": "USD",
    "116": "JPY",
    "133": "KRW",
    "300": "EUR",
    "303": "GBP",
    "110": "HKD",
    "601": "AUD",
}

PROFILES: dict[str, Profile] = {
    "flat": Profile("flat", "canonical column names", {c: c for c in _CANONICAL}),
    "h7": Profile(
        "h7",
        "EU H7-like low-value consignment list (one row per goods item)",
        {
            "waybill": "transport_document",
            "order_no": "ucr",
            "platform": "platform",
            "carrier": "declarant",
            "seller": "seller",
            "buyer_id": "buyer_id",
            "buyer_name": "consignee_name",
            "buyer_region": "consignee_region",
            "consignee_address": "consignee_address",
            "currency": "invoice_currency",
            "freight": "transport_costs",
            "insurance": "insurance_costs",
            "gross_weight": "gross_mass",
            "vendor_tax_id": "additional_fiscal_reference",
            "tax_collected": "vat_collected",
            "item_description": "description_of_goods",
            "item_hs_code": "commodity_code",
            "item_quantity": "number_of_items",
            "item_unit_price": "intrinsic_value",
            "item_currency": "invoice_currency",
            "item_origin": "country_of_dispatch",
        },
        item_value=True,
    ),
    "ceb621": Profile(
        "ceb621",
        "China CEB621-like import inventory list (one row per goods line)",
        {
            "waybill": "logisticsNo",
            "order_no": "orderNo",
            "platform": "ebpCode",
            "carrier": "logisticsCode",
            "seller": "ebcCode",
            "buyer_id": "buyerIdNumber",
            "buyer_name": "buyerName",
            "buyer_region": "areaCode",
            "consignee_address": "consigneeAddress",
            "currency": "currency",
            "freight": "freight",
            "insurance": "insuredFee",
            "gross_weight": "grossWeight",
            "item_description": "itemName",
            "item_hs_code": "gcode",
            "item_quantity": "qty",
            "item_unit_price": "price",
            "item_currency": "currency",
            "item_origin": "country",
        },
        codes={
            "currency": _CEB_CURRENCY,
            "item_currency": _CEB_CURRENCY,
            "item_origin": _CEB_COUNTRY,
        },
    ),
}


def detect_format(name: str, head: bytes) -> str:
    lowered = name.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".ndjson", ".jsonl")):
        return "ndjson"
    stripped = head.lstrip()
    if stripped.startswith(b"["):
        return "json"
    return "ndjson"


Source = bytes | Path


def read_manifest(source: Source, fmt: str = "ndjson", profile: str = "flat") -> Iterator[Record]:
    """Parcels of a manifest in bytes or in a file (NDJSON files are read line by line)."""
    if fmt == "ndjson":
        if isinstance(source, Path):
            with source.open("rb") as fh:
                yield from _ndjson(fh)
        else:
            yield from _ndjson(source.splitlines())
        return
    data = source.read_bytes() if isinstance(source, Path) else source
    if fmt == "json":
        yield from _json_array(data)
    elif fmt == "csv":
        if profile not in PROFILES:
            yield (
                0,
                BadParcel(
                    0,
                    "",
                    "profile",
                    f"unknown profile {profile!r}; known: " + ", ".join(sorted(PROFILES)),
                ),
            )
            return
        yield from _csv(data, PROFILES[profile])
    else:
        yield 0, BadParcel(0, "", "format", f"unknown format {fmt!r}: ndjson, json or csv")


def _ndjson(lines: Iterable[bytes]) -> Iterator[Record]:
    for no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield no, BadParcel(no, "", "line", f"not valid JSON: {exc}")
            continue
        if not isinstance(value, dict):
            yield no, BadParcel(no, "", "line", "each line must be one JSON object (a parcel)")
            continue
        yield no, value


def _json_array(data: bytes) -> Iterator[Record]:
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        yield 1, BadParcel(1, "", "document", f"not valid JSON: {exc}")
        return
    if isinstance(value, dict) and isinstance(value.get("parcels"), list):
        value = value["parcels"]
    if not isinstance(value, list):
        yield 1, BadParcel(1, "", "document", "expected a JSON array of parcels")
        return
    for no, parcel in enumerate(value, start=1):
        if isinstance(parcel, dict):
            yield no, parcel
        else:
            yield no, BadParcel(no, "", f"[{no - 1}]", "each parcel must be a JSON object")


def _number(text: str) -> Any:
    text = text.strip()
    if text == "":
        return None
    try:
        return float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        return text  # the engine reports it as not a number


def _csv(data: bytes, profile: Profile) -> Iterator[Record]:
    text = data.decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    header = set(reader.fieldnames or [])
    needed = ("waybill", "item_description", "item_quantity", "item_unit_price")
    missing = [profile.columns[f] for f in needed if profile.columns[f] not in header]
    if missing:
        yield 1, BadParcel(1, "", "header", "missing column(s): " + ", ".join(missing))
        return
    current: dict[str, Any] | None = None
    start = 0
    for no, row in enumerate(reader, start=2):
        flat = {f: (row.get(c) or "").strip() for f, c in profile.columns.items() if c in header}
        for f, table in profile.codes.items():
            if flat.get(f):
                flat[f] = table.get(flat[f], flat[f])
        if current is None or flat.get("waybill") != current["waybill"]:
            if current is not None:
                yield start, current
            current = _parcel_of(flat)
            start = no
        current["items"].append(_item_of(flat, profile))
    if current is not None:
        yield start, current


def _parcel_of(flat: dict[str, str]) -> dict[str, Any]:
    parcel: dict[str, Any] = {
        k: flat.get(k, "")
        for k in (
            "waybill",
            "order_no",
            "platform",
            "carrier",
            "seller",
            "consignee_address",
            "currency",
            "vendor_tax_id",
        )
    }
    parcel["buyer"] = {
        "id": flat.get("buyer_id", ""),
        "name": flat.get("buyer_name", ""),
        "region": flat.get("buyer_region", ""),
    }
    for k in ("freight", "insurance", "gross_weight", "tax_collected"):
        parcel[k] = _number(flat.get(k, ""))
    parcel["items"] = []
    return parcel


def _item_of(flat: dict[str, str], profile: Profile) -> dict[str, Any]:
    qty = _number(flat.get("item_quantity", ""))
    price = _number(flat.get("item_unit_price", ""))
    if (
        profile.item_value
        and isinstance(qty, int | float)
        and isinstance(price, int | float)
        and qty
    ):
        price = round(price / qty, 4)
    return {
        "description": flat.get("item_description", ""),
        "hs_code": flat.get("item_hs_code", "")[:6]
        if profile.name == "ceb621"
        else flat.get("item_hs_code", ""),
        "quantity": qty,
        "unit_price": price,
        "currency": flat.get("item_currency") or flat.get("currency", ""),
        "origin": flat.get("item_origin", ""),
    }


def iter_chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for rec in records:
        chunk.append(rec)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def digest(source: Source) -> tuple[str, int, bytes]:
    """(SHA-256, number of lines, first bytes) of a manifest, reading a file in blocks."""
    h = hashlib.sha256()
    lines = 0
    last = b"\n"
    head = b""
    blocks = _blocks(source)
    for block in blocks:
        if not head:
            head = block[:64]
        h.update(block)
        lines += block.count(b"\n")
        last = block[-1:] or last
    if last != b"\n":
        lines += 1
    return h.hexdigest(), lines, head


def _blocks(source: Source) -> Iterator[bytes]:
    if isinstance(source, Path):
        with source.open("rb") as fh:
            while block := fh.read(1 << 20):
                yield block
    else:
        for start in range(0, len(source), 1 << 20):
            yield source[start : start + (1 << 20)]
