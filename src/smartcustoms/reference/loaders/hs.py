"""HS 2022 nomenclature from datasets/harmonized-system (harmonized-system.csv, sections.csv).

``harmonized-system.csv`` columns: section, hscode, description, parent, level. Chapters have
parent ``TOTAL``; one row with hscode ``TOTAL`` (level 5) is the grand total and is skipped;
chapter 99 (section ``TOTAL``: "commodities not specified according to kind", 99 / 9999 /
999999) is a trade-statistics code, not part of the HS: it is skipped too, so no page shows a
code that declarations reject.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from smartcustoms.reference.loaders.common import BadFile, read_text
from smartcustoms.reference.model import format_hs

_CODE_FOR_LEVEL = {2: re.compile(r"\d{2}"), 4: re.compile(r"\d{4}"), 6: re.compile(r"\d{6}")}
_ROMAN = re.compile(r"[IVXL]+")

# Trade words people search with that the legal texts do not use. Added to the indexed body
# of every code whose description holds the key, so search needs no query rewriting.
SYNONYMS: dict[str, str] = {
    "accumulator": "battery batteries rechargeable",
    "primary cells": "battery batteries",
    "photovoltaic": "solar panel",
    "motor cars": "car automobile",
    "automatic data processing": "computer laptop",
    "telephones for cellular": "mobile phone smartphone",
    "light-emitting diode": "LED",
    "footwear": "shoes",
    "spectacles": "glasses",
}


@dataclass(frozen=True, slots=True)
class HsData:
    sections: list[dict[str, object]]
    codes: list[dict[str, object]]
    documents: list[tuple[str, str, str]]
    """Full-text documents: (code, title, body)."""


def parse(hs_csv: Path, sections_csv: Path) -> HsData:
    sections = _parse_sections(sections_csv)
    known_sections = {str(s["roman"]) for s in sections}
    codes: list[dict[str, object]] = []
    seen: dict[str, dict[str, object]] = {}
    reader = csv.DictReader(io.StringIO(read_text(hs_csv)))
    expected = {"section", "hscode", "description", "parent", "level"}
    if not reader.fieldnames or not expected <= set(reader.fieldnames):
        raise BadFile(hs_csv, f"expected the columns {sorted(expected)}, got {reader.fieldnames}")
    for line, row in enumerate(reader, start=2):
        code = (row["hscode"] or "").strip()
        if code == "TOTAL" or (row["section"] or "").strip() == "TOTAL":
            continue
        try:
            level = int(row["level"])
        except (TypeError, ValueError):
            raise BadFile(hs_csv, f"level {row['level']!r} is not 2, 4 or 6", line) from None
        pattern = _CODE_FOR_LEVEL.get(level)
        if pattern is None or not pattern.fullmatch(code):
            raise BadFile(hs_csv, f"code {code!r} does not fit level {level}", line)
        description = (row["description"] or "").strip()
        if not description:
            raise BadFile(hs_csv, f"code {code} has no description", line)
        section = (row["section"] or "").strip()
        section_value = section if section in known_sections else None
        if section_value is None and section != "TOTAL":
            raise BadFile(hs_csv, f"unknown section {section!r} for {code}", line)
        parent = (row["parent"] or "").strip()
        parent_value = None if level == 2 else parent
        if parent_value is not None and parent_value != code[: level - 2]:
            raise BadFile(
                hs_csv, f"parent {parent!r} of {code} should be {code[: level - 2]}", line
            )
        if code in seen:
            raise BadFile(hs_csv, f"code {code} appears twice", line)
        record: dict[str, object] = {
            "code": code,
            "description": description,
            "level": level,
            "section": section_value,
            "parent": parent_value,
        }
        seen[code] = record
        codes.append(record)
    for record in codes:
        parent = record["parent"]
        if parent is not None and parent not in seen:
            raise BadFile(hs_csv, f"parent {parent} of {record['code']} is not in the file")
    if not codes:
        raise BadFile(hs_csv, "holds no HS codes")
    return HsData(sections, codes, _documents(codes, seen))


def _parse_sections(path: Path) -> list[dict[str, object]]:
    reader = csv.DictReader(io.StringIO(read_text(path)))
    if not reader.fieldnames or {"section", "name"} - set(reader.fieldnames):
        raise BadFile(path, f"expected the columns section, name; got {reader.fieldnames}")
    out: list[dict[str, object]] = []
    for position, row in enumerate(reader, start=1):
        roman = (row["section"] or "").strip()
        if not _ROMAN.fullmatch(roman):
            raise BadFile(path, f"section {roman!r} is not a Roman numeral", position + 1)
        name = " ".join((row["name"] or "").split())
        out.append({"roman": roman, "position": position, "name": name[:1].upper() + name[1:]})
    if not out:
        raise BadFile(path, "holds no sections")
    return out


def _documents(
    codes: list[dict[str, object]], by_code: dict[str, dict[str, object]]
) -> list[tuple[str, str, str]]:
    """Title: the code and its own text. Body: the parent heading's text and synonyms.

    Subheading texts are often elliptic ("Other", "lithium-ion"), so the parent text in the
    body lets a search for the heading's words still find them, ranked below the title match.
    """
    docs: list[tuple[str, str, str]] = []
    for record in codes:
        code = str(record["code"])
        description = str(record["description"])
        parent = record["parent"]
        body_parts = [str(by_code[str(parent)]["description"])] if parent else []
        lowered = description.lower() + " " + " ".join(body_parts).lower()
        body_parts += [words for key, words in SYNONYMS.items() if key in lowered]
        docs.append((code, f"{format_hs(code)} {description}", " ".join(body_parts)))
    return docs
