"""The tariff CSV format: read it with every problem reported at once, and write it.

Columns (header row required, order free, names case-insensitive)::

    hs_prefix        2 to 10 digits (dots and spaces ignored): 39, 3926, 392690, 3926909000
    rate_type        MFN, A, FCN1, ...: the code traders claim (``default_rate_type`` is general)
    ad_valorem       percent of the customs value, e.g. 6.5 (empty = 0)
    specific_amount  amount in the economy's currency per specific_unit (optional)
    specific_unit    kg (net mass) or unit (quantity); required with specific_amount
    origins          ISO country codes separated by spaces or ';' (empty = any origin)
    description      free text (optional)

Paths in errors are ``rows[N].column`` where N is the line number in the file (header = 1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from smartcustoms.core.codes import is_country
from smartcustoms.errors import FieldError, InvalidInput
from smartcustoms.tariff.model import MAX_PREFIX, MIN_PREFIX, SpecificUnit, TariffLine

COLUMNS = (
    "hs_prefix",
    "rate_type",
    "ad_valorem",
    "specific_amount",
    "specific_unit",
    "origins",
    "description",
)
REQUIRED = ("hs_prefix", "rate_type")


def _decimal(text: str, path: str, errors: list[FieldError]) -> Decimal | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors.append(FieldError(path, "not_a_number", f"'{text}' is not a number"))
        return None
    if not value.is_finite() or value < 0:
        errors.append(FieldError(path, "negative", f"'{text}' must be zero or more"))
        return None
    return value


def parse_csv(text: str) -> list[TariffLine]:
    """Parse a tariff CSV; raises :class:`InvalidInput` listing every bad cell."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InvalidInput(
            [
                FieldError("header", "missing_column", f"the CSV needs a '{c}' column")
                for c in missing
            ]
        )
    errors: list[FieldError] = []
    lines: list[TariffLine] = []
    seen: dict[tuple[str, str], int] = {}
    for number, raw in enumerate(reader, start=2):
        row = {str(k).strip().lower(): (v or "") for k, v in raw.items() if k is not None}
        line = _line(row, f"rows[{number}]", errors)
        if line is None:
            continue
        key = (line.rate_type, line.hs_prefix)
        if key in seen:
            errors.append(
                FieldError(
                    f"rows[{number}].hs_prefix",
                    "duplicate",
                    f"{line.rate_type} {line.hs_prefix} is already on line {seen[key]}",
                )
            )
            continue
        seen[key] = number
        lines.append(line)
    if errors:
        raise InvalidInput(errors)
    return lines


def _line(row: dict[str, str], base: str, errors: list[FieldError]) -> TariffLine | None:
    before = len(errors)
    prefix = row.get("hs_prefix", "").replace(".", "").replace(" ", "")
    if not (prefix.isdigit() and MIN_PREFIX <= len(prefix) <= MAX_PREFIX):
        errors.append(
            FieldError(
                f"{base}.hs_prefix",
                "invalid_hs_prefix",
                f"'{prefix}' must be {MIN_PREFIX} to {MAX_PREFIX} digits",
            )
        )
    rate_type = row.get("rate_type", "").strip().upper()
    if not rate_type or len(rate_type) > 12:
        errors.append(
            FieldError(
                f"{base}.rate_type",
                "required",
                "give a rate type of at most 12 characters (e.g. MFN)",
            )
        )
    ad_valorem = _decimal(row.get("ad_valorem", ""), f"{base}.ad_valorem", errors)
    specific = _decimal(row.get("specific_amount", ""), f"{base}.specific_amount", errors)
    unit_text = row.get("specific_unit", "").strip().lower()
    unit: SpecificUnit | None = None
    if unit_text:
        try:
            unit = SpecificUnit(unit_text)
        except ValueError:
            errors.append(
                FieldError(
                    f"{base}.specific_unit", "invalid_unit", f"'{unit_text}' must be 'kg' or 'unit'"
                )
            )
    if specific is not None and unit is None and not unit_text:
        errors.append(
            FieldError(
                f"{base}.specific_unit", "required", "a specific amount needs its unit: kg or unit"
            )
        )
    origins = frozenset(o.upper() for o in row.get("origins", "").replace(";", " ").split())
    for origin in sorted(o for o in origins if not is_country(o)):
        errors.append(
            FieldError(
                f"{base}.origins", "unknown_country", f"'{origin}' is not an ISO 3166 country code"
            )
        )
    if len(errors) > before:
        return None
    return TariffLine(
        hs_prefix=prefix,
        rate_type=rate_type,
        ad_valorem=ad_valorem or Decimal(0),
        specific_amount=specific,
        specific_unit=unit if specific is not None else None,
        origins=origins,
        description=row.get("description", "").strip(),
    )


def write_csv(lines: Iterable[TariffLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for ln in lines:
        writer.writerow(
            [
                ln.hs_prefix,
                ln.rate_type,
                ln.ad_valorem,
                "" if ln.specific_amount is None else ln.specific_amount,
                ln.specific_unit.value if ln.specific_unit else "",
                " ".join(sorted(ln.origins)),
                ln.description,
            ]
        )
    return out.getvalue()
