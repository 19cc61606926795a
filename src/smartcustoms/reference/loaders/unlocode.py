"""UN/LOCODE code list (UNECE 2018-1, full list as one CSV: no header, 12 columns).

Columns: Change, Country, Location, Name, NameWoDiacritics, Subdivision, Function, Status,
Date, IATA, Coordinates, Remarks. Rows without a location code are country headings
(".ANDORRA") or "=" cross-references between names; both are skipped. The file is nominally
Latin-1; the copy in circulation is UTF-8, so UTF-8 is tried first.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from smartcustoms.reference.loaders.common import BadFile, fold, read_text

FUNCTIONS: dict[str, str] = {
    "0": "not officially functional",
    "1": "port",
    "2": "rail terminal",
    "3": "road terminal",
    "4": "airport",
    "5": "postal exchange office",
    "6": "multimodal (inland clearance depot)",
    "7": "fixed transport (pipeline, cable)",
    "8": "inland water transport",
    "A": "special economic zone",
    "B": "border crossing",
}
_COUNTRY = re.compile(r"[A-Z]{2}")
_PLACE = re.compile(r"[A-Z0-9]{3}")


def function_names(functions: str) -> list[str]:
    return [FUNCTIONS[c] for c in functions if c in FUNCTIONS]


def parse(path: Path) -> Iterator[dict[str, object]]:
    """Location rows with a running ``id``; raises BadFile at the first malformed line."""
    text = read_text(path, ("utf-8-sig", "latin-1"))
    next_id = 1
    for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row:
            continue
        if len(row) != 12:
            raise BadFile(path, f"expected 12 columns, got {len(row)}", line)
        (
            change,
            country,
            place,
            name,
            name_ascii,
            subdivision,
            functions,
            status,
            _date,
            iata,
            coordinates,
            _remarks,
        ) = (cell.strip() for cell in row)
        if not place or change == "=":
            continue
        if not _COUNTRY.fullmatch(country) or not _PLACE.fullmatch(place):
            raise BadFile(path, f"{country}{place!r} is not a UN/LOCODE (2 letters + 3)", line)
        if not name:
            raise BadFile(path, f"{country}{place} has no name", line)
        ascii_name = name_ascii or fold(name)
        yield {
            "id": next_id,
            "code": country + place,
            "country": country,
            "name": name[:120],
            "name_ascii": ascii_name[:120],
            "name_key": fold(ascii_name)[:120],
            "subdivision": subdivision or None,
            "functions": functions[:8],
            "status": status or None,
            "iata": iata or None,
            "coordinates": coordinates or None,
            "change": change or None,
        }
        next_id += 1
